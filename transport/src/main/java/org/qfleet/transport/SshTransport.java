package org.qfleet.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.future.CancelOption;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens SSH connections to hosts. Each instance wraps one MINA {@link SshClient}, which is meant to be shared by every
 * connection of a run: its NIO threads serve all sessions, so many open connections cost sockets, not threads.
 *
 * <p>Only public-key authentication with the target's key files is used. {@code ~/.ssh/config}, the default
 * {@code ~/.ssh/id_*} keys and the SSH agent are ignored, so that a run depends on the roster and nothing else.
 */
public final class SshTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshTransport.class);
    private static final int KEEP_ALIVE_MAX_MISSED = 3;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final SshSettings settings;
    private final SshClient client;

    public SshTransport(SshSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new HostKeyVerifier(settings.knownHosts(), settings.acceptNewHostKeys()));
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        CoreModuleProperties.AUTH_TIMEOUT.set(client, settings.authTimeout());
        if (!settings.keepAlive().isZero()) {
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, settings.keepAlive());
            CoreModuleProperties.HEARTBEAT_REQUEST.set(client, "keepalive@openssh.com");
            CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, KEEP_ALIVE_MAX_MISSED);
            // The idle timeout must outlast the missed keep-alives, or MINA closes a quiet session first.
            Duration idle = settings.keepAlive().multipliedBy(KEEP_ALIVE_MAX_MISSED + 2L);
            if (idle.compareTo(CoreModuleProperties.IDLE_TIMEOUT.getRequired(client)) > 0) {
                CoreModuleProperties.IDLE_TIMEOUT.set(client, idle);
            }
        }
        client.start();
    }

    /**
     * Connects to the target, checks its host key against the known_hosts file and authenticates with the target's
     * key files.
     *
     * <p>The TCP connect waits at most {@link SshTarget#connectTimeout()}, then key exchange and authentication wait
     * at most {@link SshSettings#authTimeout()}.
     *
     * @throws TransportException of every kind but {@code EXEC_TIMEOUT} and {@code CHANNEL_CLOSED}
     */
    public SshSession connect(SshTarget target) throws TransportException {
        Objects.requireNonNull(target, "target");
        List<KeyPair> keys = Identities.load(target);
        HostKeyVerifier.ConnectAttempt attempt = new HostKeyVerifier.ConnectAttempt(target);
        LOG.debug("connect({}) host={} port={} user={} keys={}", target.id(), target.host(), target.port(),
                target.user(), target.identities());

        ClientSession session = openConnection(target, attempt);
        boolean authenticated = false;
        try {
            keys.forEach(session::addPublicKeyIdentity);
            authenticate(session, target, attempt);
            authenticated = true;
            LOG.debug("connect({}) authenticated", target.id());
            return new SshSession(session, target);
        } finally {
            if (!authenticated) {
                closeQuietly(session, target);
            }
        }
    }

    private ClientSession openConnection(SshTarget target, HostKeyVerifier.ConnectAttempt attempt)
            throws TransportException {
        ConnectFuture future;
        try {
            future = client.connect(target.user(), target.host(), target.port(),
                    AttributeRepository.ofKeyValuePair(HostKeyVerifier.ATTEMPT, attempt), null);
        } catch (IOException e) {
            throw unreachable(target, e);
        }
        try {
            if (!future.await(target.connectTimeout(), CancelOption.CANCEL_ON_TIMEOUT, CancelOption.CANCEL_ON_INTERRUPT)) {
                throw new TransportException(TransportException.Kind.CONNECT_TIMEOUT, target.id(),
                        "host " + target.id() + " (" + target.address() + "): TCP connect timed out after "
                                + seconds(target.connectTimeout()) + " s. Check that the host is up and that port "
                                + target.port() + " is reachable, or raise the timeout in the roster entry.");
            }
        } catch (InterruptedIOException e) {
            throw interrupted(target, "connecting", e);
        } catch (IOException e) {
            throw unreachable(target, e);
        }
        if (!future.isConnected()) {
            throw unreachable(target, future.getException());
        }
        return future.getSession();
    }

    private void authenticate(ClientSession session, SshTarget target, HostKeyVerifier.ConnectAttempt attempt)
            throws TransportException {
        AuthFuture auth;
        boolean done;
        try {
            auth = session.auth();
            done = auth.await(settings.authTimeout(), CancelOption.CANCEL_ON_TIMEOUT, CancelOption.CANCEL_ON_INTERRUPT);
        } catch (InterruptedIOException e) {
            throw interrupted(target, "authenticating", e);
        } catch (IOException e) {
            throw handshakeFailure(target, attempt, e);
        }
        if (attempt.hostKeyProblem != null) {
            throw attempt.hostKeyProblem;
        }
        if (!done) {
            throw new TransportException(TransportException.Kind.CONNECT_TIMEOUT, target.id(),
                    "host " + target.id() + " (" + target.address() + "): key exchange and authentication did not"
                            + " finish within " + seconds(settings.authTimeout()) + " s. Check that the server is an"
                            + " SSH server and not overloaded, or raise the auth timeout.");
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
                    "host " + target.id() + " (" + target.address() + "): authentication failed with the keys in "
                            + target.identities() + " (" + reason + "). Check that the matching public key is in"
                            + " ~" + target.user() + "/.ssh/authorized_keys on the host and that user is right.",
                    cause);
        }
        return new TransportException(TransportException.Kind.UNREACHABLE, target.id(),
                "host " + target.id() + " (" + target.address() + "): the SSH handshake failed before the host key"
                        + " was checked (" + reason + "). Check that the port belongs to an SSH server.",
                cause);
    }

    private static TransportException unreachable(SshTarget target, Throwable failure) {
        Throwable cause = rootCause(failure);
        String reason;
        if (cause instanceof UnknownHostException) {
            reason = "host name " + target.host() + " could not be resolved";
        } else if (cause instanceof ConnectException) {
            reason = "connection refused";
        } else if (cause instanceof NoRouteToHostException) {
            reason = "no route to host";
        } else {
            reason = cause == null ? "connect failed" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        }
        return new TransportException(TransportException.Kind.UNREACHABLE, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + reason
                        + ". Check the host name and port in the roster entry and that sshd runs on the host.",
                failure);
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
