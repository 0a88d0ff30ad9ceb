package org.qfleet.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.keyboard.UserAuthKeyboardInteractiveFactory;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientUserAuthServiceFactory;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;
import org.apache.sshd.common.future.CancelOption;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens SSH connections to hosts. Each instance wraps one MINA {@link SshClient}, which is meant to be shared by every
 * connection of a run: its NIO threads serve all sessions, so many open connections cost sockets, not threads.
 *
 * <p>Authentication offers, in this order: the target's key files, the keys of the ssh-agent at
 * {@link SshSettings#agentSocket()} (unless the target sets {@code identitiesOnly}), then the target's password by
 * the {@code password} and {@code keyboard-interactive} methods. The ssh config file is read by {@link SshConfig}
 * before a target gets here, never by MINA.
 */
public final class SshTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshTransport.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final String LOOPBACK = "127.0.0.1";

    private final SshSettings settings;
    private final SshClient client;
    private final Identities identities;

    public SshTransport(SshSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.identities = new Identities(settings);
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new HostKeyVerifier.Dispatcher(settings));
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE,
                UserAuthKeyboardInteractiveFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE));
        if (settings.agentSocket() != null) {
            client.setAgentFactory(UnixSocketAgent.factory(settings.agentSocket(), SshTransport::usesAgent));
        }
        CoreModuleProperties.AUTH_TIMEOUT.set(client, settings.authTimeout());
        // The password may be asked for once by each of the two password methods; more tries only lock accounts.
        CoreModuleProperties.PASSWORD_PROMPTS.set(client, 1);
        // Each target may set its own keep-alives, so they are set per session when its connection service is created.
        client.setServiceFactories(List.of(ClientUserAuthServiceFactory.INSTANCE,
                KeepAlive.connectionServiceFactory(settings)));
        client.start();
    }

    private static boolean usesAgent(Session session) {
        HostKeyVerifier.ConnectAttempt attempt = !(session instanceof ClientSession client)
                || client.getConnectionContext() == null
                ? null
                : client.getConnectionContext().getAttribute(HostKeyVerifier.ATTEMPT);
        return attempt != null && !attempt.target.identitiesOnly();
    }

    /**
     * Connects to the target, through its jump hosts if it has any, checks each host key against the known_hosts
     * file and authenticates.
     *
     * <p>Each TCP connect waits at most {@link SshTarget#connectTimeout()} and is tried up to
     * {@link SshSettings#connectAttempts()} times when it is refused or reset; then key exchange and authentication
     * wait at most {@link SshSettings#authTimeout()}. The host's whole time limit, when set, starts here and bounds
     * every one of those waits, the retries included, so a host that stalls in its handshake is cut off at that limit.
     *
     * @throws TransportException of every kind but the exec ones
     */
    public SshSession connect(SshTarget target) throws TransportException {
        Objects.requireNonNull(target, "target");
        Long hostDeadline = settings.hostTimeout().isZero() ? null : System.nanoTime() + settings.hostTimeout().toNanos();
        if (settings.local()) {
            LOG.debug("connect({}) runs commands on this machine (--local)", target.id());
            return SshSession.local(target, settings, hostDeadline);
        }
        List<AutoCloseable> tunnel = new ArrayList<>();
        ForwardRejection rejection = new ForwardRejection();
        boolean connected = false;
        try {
            String address = null;
            int port = 0;
            for (SshTarget hop : chain(target)) {
                if (address == null) {
                    address = hop.host();
                    port = hop.port();
                }
                ClientSession hopSession = open(hop, address, port, hostDeadline);
                tunnel.add(hopSession);
                SshTarget next = nextAfter(target, hop);
                hopSession.addChannelListener(rejection.listener(hop, next));
                ExplicitPortForwardingTracker forward = forward(hopSession, hop, next);
                tunnel.add(forward);
                address = LOOPBACK;
                port = forward.getBoundAddress().getPort();
            }
            ClientSession session = address == null
                    ? open(target, target.host(), target.port(), hostDeadline)
                    : open(target, address, port, hostDeadline);
            connected = true;
            return new SshSession(session, target, settings, hostDeadline, tunnel);
        } catch (TransportException e) {
            throw tunnel.isEmpty() ? e : rejection.explain(target, e);
        } finally {
            if (!connected) {
                closeTunnel(tunnel, target);
            }
        }
    }

    /**
     * The first forwarded connection that a jump host rejected. The client then sees only its own connection to the
     * forward's local port close during the handshake, so without this record the error would blame the next host.
     */
    private static final class ForwardRejection {
        /** How long a failed connect waits for the jump host's rejection, which may arrive just after it. */
        private static final long WAIT_MILLIS = 500;

        private final CompletableFuture<String> rejected = new CompletableFuture<>();

        /**
         * Returns a listener for the jump host's session that records a forwarding channel that closed without
         * opening. MINA 2.16 signals no open failure for a channel that the server rejected, and only closes it.
         */
        ChannelListener listener(SshTarget hop, SshTarget next) {
            Set<Channel> opened = ConcurrentHashMap.newKeySet();
            return new ChannelListener() {
                @Override
                public void channelOpenSuccess(Channel channel) {
                    opened.add(channel);
                }

                @Override
                public void channelClosed(Channel channel, Throwable reason) {
                    if (!opened.remove(channel)) {
                        rejected.complete("jump host " + hop.id() + " (" + hop.address() + ") rejected the forwarded"
                                + " connection to " + next.host() + ":" + next.port() + ". Check that the jump host's"
                                + " SSH server allows TCP forwarding (AllowTcpForwarding in sshd_config) and that it"
                                + " can reach that address.");
                    }
                }
            };
        }

        /** Returns the error naming the jump host that rejected a connection, or {@code failure} when none did. */
        TransportException explain(SshTarget target, TransportException failure) {
            String reason;
            try {
                reason = rejected.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                return failure;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failure;
            }
            return new TransportException(TransportException.Kind.UNREACHABLE, target.id(), "host " + target.id()
                    + " (" + target.address() + "): " + reason, failure);
        }
    }

    /**
     * Returns the jump hosts in the order they are reached, with the jump hosts of each jump host before it.
     * NOTE: the address of each hop is where the previous hop's forward ends, so a hop's own host and port are used
     * only for the first hop and for host key lookups.
     */
    private static List<SshTarget> chain(SshTarget target) {
        List<SshTarget> hops = new ArrayList<>();
        for (SshTarget hop : target.jumpHosts()) {
            hops.addAll(chain(hop));
            hops.add(hop.withJumpHosts(List.of()));
        }
        return hops;
    }

    private static SshTarget nextAfter(SshTarget target, SshTarget hop) {
        List<SshTarget> hops = chain(target);
        for (int i = 0; i < hops.size() - 1; i++) {
            if (hops.get(i) == hop || hops.get(i).equals(hop)) {
                return hops.get(i + 1);
            }
        }
        return target;
    }

    private static ExplicitPortForwardingTracker forward(ClientSession hopSession, SshTarget hop, SshTarget next)
            throws TransportException {
        try {
            // NOTE: the forward listens on 127.0.0.1 until the session closes, so other local processes could use it
            // to reach the next host's SSH port. They would still need to pass that host's authentication.
            ExplicitPortForwardingTracker tracker = hopSession.createLocalPortForwardingTracker(
                    new SshdSocketAddress(LOOPBACK, 0), new SshdSocketAddress(next.host(), next.port()));
            LOG.debug("connect({}) forwarding {} to {}:{} through jump host {}", next.id(), tracker.getBoundAddress(),
                    next.host(), next.port(), hop.address());
            return tracker;
        } catch (IOException e) {
            throw new TransportException(TransportException.Kind.UNREACHABLE, next.id(), "host " + next.id() + " ("
                    + next.address() + "): jump host " + hop.address() + " could not forward a connection: "
                    + e.getMessage() + ". Check that the jump host allows TCP forwarding.", e);
        }
    }

    /**
     * Connects to {@code address:port} as {@code target}, with retries, and authenticates, all before
     * {@code hostDeadline} (a {@link System#nanoTime()} value, or null for no whole-host limit).
     */
    private ClientSession open(SshTarget target, String address, int port, Long hostDeadline)
            throws TransportException {
        List<KeyPair> keys = identities.load(target);
        boolean agent = settings.agentSocket() != null && !target.identitiesOnly();
        if (keys.isEmpty() && !agent && target.password() == null) {
            throw new TransportException(TransportException.Kind.KEY_UNREADABLE, target.id(), "host " + target.id()
                    + " (" + target.address() + "): no way to authenticate: no private key file, no ssh-agent"
                    + " (SSH_AUTH_SOCK) and no password. Set priv or passwd in the roster entry, or IdentityFile in"
                    + " the ssh config.");
        }
        for (int attemptNumber = 1; ; attemptNumber++) {
            try {
                return openOnce(target, address, port, keys, hostDeadline);
            } catch (TransportException e) {
                if (!retryable(e) || attemptNumber >= settings.connectAttempts()) {
                    throw e;
                }
                Duration wait = backoff(attemptNumber);
                if (hostDeadline != null && hostDeadline - System.nanoTime() <= wait.toNanos()) {
                    throw hostTimedOut(target, settings, "waiting to retry the connect");
                }
                LOG.warn("host {} ({}): connect attempt {} of {} failed ({}), retrying in {} ms", target.id(),
                        target.address(), attemptNumber, settings.connectAttempts(), reason(e.getCause()),
                        wait.toMillis());
                try {
                    Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                    throw interrupted(target, "waiting to retry the connect", interrupted);
                }
            }
        }
    }

    private ClientSession openOnce(SshTarget target, String address, int port, List<KeyPair> keys,
                                   Long hostDeadline) throws TransportException {
        HostKeyVerifier.ConnectAttempt attempt = new HostKeyVerifier.ConnectAttempt(target);
        LOG.debug("connect({}) {} via {}:{} keys={}", target.id(), target.address(), address, port,
                target.identities());
        ClientSession session = openConnection(target, address, port, attempt, hostDeadline);
        boolean authenticated = false;
        try {
            keys.forEach(session::addPublicKeyIdentity);
            if (target.password() != null) {
                session.addPasswordIdentity(target.password());
            }
            authenticate(session, target, attempt, hostDeadline);
            authenticated = true;
            LOG.debug("connect({}) authenticated", target.id());
            return session;
        } finally {
            if (!authenticated) {
                closeQuietly(session, target);
            }
        }
    }

    /** Returns whether a failed connect may succeed when tried again: the connect was refused or the peer reset it. */
    private static boolean retryable(TransportException e) {
        if (e.kind() != TransportException.Kind.UNREACHABLE) {
            return false;
        }
        Throwable cause = rootCause(e.getCause());
        if (cause instanceof ConnectException) {
            return true;
        }
        String message = cause == null ? null : cause.getMessage();
        return cause instanceof SocketException && message != null && message.contains("reset")
                || cause instanceof IOException && message != null && message.contains("Connection reset");
    }

    /** Returns the wait before the next attempt: the base doubled per attempt, scaled by a factor from 0.5 to 1.5. */
    private Duration backoff(int attemptNumber) {
        long base = settings.retryBackoff().toMillis() << Math.min(attemptNumber - 1, 10);
        double jitter = 0.5 + ThreadLocalRandom.current().nextDouble();
        return Duration.ofMillis(Math.round(base * jitter));
    }

    private ClientSession openConnection(SshTarget target, String address, int port,
                                         HostKeyVerifier.ConnectAttempt attempt, Long hostDeadline)
            throws TransportException {
        Duration limit = withinHostLimit(target, target.connectTimeout(), hostDeadline, "connecting");
        ConnectFuture future;
        try {
            future = client.connect(target.user(), address, port,
                    AttributeRepository.ofAttributesMap(Map.of(HostKeyVerifier.ATTEMPT, attempt,
                            KeepAlive.WATCH, new KeepAlive.Watch())), null);
        } catch (IOException e) {
            throw unreachable(target, address, e);
        }
        try {
            if (!future.await(limit, CancelOption.CANCEL_ON_TIMEOUT, CancelOption.CANCEL_ON_INTERRUPT)) {
                if (limit.compareTo(target.connectTimeout()) < 0) {
                    throw hostTimedOut(target, settings, "connecting");
                }
                throw new TransportException(TransportException.Kind.CONNECT_TIMEOUT, target.id(),
                        "host " + target.id() + " (" + target.address() + "): TCP connect timed out after "
                                + seconds(target.connectTimeout()) + " s (the connect time limit). Check that the host"
                                + " is up and that port " + target.port() + " is reachable, or raise the timeout in"
                                + " the roster entry or ConnectTimeout in the ssh config.");
            }
        } catch (InterruptedIOException e) {
            throw interrupted(target, "connecting", e);
        } catch (IOException e) {
            throw unreachable(target, address, e);
        }
        if (!future.isConnected()) {
            throw unreachable(target, address, future.getException());
        }
        return future.getSession();
    }

    private void authenticate(ClientSession session, SshTarget target, HostKeyVerifier.ConnectAttempt attempt,
                              Long hostDeadline) throws TransportException {
        Duration limit = withinHostLimit(target, settings.authTimeout(), hostDeadline, "authenticating");
        AuthFuture auth;
        boolean done;
        try {
            auth = session.auth();
            done = auth.await(limit, CancelOption.CANCEL_ON_TIMEOUT, CancelOption.CANCEL_ON_INTERRUPT);
        } catch (InterruptedIOException e) {
            throw interrupted(target, "authenticating", e);
        } catch (IOException e) {
            throw handshakeFailure(target, attempt, e);
        }
        if (attempt.hostKeyProblem != null) {
            throw attempt.hostKeyProblem;
        }
        if (!done && limit.compareTo(settings.authTimeout()) < 0) {
            throw hostTimedOut(target, settings, "authenticating");
        }
        if (!done) {
            throw new TransportException(TransportException.Kind.AUTH_TIMEOUT, target.id(),
                    "host " + target.id() + " (" + target.address() + "): key exchange and authentication did not"
                            + " finish within " + seconds(settings.authTimeout()) + " s (the authentication time"
                            + " limit). Check that the server is an SSH server and not overloaded.");
        }
        if (!auth.isSuccess()) {
            throw handshakeFailure(target, attempt, auth.getException());
        }
    }

    private TransportException handshakeFailure(SshTarget target, HostKeyVerifier.ConnectAttempt attempt,
                                                Throwable cause) {
        if (attempt.hostKeyProblem != null) {
            return attempt.hostKeyProblem;
        }
        String reason = cause == null ? "no reason given" : cause.getMessage();
        if (attempt.hostKeyAccepted) {
            return new TransportException(TransportException.Kind.AUTH_FAILED, target.id(),
                    "host " + target.id() + " (" + target.address() + "): authentication failed with "
                            + methods(target) + " (" + reason + "). Check that the matching public key is in"
                            + " ~" + target.user() + "/.ssh/authorized_keys on the host and that the user is right.",
                    cause);
        }
        return new TransportException(TransportException.Kind.UNREACHABLE, target.id(),
                "host " + target.id() + " (" + target.address() + "): the SSH handshake failed before the host key"
                        + " was checked (" + reason + "). Check that the port belongs to an SSH server.",
                cause);
    }

    /** Returns the authentication methods offered to the target, for messages. */
    private String methods(SshTarget target) {
        List<String> methods = new ArrayList<>();
        if (!target.identities().isEmpty()) {
            methods.add("the keys in " + target.identities());
        }
        if (settings.agentSocket() != null && !target.identitiesOnly()) {
            methods.add("the ssh-agent's keys");
        }
        if (target.password() != null) {
            methods.add("the password from the roster");
        }
        return String.join(", ", methods);
    }

    /**
     * Returns {@code limit}, or the time left before {@code hostDeadline} when that is shorter.
     *
     * @throws TransportException {@code HOST_TIMEOUT} when the whole-host time limit has already run out
     */
    private Duration withinHostLimit(SshTarget target, Duration limit, Long hostDeadline, String action)
            throws TransportException {
        if (hostDeadline == null) {
            return limit;
        }
        long left = hostDeadline - System.nanoTime();
        if (left <= 0) {
            throw hostTimedOut(target, settings, action);
        }
        return left < limit.toNanos() ? Duration.ofNanos(left) : limit;
    }

    /** Returns the {@code HOST_TIMEOUT} failure: the whole-host limit ({@code --timeout}) ran out during {@code action}. */
    static TransportException hostTimedOut(SshTarget target, SshSettings settings, String action) {
        return new TransportException(TransportException.Kind.HOST_TIMEOUT, target.id(),
                "host " + target.id() + " (" + target.address() + "): the whole-host time limit (--timeout "
                        + seconds(settings.hostTimeout()) + " s) ran out while " + action
                        + ". Raise --timeout if the host needs longer.");
    }

    /** Returns the {@code UNREACHABLE} failure of a connect to {@code address}, the host name or IP address dialed. */
    static TransportException unreachable(SshTarget target, String address, Throwable failure) {
        if (unresolved(failure)) {
            return new TransportException(TransportException.Kind.UNREACHABLE, target.id(),
                    "host " + target.id() + " (" + target.address() + "): host name '" + address
                            + "' could not be resolved. Check the host field of roster entry '" + target.id()
                            + "' (or HostName in the ssh config) for a typo, and that DNS or /etc/hosts"
                            + " resolves the name.",
                    failure);
        }
        return new TransportException(TransportException.Kind.UNREACHABLE, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + reason(failure)
                        + ". Check the host name and port in the roster entry and that sshd runs on the host.",
                failure);
    }

    /**
     * Returns whether the connect failed because the host name did not resolve. A name that does
     * not resolve reaches the NIO connect as an unresolved address, and NIO then throws
     * {@link UnresolvedAddressException}, which has no message.
     */
    private static boolean unresolved(Throwable failure) {
        Throwable cause = rootCause(failure);
        return cause instanceof UnknownHostException || cause instanceof UnresolvedAddressException;
    }

    private static String reason(Throwable failure) {
        Throwable cause = rootCause(failure);
        if (unresolved(failure)) {
            return "host name could not be resolved";
        } else if (cause instanceof ConnectException) {
            return "connection refused";
        } else if (cause instanceof NoRouteToHostException) {
            return "no route to host";
        }
        return cause == null ? "connect failed" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Returns the innermost cause, because MINA wraps connect failures in ExecutionException and SshException. */
    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        for (int depth = 0; cause != null && cause.getCause() != null && depth < 10; depth++) {
            cause = cause.getCause();
        }
        return cause;
    }

    static TransportException interrupted(SshTarget target, String action, Throwable cause) {
        Thread.currentThread().interrupt();
        return new TransportException(TransportException.Kind.INTERRUPTED, target.id(),
                "host " + target.id() + " (" + target.address() + "): interrupted while " + action, cause);
    }

    /** Returns the duration in whole seconds, rounded up, for messages. */
    static long seconds(Duration duration) {
        long whole = duration.toSeconds();
        return duration.minusSeconds(whole).isZero() ? whole : whole + 1;
    }

    /** Closes jump host forwards and sessions, the last one opened first. */
    static void closeTunnel(List<AutoCloseable> tunnel, SshTarget target) {
        for (int i = tunnel.size() - 1; i >= 0; i--) {
            try {
                AutoCloseable closeable = tunnel.get(i);
                if (closeable instanceof ClientSession session) {
                    closeQuietly(session, target);
                } else {
                    closeable.close();
                }
            } catch (Exception e) {
                LOG.debug("close({}) closing the jump host tunnel failed: {}", target.id(), e.toString());
            }
        }
    }

    private static void closeQuietly(ClientSession session, SshTarget target) {
        try {
            session.close(true).await(CLOSE_TIMEOUT);
        } catch (IOException e) {
            LOG.debug("connect({}) closing the failed session failed: {}", target.id(), e.toString());
        }
    }

    /** Closes every session that is still open and stops the client's threads. */
    @Override
    public void close() {
        try {
            if (!client.close(false).await(CLOSE_TIMEOUT)) {
                LOG.warn("close() SSH client did not close within {} s, closing it at once", CLOSE_TIMEOUT.toSeconds());
                client.close(true).await(CLOSE_TIMEOUT);
            }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            client.close(true);
        } catch (IOException e) {
            LOG.warn("close() SSH client failed to close: {}", e.toString());
        }
    }
}
