package org.qfleet.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks server host keys against an OpenSSH known_hosts file, the way {@code ssh} with
 * {@code StrictHostKeyChecking yes} (or {@code accept-new}) does.
 *
 * <p>MINA calls {@link #verifyServerKey} (through {@link Dispatcher}) during key exchange, where it can only return false. So a rejection is stored
 * in the connect attempt's {@link ConnectAttempt}, and {@link SshTransport#connect} turns it into the exception.
 */
final class HostKeyVerifier implements ServerKeyVerifier {

    /** The attribute in each session's connection context that carries its {@link ConnectAttempt}. */
    static final AttributeRepository.AttributeKey<ConnectAttempt> ATTEMPT = new AttributeRepository.AttributeKey<>();

    private static final Logger LOG = LoggerFactory.getLogger(HostKeyVerifier.class);
    private static final String REVOKED_MARKER = "revoked";

    private final Path file;
    private final boolean acceptNew;
    /** Locks by absolute file, which serialise appends from all sessions and transports of this process. */
    private static final ConcurrentHashMap<Path, Object> FILE_LOCKS = new ConcurrentHashMap<>();
    private final Object fileLock;

    HostKeyVerifier(Path file, boolean acceptNew) {
        this.file = Objects.requireNonNull(file, "file");
        this.acceptNew = acceptNew;
        this.fileLock = FILE_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), path -> new Object());
    }

    /**
     * The verifier that MINA calls for every session: it applies the policy and the known_hosts file of the session's
     * target, or the transport's when the target names none.
     */
    static final class Dispatcher implements ServerKeyVerifier {
        private final SshSettings settings;
        private final ConcurrentHashMap<List<Object>, HostKeyVerifier> verifiers = new ConcurrentHashMap<>();

        Dispatcher(SshSettings settings) {
            this.settings = settings;
        }

        @Override
        public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
            ConnectAttempt attempt = session.getConnectionContext() == null
                    ? null
                    : session.getConnectionContext().getAttribute(ATTEMPT);
            if (attempt == null) {
                LOG.warn("verifyServerKey({}) rejected: the session has no qfleet connect context", remoteAddress);
                return false;
            }
            SshTarget target = attempt.target;
            HostKeyPolicy policy = policy(settings, target);
            if (policy == HostKeyPolicy.IGNORE) {
                LOG.warn("host {} ({}): host key {} {} was NOT checked, because host key checking is off"
                                + " (--ignore-host-keys). Anyone on the network path could read and change this session.",
                        target.id(), target.address(), KeyUtils.getKeyType(serverKey), fingerprint(serverKey));
                attempt.hostKeyAccepted = true;
                return true;
            }
            Path file = target.knownHosts() != null ? target.knownHosts() : settings.knownHosts();
            boolean acceptNew = policy == HostKeyPolicy.ACCEPT_NEW;
            return verifiers.computeIfAbsent(List.of(file, acceptNew), key -> new HostKeyVerifier(file, acceptNew))
                    .verifyServerKey(session, remoteAddress, serverKey);
        }
    }

    /**
     * Returns the policy for a target: {@code --ignore-host-keys} and {@code --accept-new-host-keys} rank above the
     * target's own {@code StrictHostKeyChecking}, and strict checking is the default.
     */
    static HostKeyPolicy policy(SshSettings settings, SshTarget target) {
        if (settings.ignoreHostKeys()) {
            return HostKeyPolicy.IGNORE;
        }
        if (settings.acceptNewHostKeys()) {
            return HostKeyPolicy.ACCEPT_NEW;
        }
        return target.hostKeyPolicy() != null ? target.hostKeyPolicy() : HostKeyPolicy.STRICT;
    }

    /** Mutable state of one connect call, shared between the caller and MINA's I/O thread. */
    static final class ConnectAttempt {
        final SshTarget target;
        volatile TransportException hostKeyProblem;
        volatile boolean hostKeyAccepted;

        ConnectAttempt(SshTarget target) {
            this.target = target;
        }
    }

    /** One parsed line of the known_hosts file. */
    private record KnownLine(int lineNumber, KnownHostEntry entry, PublicKey key) {
    }

    /**
     * One line of the file with its host patterns parsed. Its key is decoded only when a
     * host matches the line, because a fleet's file contains one line per host and decoding
     * an Ed25519 key took about a millisecond of CPU in a profile of a 50-host run.
     */
    private final class CachedLine {
        private final int lineNumber;
        private final KnownHostEntry entry;
        private volatile KnownLine resolved;
        private volatile boolean invalid;

        CachedLine(int lineNumber, KnownHostEntry entry) {
            this.lineNumber = lineNumber;
            this.entry = entry;
        }

        KnownLine resolve() {
            KnownLine line = resolved;
            if (line == null && !invalid) {
                line = decode(entry, lineNumber);
                resolved = line;
                invalid = line == null;
            }
            return line;
        }
    }

    /**
     * The parsed lines of one version of the file, which is known by its modification time, size and file key
     * (the inode, which a rewrite by renaming changes).
     */
    private record Snapshot(FileTime modified, long size, Object fileKey, List<CachedLine> lines) {
    }

    /** The file's lines as last read, shared by every connection of the run. */
    private volatile Snapshot snapshot;

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        ConnectAttempt attempt = session.getConnectionContext() == null
                ? null
                : session.getConnectionContext().getAttribute(ATTEMPT);
        if (attempt == null) {
            LOG.warn("verifyServerKey({}) rejected: the session has no qfleet connect context", remoteAddress);
            return false;
        }
        try {
            TransportException problem = check(attempt.target, serverKey);
            if (problem != null) {
                attempt.hostKeyProblem = problem;
                return false;
            }
            attempt.hostKeyAccepted = true;
            return true;
        } catch (IOException | RuntimeException e) {
            attempt.hostKeyProblem = new TransportException(TransportException.Kind.HOST_KEY_UNKNOWN, attempt.target.id(),
                    "host " + attempt.target.id() + " (" + attempt.target.address() + "): could not check its host key against " + file + ": " + e.getMessage()
                            + ". Check that the file is readable and writable.",
                    e);
            return false;
        }
    }

    /** Returns null when the key is known (or was just added), else the exception that rejects it. */
    private TransportException check(SshTarget target, PublicKey serverKey) throws IOException {
        List<KnownLine> matching = matchingLines(target);
        String serverType = KeyUtils.getKeyType(serverKey);

        for (KnownLine line : matching) {
            if (REVOKED_MARKER.equals(line.entry().getMarker()) && KeyUtils.compareKeys(line.key(), serverKey)) {
                return revoked(target, serverKey, line);
            }
        }
        List<KnownLine> otherTypes = new ArrayList<>();
        for (KnownLine line : matching) {
            if (line.entry().getMarker() != null) {
                continue;
            }
            if (KeyUtils.compareKeys(line.key(), serverKey)) {
                LOG.debug("verifyServerKey({}) matched {} line {}", target.id(), file, line.lineNumber());
                return null;
            }
            if (serverType.equals(KeyUtils.getKeyType(line.key()))) {
                return changed(target, serverKey, line);
            }
            otherTypes.add(line);
        }

        if (!acceptNew) {
            return unknown(target, serverKey, otherTypes);
        }
        append(target, serverKey);
        return null;
    }

    private List<KnownLine> matchingLines(SshTarget target) throws IOException {
        List<KnownLine> matching = new ArrayList<>();
        for (CachedLine line : lines()) {
            if (line.entry.isHostMatch(target.host(), target.port())) {
                KnownLine resolved = line.resolve();
                if (resolved != null) {
                    matching.add(resolved);
                }
            }
        }
        return matching;
    }

    /** Returns the file's lines, read again only when its modification time, size or file key changed. */
    private List<CachedLine> lines() throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        Snapshot current = snapshot;
        if (current != null && current.modified().equals(attributes.lastModifiedTime())
                && current.size() == attributes.size() && Objects.equals(current.fileKey(), attributes.fileKey())) {
            return current.lines();
        }
        List<String> text;
        try {
            text = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<CachedLine> lines = new ArrayList<>();
        for (int i = 0; i < text.size(); i++) {
            String stripped = text.get(i).strip();
            if (stripped.isEmpty() || stripped.startsWith("#")) {
                continue;
            }
            KnownHostEntry entry = parseEntry(stripped, i + 1);
            if (entry != null) {
                lines.add(new CachedLine(i + 1, entry));
            }
        }
        snapshot = new Snapshot(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey(),
                List.copyOf(lines));
        return lines;
    }

    private KnownHostEntry parseEntry(String text, int lineNumber) {
        try {
            KnownHostEntry entry = KnownHostEntry.parseKnownHostEntry(text);
            return entry == null || entry.getKeyEntry() == null ? null : entry;
        } catch (RuntimeException e) {
            LOG.warn("known_hosts {} line {} is invalid and was skipped: {}", file, lineNumber, e.getMessage());
            return null;
        }
    }

    private KnownLine decode(KnownHostEntry entry, int lineNumber) {
        try {
            PublicKey key = entry.getKeyEntry().resolvePublicKey(null, null, PublicKeyEntryResolver.IGNORING);
            if (key == null) {
                LOG.debug("known_hosts {} line {}: key type {} is not supported, line skipped", file, lineNumber,
                        entry.getKeyEntry().getKeyType());
                return null;
            }
            return new KnownLine(lineNumber, entry, key);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warn("known_hosts {} line {} is invalid and was skipped: {}", file, lineNumber, e.getMessage());
            return null;
        }
    }

    private void append(SshTarget target, PublicKey serverKey) throws IOException {
        synchronized (fileLock) {
            // Another session may have added the same key since the first read.
            for (KnownLine line : matchingLines(target)) {
                if (line.entry().getMarker() == null && KeyUtils.compareKeys(line.key(), serverKey)) {
                    return;
                }
            }
            String newLine = hostPattern(target) + " " + PublicKeyEntry.toString(serverKey) + "\n";
            byte[] old = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            StringBuilder content = new StringBuilder(new String(old, StandardCharsets.UTF_8));
            if (content.length() > 0 && content.charAt(content.length() - 1) != '\n') {
                content.append('\n');
            }
            content.append(newLine);
            writeAtomically(content.toString());
            LOG.info("host {} ({} port {}): added host key {} {} to {}", target.id(), target.host(), target.port(),
                    KeyUtils.getKeyType(serverKey), fingerprint(serverKey), file);
        }
    }

    /**
     * Replaces the file by renaming a complete temporary copy over it, so readers never see half a file. A symbolic
     * link is followed, so that the link stays in place and its target gets the new content.
     *
     * <p>NOTE: the lock that serialises appends is per process, so two qfleet processes accepting keys into the same
     * file at the same moment can still lose one of the two new lines.
     */
    private void writeAtomically(String content) throws IOException {
        Path absolute = Files.isSymbolicLink(file) ? file.toRealPath() : file.toAbsolutePath();
        Path folder = absolute.getParent();
        Files.createDirectories(folder);
        Path temporary = Files.createTempFile(folder, absolute.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temporary, content, StandardCharsets.UTF_8);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private TransportException unknown(SshTarget target, PublicKey serverKey, List<KnownLine> otherTypes) {
        StringBuilder message = new StringBuilder();
        message.append("host ").append(target.id()).append(" (").append(target.address()).append("): host key ").append(KeyUtils.getKeyType(serverKey)).append(' ')
                .append(fingerprint(serverKey)).append(" is not in ").append(file).append('.');
        if (!otherTypes.isEmpty()) {
            message.append(" The file has keys of other types for this host (");
            for (int i = 0; i < otherTypes.size(); i++) {
                KnownLine line = otherTypes.get(i);
                message.append(i == 0 ? "" : ", ").append(KeyUtils.getKeyType(line.key())).append(" on line ")
                        .append(line.lineNumber());
            }
            message.append(").");
        }
        message.append(" Compare the fingerprint with the one the host shows (ssh-keygen -lf on its key in /etc/ssh),")
                .append(" then rerun with --accept-new-host-keys to add it.");
        return new TransportException(TransportException.Kind.HOST_KEY_UNKNOWN, target.id(), message.toString());
    }

    private TransportException changed(SshTarget target, PublicKey serverKey, KnownLine oldLine) {
        String message = "host " + target.id() + " (" + target.address() + "): HOST KEY CHANGED. The server sent " + KeyUtils.getKeyType(serverKey) + " " + fingerprint(serverKey)
                + ", but " + file + " line " + oldLine.lineNumber() + " has " + fingerprint(oldLine.key())
                + " for this host. Someone may be intercepting the connection, or the host was reinstalled."
                + " If the change is expected, remove the old key with: ssh-keygen -R '" + hostPattern(target) + "' -f "
                + file + " and rerun with --accept-new-host-keys.";
        return new TransportException(TransportException.Kind.HOST_KEY_CHANGED, target.id(), message);
    }

    private TransportException revoked(SshTarget target, PublicKey serverKey, KnownLine line) {
        String message = "host " + target.id() + " (" + target.address() + "): the server sent host key " + KeyUtils.getKeyType(serverKey) + " " + fingerprint(serverKey)
                + ", which " + file + " line " + line.lineNumber() + " marks as @revoked. Do not connect until the"
                + " host has a new key.";
        return new TransportException(TransportException.Kind.HOST_KEY_CHANGED, target.id(), message);
    }

    /** Returns the name that known_hosts uses for the target: {@code host} on port 22, else {@code [host]:port}. */
    static String hostPattern(SshTarget target) {
        return target.port() == 22 ? target.host() : "[" + target.host() + "]:" + target.port();
    }

    /** Returns the OpenSSH form of the key's fingerprint, for example {@code SHA256:uNiVz...}. */
    static String fingerprint(PublicKey key) {
        return KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
    }
}
