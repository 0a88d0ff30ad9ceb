package org.qfleet.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.future.CancelOption;
import org.apache.sshd.core.CoreModuleProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated connection to a host, reused for several commands. Commands may run one after the other or at
 * the same time, each on its own channel.
 */
public final class SshSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SshSession.class);
    private static final int MAX_STDERR_BYTES = 1024 * 1024;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final ClientSession session;
    private final SshTarget target;

    SshSession(ClientSession session, SshTarget target) {
        this.session = session;
        this.target = target;
    }

    /**
     * Runs a command and waits for it to end.
     *
     * <p>The command is one string that the server's login shell runs. {@code stdin} is written to the command,
     * then its standard input is closed, so a command such as {@code cat} reads end of file. Standard output is split
     * into UTF-8 lines, without the line ends, and each line goes to {@code stdoutLines} as soon as it arrives.
     * That consumer runs on an SSH I/O thread, so it must return quickly. If it throws, the command still runs to its
     * end, later lines are dropped, and this method rethrows the exception.
     *
     * <p>{@code timeout} bounds the whole call: opening the channel (also bounded by the target's connect timeout),
     * writing stdin and waiting for the command to end. When it runs out, the channel is closed and an
     * {@code EXEC_TIMEOUT} exception is thrown.
     *
     * <p>NOTE: whether the remote command ends then depends on the server. MINA's server ends the process (a test
     * checks this). OpenSSH's sshd without a pty only closes the command's pipes, so a command that neither reads nor
     * writes keeps running. Commands that must not outlive the timeout need their own limit on the host, such as
     * {@code timeout 60 CMD}.
     *
     * @param stdin bytes for the command's standard input, or null for none
     * @throws TransportException {@code EXEC_TIMEOUT}, {@code CHANNEL_CLOSED} when the connection drops before the
     *                            command ends, or {@code INTERRUPTED}
     */
    public ExecResult exec(String command, byte[] stdin, Consumer<String> stdoutLines, Duration timeout)
            throws TransportException {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(stdoutLines, "stdoutLines");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("exec timeout must be positive, got " + timeout);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        LineOutputStream stdout = new LineOutputStream(stdoutLines);
        BoundedOutputStream stderr = new BoundedOutputStream(MAX_STDERR_BYTES);

        ChannelExec channel;
        try {
            channel = session.createExecChannel(command);
        } catch (IOException e) {
            throw channelClosed("failed to create an exec channel", e);
        }
        try {
            channel.setOut(stdout);
            channel.setErr(stderr);
            // Bounds each wait for the server to accept more stdin.
            CoreModuleProperties.WAIT_FOR_SPACE_TIMEOUT.set(channel, timeout);
            CountDownLatch closed = new CountDownLatch(1);
            channel.addCloseFutureListener(future -> closed.countDown());

            open(channel, timeout, deadline);
            writeStdin(channel, stdin, timeout, deadline);
            awaitClose(closed, timeout, deadline);

            stdout.finish();
            if (stdout.consumerFailure() != null) {
                throw stdout.consumerFailure();
            }
            Integer exitStatus = channel.getExitStatus();
            if (exitStatus == null && !session.isOpen()) {
                throw channelClosed("the connection closed before the command ended", null);
            }
            if (exitStatus == null) {
                LOG.debug("exec({}) ended without exit status, signal={}", target.id(), channel.getExitSignal());
            }
            return new ExecResult(exitStatus, stderr.text());
        } finally {
            closeChannel(channel);
        }
    }

    /**
     * Closes the channel gracefully, so that the server learns of it, waiting at most 5 s, then drops it. A channel
     * closed with {@code close(true)} alone stays open on the server.
     */
    private void closeChannel(ChannelExec channel) {
        if (channel.isClosed()) {
            return;
        }
        try {
            if (!channel.close(false).await(CLOSE_TIMEOUT)) {
                LOG.debug("exec({}) channel did not close within {} s, dropping it", target.id(),
                        CLOSE_TIMEOUT.toSeconds());
                channel.close(true);
            }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            channel.close(true);
        } catch (IOException e) {
            LOG.debug("exec({}) closing the channel failed: {}", target.id(), e.toString());
            channel.close(true);
        }
    }

    private void open(ChannelExec channel, Duration timeout, long deadline) throws TransportException {
        Duration limit = min(target.connectTimeout(), remaining(deadline));
        OpenFuture opened;
        try {
            opened = channel.open();
            if (!opened.await(limit, CancelOption.CANCEL_ON_TIMEOUT, CancelOption.CANCEL_ON_INTERRUPT)) {
                throw timedOut("opening the exec channel", limit);
            }
        } catch (InterruptedIOException e) {
            throw SshTransport.interrupted(target, "opening an exec channel", e);
        } catch (IOException e) {
            throw channelClosed("failed to open an exec channel", e);
        }
        if (!opened.isOpened()) {
            throw channelClosed("the server rejected the exec channel", opened.getException());
        }
    }

    private void writeStdin(ChannelExec channel, byte[] stdin, Duration timeout, long deadline)
            throws TransportException {
        OutputStream in = channel.getInvertedIn();
        try {
            if (stdin != null && stdin.length > 0) {
                in.write(stdin);
            }
            in.close();
        } catch (InterruptedIOException e) {
            throw SshTransport.interrupted(target, "writing stdin", e);
        } catch (IOException e) {
            if (System.nanoTime() - deadline >= 0) {
                throw timedOut("writing stdin", timeout);
            }
            // The command may end without reading its input; its exit status reports the outcome.
            LOG.debug("exec({}) writing stdin failed: {}", target.id(), e.toString());
        }
    }

    private void awaitClose(CountDownLatch closed, Duration timeout, long deadline) throws TransportException {
        try {
            if (!closed.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw timedOut("running the command", timeout);
            }
        } catch (InterruptedException e) {
            throw SshTransport.interrupted(target, "waiting for the command", e);
        }
    }

    private TransportException timedOut(String action, Duration limit) {
        return new TransportException(TransportException.Kind.EXEC_TIMEOUT, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + action + " timed out after "
                        + SshTransport.seconds(limit) + " s and its channel was closed. The command may still run on the host"
                        + " if it ignores its closed output; raise the timeout if it needs longer.");
    }

    private TransportException channelClosed(String detail, Throwable cause) {
        String reason = cause == null ? "" : " (" + cause.getMessage() + ")";
        return new TransportException(TransportException.Kind.CHANNEL_CLOSED, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + detail + reason
                        + ". Check the host's SSH server log; rerun to reconnect.",
                cause);
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Returns the roster ID of the host. */
    public String targetId() {
        return target.id();
    }

    /** Closes the connection, waiting at most 5 s for a clean close before dropping it. */
    @Override
    public void close() {
        try {
            if (!session.close(false).await(CLOSE_TIMEOUT)) {
                session.close(true);
            }
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            session.close(true);
        } catch (IOException e) {
            LOG.debug("close({}) failed: {}", target.id(), e.toString());
        }
    }
}
