package org.qfleet.transport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.io.resource.PathResource;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * Loads private key files in OpenSSH or PEM format, encrypted or not, as MINA's parsers read them. Each file is read
 * once per run, so a passphrase prompt appears at most once per file.
 *
 * <p>The passphrase of an encrypted file comes from the target ({@code priv_passwd} in the roster), else from
 * {@code QFLEET_KEY_PASSPHRASE}, else from a prompt when one is set. No passphrase ever reaches a message or log.
 */
final class Identities {

    private final SshSettings settings;
    /**
     * Loaded keys by file and roster passphrase, shared by all hosts of the run and guarded by itself. The passphrase
     * is part of the key so that a host whose roster gives a wrong one fails whichever host read the file first.
     */
    private final Map<List<String>, List<KeyPair>> cache = new HashMap<>();

    Identities(SshSettings settings) {
        this.settings = settings;
    }

    /** Thrown by the password provider when no source has a passphrase, so that the key gets its own message. */
    private static final class PassphraseMissing extends IOException {
        private static final long serialVersionUID = 1L;

        PassphraseMissing() {
            super("passphrase required");
        }
    }

    /** Returns every key pair in the target's files, in order. A message names the file, never its content. */
    List<KeyPair> load(SshTarget target) throws TransportException {
        List<KeyPair> keys = new ArrayList<>();
        for (Path path : target.identities()) {
            keys.addAll(loadFile(target, path));
        }
        return keys;
    }

    private List<KeyPair> loadFile(SshTarget target, Path path) throws TransportException {
        // One lock for all files keeps two prompts from interleaving on the terminal.
        synchronized (cache) {
            List<String> cacheKey = Arrays.asList(path.toString(), target.keyPassphrase());
            List<KeyPair> cached = cache.get(cacheKey);
            if (cached != null) {
                return cached;
            }
            List<KeyPair> keys = read(target, path);
            cache.put(cacheKey, keys);
            return keys;
        }
    }

    private List<KeyPair> read(SshTarget target, Path path) throws TransportException {
        List<KeyPair> keys = new ArrayList<>();
        String[] source = new String[1];
        FilePasswordProvider passwords = new FilePasswordProvider() {
            @Override
            public String getPassword(SessionContext session, NamedResource resourceKey, int retryIndex)
                    throws IOException {
                return passphrase(target, path, source);
            }
        };
        try (InputStream in = Files.newInputStream(path)) {
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, new PathResource(path), in, passwords);
            if (loaded != null) {
                loaded.forEach(keys::add);
            }
        } catch (NoSuchFileException e) {
            throw unreadable(target, "private key file " + path + " does not exist. Fix priv in the roster entry"
                    + " or IdentityFile in the ssh config.", e);
        } catch (PassphraseMissing e) {
            throw unreadable(target, "private key file " + path + " is encrypted, and no passphrase was given. Set"
                    + " priv_passwd in the roster entry or " + SshSettings.PASSPHRASE_VARIABLE + " in the environment,"
                    + " run qfleet on a terminal to be asked, or load the key into ssh-agent.", e);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (source[0] != null) {
                // The exception's message is not shown: a parser could quote what it failed to decode.
                throw unreadable(target, "private key file " + path + " could not be decrypted with the passphrase"
                        + " from " + source[0] + " (" + e.getClass().getSimpleName() + "). Check the passphrase.", null);
            }
            throw unreadable(target, "private key file " + path + " could not be read: " + e.getMessage()
                    + ". It must be an OpenSSH or PEM private key.", e);
        }
        if (keys.isEmpty()) {
            throw unreadable(target, "private key file " + path + " contains no private key in a known format."
                    + " It must be an OpenSSH or PEM private key.", null);
        }
        return keys;
    }

    /** Returns the passphrase for an encrypted file and stores its source's name in {@code source[0]}. */
    private String passphrase(SshTarget target, Path path, String[] source) throws IOException {
        if (target.keyPassphrase() != null) {
            source[0] = "priv_passwd in the roster entry";
            return target.keyPassphrase();
        }
        if (settings.keyPassphrase() != null) {
            source[0] = SshSettings.PASSPHRASE_VARIABLE;
            return settings.keyPassphrase();
        }
        if (settings.prompt() != null) {
            char[] typed = settings.prompt().ask("Enter passphrase for key " + path + " (host " + target.id() + "): ");
            if (typed != null) {
                source[0] = "the prompt";
                String value = new String(typed);
                Arrays.fill(typed, '\0');
                return value;
            }
        }
        throw new PassphraseMissing();
    }

    private static TransportException unreadable(SshTarget target, String detail, Throwable cause) {
        return new TransportException(TransportException.Kind.KEY_UNREADABLE, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + detail, cause);
    }
}
