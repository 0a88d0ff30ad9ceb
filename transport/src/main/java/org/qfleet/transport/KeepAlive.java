package org.qfleet.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.regex.Pattern;

import org.apache.sshd.client.session.ClientConnectionServiceFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.Service;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * Keep-alive requests ({@code keepalive@openssh.com}) of one SSH session, set from the target's
 * {@code ServerAliveInterval} and {@code ServerAliveCountMax}, and the record of a session that MINA closed because
 * the server replied to none of them.
 */
final class KeepAlive {

    /** The number of unanswered keep-alive requests after which the connection is closed, unless a target sets one. */
    static final int DEFAULT_COUNT_MAX = 3;
    private static final String REQUEST = "keepalive@openssh.com";
    /** The connection context's {@link Watch}, without which keep-alive failures are not recorded. */
    static final AttributeKey<Watch> WATCH = new AttributeKey<>();
    /**
     * The message of the {@link SshException} that MINA 2.16's {@code ClientConnectionService.sendHeartBeat} raises
     * when too many keep-alive requests are unanswered. MINA gives no other sign of this cause.
     */
    private static final Pattern NO_REPLY = Pattern.compile("Got \\d+ heartbeat requests without reply");

    /**
     * The keep-alive settings of a session that MINA closed because its server replied to none of the requests.
     *
     * @param target   the host of that session: the target itself or one of its jump hosts
     * @param interval the time between two requests
     * @param countMax the number of requests that went unanswered
     */
    record Failure(SshTarget target, Duration interval, int countMax) {

        /** Returns the end of a sentence that starts with the host, such as "replied to none of 3 ...". */
        String describe() {
            return "replied to none of " + countMax + " keep-alive requests sent " + SshTransport.seconds(interval)
                    + " s apart, so the connection was closed";
        }
    }

    /**
     * The keep-alive failure of one session, if one closed it. It is kept in the session's connection context
     * because MINA clears a session's own attributes when the session closes.
     */
    static final class Watch {
        private volatile Failure failure;
    }

    private KeepAlive() {
    }

    /** Returns the target's {@code ServerAliveInterval}, or the transport's interval when the target sets none. */
    static Duration interval(SshTarget target, SshSettings settings) {
        return target.serverAliveInterval() != null ? target.serverAliveInterval() : settings.keepAlive();
    }

    /** Returns the target's {@code ServerAliveCountMax}, or 3 when the target sets none. */
    static int countMax(SshTarget target) {
        return target.serverAliveCountMax() != null ? target.serverAliveCountMax() : DEFAULT_COUNT_MAX;
    }

    /**
     * Returns the factory of MINA's {@code ssh-connection} service that first sets the keep-alive properties of the
     * session from the target that {@link HostKeyVerifier#ATTEMPT} names in its connection context.
     *
     * <p>The properties must be set here and not on the session that the connect returns: MINA 2.16's
     * {@code ClientSessionImpl} constructor already creates the {@code ClientConnectionService}, whose constructor
     * copies the heartbeat interval and count, so later changes to them are ignored. KeepAliveTest checks that each
     * target's values take effect.
     */
    static ClientConnectionServiceFactory connectionServiceFactory(SshSettings settings) {
        return new ClientConnectionServiceFactory() {
            @Override
            public Service create(Session session) throws IOException {
                HostKeyVerifier.ConnectAttempt attempt = session instanceof ClientSession client
                        && client.getConnectionContext() != null
                        ? client.getConnectionContext().getAttribute(HostKeyVerifier.ATTEMPT)
                        : null;
                if (attempt != null) {
                    apply(session, attempt.target, settings);
                }
                return super.create(session);
            }
        };
    }

    /**
     * Sets the session's keep-alive interval, count and idle timeout, and records in the connection context's
     * {@link Watch} when unanswered keep-alive requests close the session.
     */
    private static void apply(Session session, SshTarget target, SshSettings settings) {
        Duration interval = interval(target, settings);
        int countMax = countMax(target);
        if (interval.isZero()) {
            CoreModuleProperties.HEARTBEAT_INTERVAL.set(session, Duration.ZERO);
            // Without keep-alives, OpenSSH keeps a silent connection open, so MINA's idle timeout (10 min by
            // default) is turned off too. qfleet's exec, idle output and host time limits still bound every wait.
            CoreModuleProperties.IDLE_TIMEOUT.set(session, Duration.ZERO);
            return;
        }
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(session, interval);
        CoreModuleProperties.HEARTBEAT_REQUEST.set(session, REQUEST);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(session, countMax);
        // A reply resets MINA's idle timer, but the requests themselves do not, so the idle timeout must outlast the
        // unanswered requests or it closes a quiet session first and hides the cause.
        Duration idle = timesSaturated(interval, countMax + 2L);
        if (idle.compareTo(CoreModuleProperties.IDLE_TIMEOUT.getRequired(session)) > 0) {
            CoreModuleProperties.IDLE_TIMEOUT.set(session, idle);
        }
        Watch watch = watch(session);
        if (watch == null) {
            return;
        }
        Failure failure = new Failure(target, interval, countMax);
        session.addSessionListener(new SessionListener() {
            @Override
            public void sessionException(Session closing, Throwable t) {
                if (t instanceof SshException && t.getMessage() != null && NO_REPLY.matcher(t.getMessage()).matches()) {
                    watch.failure = failure;
                }
            }
        });
    }

    /**
     * Returns the keep-alive failure that closed the session, or null when the session is open, closed for another
     * reason, or is null.
     */
    static Failure failure(Session session) {
        Watch watch = watch(session);
        return watch == null ? null : watch.failure;
    }

    private static Watch watch(Session session) {
        return session instanceof ClientSession client && client.getConnectionContext() != null
                ? client.getConnectionContext().getAttribute(WATCH)
                : null;
    }

    /** Returns {@code interval} times {@code factor}, or the longest duration in milliseconds when that overflows. */
    private static Duration timesSaturated(Duration interval, long factor) {
        try {
            return Duration.ofMillis(Math.multiplyExact(interval.toMillis(), factor));
        } catch (ArithmeticException e) {
            return Duration.ofMillis(Long.MAX_VALUE);
        }
    }
}
