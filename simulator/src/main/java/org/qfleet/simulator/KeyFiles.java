package org.qfleet.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Iterator;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;

/** Ed25519 key pairs stored as unencrypted OpenSSH key files, created on first use. */
final class KeyFiles {

    private KeyFiles() {
    }

    /**
     * Loads the key pair in {@code privateKeyFile}, or generates one and writes it there (mode
     * 0600) and its public key to {@code privateKeyFile + ".pub"}.
     */
    static KeyPair loadOrCreate(Path privateKeyFile, String comment) throws IOException {
        try {
            KeyPair keyPair = Files.exists(privateKeyFile) ? load(privateKeyFile) : create(privateKeyFile, comment);
            Path publicKeyFile = privateKeyFile.resolveSibling(privateKeyFile.getFileName() + ".pub");
            if (!Files.exists(publicKeyFile)) {
                Files.writeString(publicKeyFile, publicKeyLine(keyPair.getPublic()) + " " + comment + "\n");
            }
            return keyPair;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load or create the Ed25519 key " + privateKeyFile + ": " + e.getMessage()
                    + "; delete the file to have a new key generated", e);
        }
    }

    /** Returns the key in OpenSSH public key format, e.g. {@code ssh-ed25519 AAAA...}. */
    static String publicKeyLine(PublicKey key) {
        return PublicKeyEntry.toString(key);
    }

    private static KeyPair load(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(
                    null, NamedResource.ofName(file.toString()), in, FilePasswordProvider.EMPTY);
            Iterator<KeyPair> iterator = pairs == null ? null : pairs.iterator();
            if (iterator == null || !iterator.hasNext()) {
                throw new IOException("no private key found in " + file
                        + "; delete the file to have a new key generated");
            }
            return iterator.next();
        }
    }

    private static KeyPair create(Path file, String comment) throws IOException, GeneralSecurityException {
        KeyPairGenerator generator = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        KeyPair keyPair = generator.generateKeyPair();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, comment, null, out);
        }
        Path publicKeyFile = file.resolveSibling(file.getFileName() + ".pub");
        Files.write(publicKeyFile, (publicKeyLine(keyPair.getPublic()) + " " + comment + "\n")
                .getBytes(StandardCharsets.US_ASCII));
        return keyPair;
    }
}
