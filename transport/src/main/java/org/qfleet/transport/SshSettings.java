package org.qfleet.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings shared by every connection of one {@link SshTransport}.
 *
 * @param knownHosts        the OpenSSH known_hosts file that host keys are checked against; a missing file counts as empty
 * @param acceptNewHostKeys whether a host key that the file does not list yet is appended to it; a changed key is
 *                          rejected either way
 * @param authTimeout       the limit for key exchange and authentication, counted after the TCP connect
 * @param keepAlive         the interval between keep-alive requests on an idle connection; zero turns them off
 */
public record SshSettings(Path knownHosts, boolean acceptNewHostKeys, Duration authTimeout, Duration keepAlive) {

    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);

    public SshSettings {
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(authTimeout, "authTimeout");
        Objects.requireNonNull(keepAlive, "keepAlive");
        if (authTimeout.isNegative() || authTimeout.isZero()) {
            throw new IllegalArgumentException("auth timeout must be positive, got " + authTimeout);
        }
        if (keepAlive.isNegative()) {
            throw new IllegalArgumentException("keep-alive interval must not be negative, got " + keepAlive);
        }
    }

    /** Returns strict host key checking against {@code knownHosts}, a 15 s auth timeout and a 30 s keep-alive. */
    public static SshSettings defaults(Path knownHosts) {
        return new SshSettings(knownHosts, false, DEFAULT_AUTH_TIMEOUT, DEFAULT_KEEP_ALIVE);
    }
}
