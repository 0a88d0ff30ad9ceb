package org.qfleet.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/** Loads unencrypted private key files in OpenSSH or PEM format, as MINA's parsers read them. */
final class Identities {

    private Identities() {
    }

    /** Thrown by the password provider, so that an encrypted key gets its own message. */
    private static final class PassphraseRequired extends IOException {
        private static final long serialVersionUID = 1L;

        PassphraseRequired() {
            super("passphrase required");
        }
    }

    private static final FilePasswordProvider NO_PASSPHRASE = new FilePasswordProvider() {
        @Override
        public String getPassword(SessionContext session, NamedResource resourceKey, int retryIndex)
                throws IOException {
            throw new PassphraseRequired();
        }
    };

    /** Returns every key pair in the files, in order. The message of a failure names the file, never its content. */
    static List<KeyPair> load(SshTarget target) throws TransportException {
        if (target.identities().isEmpty()) {
            throw unreadable(target, "no private key file is given. Set priv in the roster entry.", null);
        }
        List<KeyPair> keys = new ArrayList<>();
        for (Path path : target.identities()) {
            keys.addAll(loadFile(target, path));
        }
        return keys;
    }

    private static List<KeyPair> loadFile(SshTarget target, Path path) throws TransportException {
        List<KeyPair> keys = new ArrayList<>();
        try (InputStream in = Files.newInputStream(path)) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, new PathResource(path), in,
                    NO_PASSPHRASE);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
        } catch (NoSuchFileException e) {
            throw unreadable(target, "private key file " + path + " does not exist. Fix priv in the roster entry.", e);
        } catch (PassphraseRequired e) {
            throw unreadable(target, "private key file " + path + " is encrypted with a passphrase, which qfleet"
                    + " does not support yet. Use a key without a passphrase.", e);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw unreadable(target, "private key file " + path + " could not be read: " + e.getMessage()
                    + ". It must be an unencrypted OpenSSH or PEM private key.", e);
        }
        if (keys.isEmpty()) {
            throw unreadable(target, "private key file " + path + " contains no private key in a known format."
                    + " It must be an unencrypted OpenSSH or PEM private key.", null);
        }
        return keys;
    }

    private static TransportException unreadable(SshTarget target, String detail, Throwable cause) {
        return new TransportException(TransportException.Kind.KEY_UNREADABLE, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + detail, cause);
    }
}
