package org.qfleet.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One host to connect to, with every setting resolved. {@link SshConfig#resolve} builds it from a roster entry, the
 * ssh config file and {@code --ssh-option} values.
 *
 * @param id             the roster ID, used in messages and logs
 * @param host           the host name or address to connect to, also the name looked up in known_hosts
 * @param port           the SSH port, 1 to 65535
 * @param user           the login user
 * @param identities     private key files (OpenSSH or PEM format), tried in order
 * @param connectTimeout the limit for the TCP connect, and for opening each exec channel
 * @param identitiesOnly whether only {@code identities} are offered, so the SSH agent's keys are not
 * @param password       the login password, also fed to sudo when it asks for one; null when there is none
 * @param keyPassphrase  the passphrase of encrypted key files; null to take it from the environment or a prompt
 * @param jumpHosts      the hosts to tunnel through, first one first, as {@code ProxyJump} lists them; empty to
 *                       connect directly
 * @param sudo           how commands run under sudo, or null to run them as {@code user}
 * @param knownHosts     the known_hosts file for this host, or null for the transport's file
 * @param hostKeyPolicy  how this host's key is checked, or null for the transport's policy
 * @param serverAliveInterval the interval between keep-alive requests ({@code ServerAliveInterval}), zero for no
 *                            keep-alive, or null for the transport's {@link SshSettings#keepAlive()}
 * @param serverAliveCountMax how many keep-alive requests in a row may go unanswered before the connection is
 *                            closed ({@code ServerAliveCountMax}), at least 1, or null for the default of 3
 */
public record SshTarget(String id, String host, int port, String user, List<Path> identities, Duration connectTimeout,
                        boolean identitiesOnly, String password, String keyPassphrase, List<SshTarget> jumpHosts,
                        Sudo sudo, Path knownHosts, HostKeyPolicy hostKeyPolicy, Duration serverAliveInterval,
                        Integer serverAliveCountMax) {

    /**
     * Running commands as another user with {@code sudo}.
     *
     * @param user the user to run as ({@code sudo -u}), or null for sudo's default, root
     */
    public record Sudo(String user) {
    }

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
        if (serverAliveInterval != null && serverAliveInterval.isNegative()) {
            throw new IllegalArgumentException("host " + id + ": ServerAliveInterval must not be negative, got "
                    + serverAliveInterval);
        }
        if (serverAliveCountMax != null && serverAliveCountMax < 1) {
            throw new IllegalArgumentException("host " + id + ": ServerAliveCountMax must be at least 1, got "
                    + serverAliveCountMax);
        }
        identities = List.copyOf(identities);
        jumpHosts = jumpHosts == null ? List.of() : List.copyOf(jumpHosts);
    }

    /** Creates a target with the transport's keep-alive settings. */
    public SshTarget(String id, String host, int port, String user, List<Path> identities, Duration connectTimeout,
                     boolean identitiesOnly, String password, String keyPassphrase, List<SshTarget> jumpHosts,
                     Sudo sudo, Path knownHosts, HostKeyPolicy hostKeyPolicy) {
        this(id, host, port, user, identities, connectTimeout, identitiesOnly, password, keyPassphrase, jumpHosts,
                sudo, knownHosts, hostKeyPolicy, null, null);
    }

    /** Creates a target that uses only its key files, strict host keys, no jump host and no sudo. */
    public SshTarget(String id, String host, int port, String user, List<Path> identities, Duration connectTimeout) {
        this(id, host, port, user, identities, connectTimeout, false, null, null, List.of(), null, null, null);
    }

    /** Returns a copy that runs its commands under sudo as {@code sudoUser} (null for root). */
    public SshTarget withSudo(Sudo newSudo) {
        return new SshTarget(id, host, port, user, identities, connectTimeout, identitiesOnly, password, keyPassphrase,
                jumpHosts, newSudo, knownHosts, hostKeyPolicy, serverAliveInterval, serverAliveCountMax);
    }

    /** Returns a copy with a login password, or none when it is null. */
    public SshTarget withPassword(String newPassword) {
        return new SshTarget(id, host, port, user, identities, connectTimeout, identitiesOnly, newPassword,
                keyPassphrase, jumpHosts, sudo, knownHosts, hostKeyPolicy, serverAliveInterval,
                serverAliveCountMax);
    }

    /** Returns a copy with a key passphrase, or none when it is null. */
    public SshTarget withKeyPassphrase(String newPassphrase) {
        return new SshTarget(id, host, port, user, identities, connectTimeout, identitiesOnly, password, newPassphrase,
                jumpHosts, sudo, knownHosts, hostKeyPolicy, serverAliveInterval, serverAliveCountMax);
    }

    /** Returns a copy that tunnels through {@code newJumpHosts}, first one first. */
    public SshTarget withJumpHosts(List<SshTarget> newJumpHosts) {
        return new SshTarget(id, host, port, user, identities, connectTimeout, identitiesOnly, password, keyPassphrase,
                newJumpHosts, sudo, knownHosts, hostKeyPolicy, serverAliveInterval, serverAliveCountMax);
    }

    /**
     * Returns a copy with other keep-alive settings; null leaves the interval to {@link SshSettings#keepAlive()} and
     * the count to the default of 3.
     */
    public SshTarget withKeepAlive(Duration newInterval, Integer newCountMax) {
        return new SshTarget(id, host, port, user, identities, connectTimeout, identitiesOnly, password, keyPassphrase,
                jumpHosts, sudo, knownHosts, hostKeyPolicy, newInterval, newCountMax);
    }

    /** Returns {@code user@host:port}, the form that messages use. */
    public String address() {
        return user + "@" + host + ":" + port;
    }

    /** Returns the target without its password and passphrase, which must never reach a log. */
    @Override
    public String toString() {
        return "SshTarget[id=" + id + ", address=" + address() + ", identities=" + identities + ", connectTimeout="
                + connectTimeout + ", identitiesOnly=" + identitiesOnly + ", password=" + (password == null ? "none" : "***")
                + ", keyPassphrase=" + (keyPassphrase == null ? "none" : "***") + ", jumpHosts="
                + jumpHosts.stream().map(SshTarget::address).toList() + ", sudo=" + sudo + ", knownHosts=" + knownHosts
                + ", hostKeyPolicy=" + hostKeyPolicy + ", serverAliveInterval=" + serverAliveInterval
                + ", serverAliveCountMax=" + serverAliveCountMax + "]";
    }
}
