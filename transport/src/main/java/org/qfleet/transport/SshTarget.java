package org.qfleet.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One host to connect to.
 *
 * @param id             the roster ID, used in messages and logs
 * @param host           the host name or address to connect to, also the name looked up in known_hosts
 * @param port           the SSH port, 1 to 65535
 * @param user           the login user
 * @param identities     private key files (OpenSSH or PEM format, unencrypted), tried in order
 * @param connectTimeout the limit for the TCP connect, and for opening each exec channel
 */
public record SshTarget(String id, String host, int port, String user, List<Path> identities, Duration connectTimeout) {

    public SshTarget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("host " + id + ": port must be 1 to 65535, got " + port);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("host " + id + ": connect timeout must be positive, got " + connectTimeout);
        }
        identities = List.copyOf(identities);
    }

    /** Returns {@code user@host:port}, the form that messages use. */
    String address() {
        return user + "@" + host + ":" + port;
    }
}
