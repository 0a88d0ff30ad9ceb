package org.qfleet.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
public final class SshSession implements HostSession {

    private static final Logger LOG = LoggerFactory.getLogger(SshSession.class);
    private static final int MAX_STDERR_BYTES = 1024 * 1024;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final ClientSession session;
    private final SshTarget target;
    private final SshSettings settings;
    /** The {@link System#nanoTime()} when the host's whole time limit runs out, or null when there is none. */
    private final Long hostDeadline;
    /** The jump host sessions and port forwards that carry this connection, closed after it, last one first. */
    private final List<AutoCloseable> tunnel;
    private final SudoWrapper sudo;

    /**
     * Creates a session that runs its commands as local processes instead of over SSH ({@code --local}), with the
     * same limits, sudo handling and results.
     */
    static SshSession local(SshTarget target, SshSettings settings, Long hostDeadline) {
        return new SshSession(null, target, settings, hostDeadline, List.of());
    }

    /** {@code session} is null for a local session. */
    SshSession(ClientSession session, SshTarget target, SshSettings settings, Long hostDeadline,
               List<AutoCloseable> tunnel) {
        this.session = session;
        this.target = target;
        this.settings = settings;
        this.hostDeadline = hostDeadline;
        this.tunnel = List.copyOf(tunnel);
        this.sudo = target.sudo() == null ? null : new SudoWrapper(this, target);
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
    @Override
    public ExecResult exec(String command, byte[] stdin, Consumer<String> stdoutLines, Duration timeout)
            throws TransportException {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(stdoutLines, "stdoutLines");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("exec timeout must be positive, got " + timeout);
        }
        if (sudo == null) {
            return checkFound(command, execRaw(command, stdin, stdoutLines, timeout));
        }
        SudoWrapper.Wrapped wrapped = sudo.wrap(command, stdin, timeout);
        ExecResult result = execRaw(wrapped.command(), wrapped.stdin(), stdoutLines, timeout);
        sudo.checkResult(wrapped, result);
        return checkFound(command, result);
    }

    /**
     * Starts a command and returns at once, with its standard input open for requests, as {@link RunningCommand}
     * describes. Under sudo, the password line goes first, as {@link #exec} sends it. {@code timeout} bounds opening
     * the channel and each wait that follows a {@link RunningCommand#send}.
     *
     * @throws TransportException when the channel cannot be opened in time, or {@code INTERRUPTED}
     */
    public RunningCommand start(String command, Consumer<String> stdoutLines, Duration timeout)
            throws TransportException {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(stdoutLines, "stdoutLines");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("exec timeout must be positive, got " + timeout);
        }
        SudoWrapper.Wrapped wrapped = sudo == null ? null : sudo.wrap(command, null, timeout);
        Running running = new Running(command, wrapped, stdoutLines, timeout, null);
        try {
            running.open(wrapped == null ? command : wrapped.command());
            // Without a sudo password there is nothing to send first, and wrap() returns a null stdin.
            if (wrapped != null && wrapped.stdin() != null && wrapped.stdin().length > 0) {
                running.send(wrapped.stdin());
            }
        } catch (TransportException | RuntimeException e) {
            running.close();
            throw e;
        }
        return running;
    }

    /**
     * Runs a command as it is, with the host's whole time limit and the idle output limit applied. A failed write
     * to its standard input is ignored, because a command may end without reading its input. Its exit status then
     * reports the outcome.
     */
    ExecResult execRaw(String command, byte[] stdin, Consumer<String> stdoutLines, Duration timeout)
            throws TransportException {
        byte[] input = stdin == null ? new byte[0] : stdin;
        try (Running running = new Running(command, null, stdoutLines, timeout, input)) {
            running.open(command);
            return running.awaitEnd();
        }
    }

    /**
     * A started command of this session: an SSH exec channel, or a local process for {@code --local}. It serves either
     * {@link #execRaw}, which writes the whole standard input and closes it right after the open, or {@link #start},
     * which leaves standard input open for {@link #send}.
     */
    private final class Running implements RunningCommand {

        private final String command;
        private final SudoWrapper.Wrapped wrapped;
        private final Duration timeout;
        /** The whole standard input of an {@link #execRaw} command, or null for a {@link #start} command. */
        private final byte[] execInput;
        private final AtomicLong lastOutput = new AtomicLong(System.nanoTime());
        private final LineOutputStream stdout;
        private final BoundedOutputStream stderr = new BoundedOutputStream(MAX_STDERR_BYTES);
        private final CountDownLatch closed = new CountDownLatch(1);
        /** The latch that the current {@link #awaitReply} waits on; the command's end counts it down too. */
        private volatile CountDownLatch watched;
        private long deadline;
        /** The length of the current wait period: {@link #timeout}, or less when the host's time limit cuts it. */
        private Duration periodLimit;
        private boolean hostLimited;
        private ChannelExec channel;
        private LocalCommand local;
        private OutputStream stdin;

        Running(String command, SudoWrapper.Wrapped wrapped, Consumer<String> stdoutLines, Duration timeout,
                byte[] execInput) {
            this.command = command;
            this.wrapped = wrapped;
            this.timeout = timeout;
            this.execInput = execInput;
            this.stdout = new LineOutputStream(stdoutLines);
            restartClock();
        }

        /** Starts a new wait period: the request timeout from now, cut to the host's whole time limit. */
        private void restartClock() {
            long now = System.nanoTime();
            deadline = now + timeout.toNanos();
            hostLimited = false;
            if (hostDeadline != null && hostDeadline - deadline < 0) {
                deadline = hostDeadline;
                hostLimited = true;
            }
            periodLimit = Duration.ofNanos(deadline - now);
            lastOutput.set(now);
        }

        /** Opens the channel or starts the local process, then, for {@link #execRaw}, writes and closes stdin. */
        void open(String startCommand) throws TransportException {
            if (hostDeadline != null && hostDeadline - System.nanoTime() <= 0) {
                throw hostTimedOut("starting a command");
            }
            if (session == null) {
                startLocal(startCommand);
                return;
            }
            try {
                channel = session.createExecChannel(startCommand);
            } catch (IOException e) {
                throw channelClosed("failed to create an exec channel", e);
            }
            channel.setOut(new ActivityOutputStream(stdout, lastOutput));
            channel.setErr(new ActivityOutputStream(stderr, lastOutput));
            // Bounds each wait for the server to accept more stdin. An exec has one wait period for the whole call,
            // so its writes may wait only that long.
            // NOTE: a start command's writes may wait the full request timeout, even when the host's time limit
            // ends sooner.
            CoreModuleProperties.WAIT_FOR_SPACE_TIMEOUT.set(channel, execInput == null ? timeout : periodLimit);
            channel.addCloseFutureListener(future -> markEnded());
            SshSession.this.open(channel, timeout, deadline);
            stdin = channel.getInvertedIn();
            if (execInput != null) {
                writeExecInput();
            }
        }

        private void startLocal(String startCommand) throws TransportException {
            OutputStream out = new ActivityOutputStream(stdout, lastOutput);
            OutputStream err = new ActivityOutputStream(stderr, lastOutput);
            try {
                // A pipe write has no time limit, so for an exec a LocalCommand thread writes stdin. The wait for
                // the command's end then keeps its time limits even when the command never reads its input.
                local = execInput == null ? LocalCommand.startOpen(target.id(), startCommand, out, err)
                        : LocalCommand.start(target.id(), startCommand, execInput, out, err);
            } catch (IOException e) {
                throw new TransportException(TransportException.Kind.UNREACHABLE, target.id(), "host " + target.id()
                        + " (local): /bin/sh could not be started: " + e.getMessage(), e);
            }
            stdin = local.stdin();
            Thread ender = new Thread(() -> {
                try {
                    local.finished.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                markEnded();
            }, "qfleet-local-" + target.id() + "-end");
            ender.setDaemon(true);
            ender.start();
        }

        private void markEnded() {
            closed.countDown();
            CountDownLatch current = watched;
            if (current != null) {
                current.countDown();
            }
        }

        /**
         * Writes the whole exec input to the channel and closes it. Unlike {@link #send}, a failed write is not an
         * error unless the time limit has run out.
         */
        private void writeExecInput() throws TransportException {
            try {
                if (execInput.length > 0) {
                    stdin.write(execInput);
                }
                stdin.close();
            } catch (SocketTimeoutException e) {
                // MINA's wait for window space ran out: the time limit, not an interrupt.
                throw hostLimited ? hostTimedOut("writing stdin") : timedOut("writing stdin", periodLimit);
            } catch (InterruptedIOException e) {
                throw SshTransport.interrupted(target, "writing stdin", e);
            } catch (IOException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw timedOut("writing stdin", periodLimit);
                }
                LOG.debug("exec({}) writing stdin failed: {}", target.id(), e.toString());
            }
        }

        @Override
        public void send(byte[] data) throws TransportException {
            restartClock();
            try {
                stdin.write(data);
                stdin.flush();
            } catch (SocketTimeoutException e) {
                throw hostLimited ? hostTimedOut("writing stdin") : timedOut("writing stdin", periodLimit);
            } catch (InterruptedIOException e) {
                throw SshTransport.interrupted(target, "writing stdin", e);
            } catch (IOException e) {
                throw channelClosed("writing to the command's standard input failed", e);
            }
        }

        @Override
        public boolean awaitReply(CountDownLatch reply) throws TransportException {
            watched = reply;
            if (closed.getCount() == 0) {
                reply.countDown();
            }
            try {
                awaitClose(reply, timeout, deadline, lastOutput, hostLimited);
            } finally {
                watched = null;
            }
            return closed.getCount() > 0;
        }

        @Override
        public ExecResult finish() throws TransportException {
            try {
                stdin.close();
            } catch (IOException e) {
                // The command may end without reading all of its input; its exit status reports the outcome.
                LOG.debug("exec({}) closing stdin failed: {}", target.id(), e.toString());
            }
            ExecResult result = awaitEnd();
            if (wrapped != null) {
                sudo.checkResult(wrapped, result);
            }
            return checkFound(command, result);
        }

        /** Waits for the command to end and returns its exit status and stderr, without {@link #finish}'s checks. */
        ExecResult awaitEnd() throws TransportException {
            awaitClose(closed, timeout, deadline, lastOutput, hostLimited);
            stdout.finish();
            if (stdout.consumerFailure() != null) {
                throw stdout.consumerFailure();
            }
            Integer exitStatus = local != null ? Integer.valueOf(local.exitStatus()) : channel.getExitStatus();
            if (local == null && exitStatus == null && !session.isOpen()) {
                throw channelClosed("the connection closed before the command ended", null);
            }
            if (exitStatus == null) {
                LOG.debug("exec({}) ended without exit status, signal={}", target.id(), channel.getExitSignal());
            }
            return new ExecResult(exitStatus, stderr.text());
        }

        @Override
        public void close() {
            if (local != null) {
                if (closed.getCount() > 0) {
                    local.kill();
                }
                return;
            }
            if (channel != null) {
                closeChannel(channel);
            }
        }
    }

    /**
     * Turns exit status 127 with the shell's "not found" message into {@code COMMAND_NOT_FOUND}, so that a host
     * without {@code python3} gets its own retcode and message.
     */
    private ExecResult checkFound(String command, ExecResult result) throws TransportException {
        if (result.exitStatus() == null || result.exitStatus() != 127) {
            return result;
        }
        String program = command.strip().split("\\s+")[0];
        String stderr = result.stderr();
        if (stderr.contains(program + ": not found") || stderr.contains(program + ": command not found")
                || stderr.contains(program + ": No such file or directory")) {
            throw new TransportException(TransportException.Kind.COMMAND_NOT_FOUND, target.id(),
                    "host " + target.id() + " (" + target.address() + "): " + program + " was not found on the host"
                            + " (exit status 127). Install " + program + " on the host, or check the PATH of "
                            + (target.sudo() == null ? "user " + target.user() : "sudo") + ".");
        }
        return result;
    }

    /**
     * Closes the channel gracefully, so that the server learns of it, waiting at most 5 s, then drops it. A channel
     * closed with {@code close(true)} alone stays open on the server.
     */
    private void closeChannel(ChannelExec channel) {
        if (channel.isClosed()) {
            return;
        }
        if (Thread.currentThread().isInterrupted()) {
            // Sends the close request at once and does not wait, so an interrupted run stops promptly.
            channel.close(false);
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

    private void awaitClose(CountDownLatch closed, Duration timeout, long deadline, AtomicLong lastOutput,
                            boolean hostLimited) throws TransportException {
        Duration idle = settings.idleTimeout();
        try {
            while (true) {
                long now = System.nanoTime();
                long wait = deadline - now;
                if (!idle.isZero()) {
                    wait = Math.min(wait, lastOutput.get() + idle.toNanos() - now);
                }
                if (closed.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                    return;
                }
                now = System.nanoTime();
                if (now - deadline >= 0) {
                    throw hostLimited ? hostTimedOut("running the command") : timedOut("running the command", timeout);
                }
                if (!idle.isZero() && now - lastOutput.get() >= idle.toNanos()) {
                    throw new TransportException(TransportException.Kind.IDLE_TIMEOUT, target.id(),
                            "host " + target.id() + " (" + target.address() + "): the command wrote no output for "
                                    + SshTransport.seconds(idle) + " s (the idle output limit) and its channel was"
                                    + " closed. Check what the command waits for on the host, or raise --idle-timeout.");
                }
            }
        } catch (InterruptedException e) {
            throw SshTransport.interrupted(target, "waiting for the command", e);
        }
    }

    private TransportException hostTimedOut(String action) {
        return SshTransport.hostTimedOut(target, settings, action);
    }

    private TransportException timedOut(String action, Duration limit) {
        return new TransportException(TransportException.Kind.EXEC_TIMEOUT, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + action + " timed out after "
                        + SshTransport.seconds(limit) + " s and its channel was closed. The command may still run on the host"
                        + " if it ignores its closed output; raise the timeout if it needs longer.");
    }

    /**
     * Returns the {@code CHANNEL_CLOSED} failure: {@code detail}, or why keep-alives closed the connection when they
     * did.
     */
    private TransportException channelClosed(String detail, Throwable cause) {
        TransportException keepAlive = keepAliveFailure(cause);
        if (keepAlive != null) {
            return keepAlive;
        }
        String reason = cause == null ? "" : " (" + cause.getMessage() + ")";
        return new TransportException(TransportException.Kind.CHANNEL_CLOSED, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + detail + reason
                        + ". Check the host's SSH server log; rerun to reconnect.",
                cause);
    }

    /**
     * Returns the failure of a connection that MINA closed because this host, or a jump host that carries the
     * connection, replied to none of its keep-alive requests. Returns null when the connection closed for another
     * reason.
     */
    private TransportException keepAliveFailure(Throwable cause) {
        String prefix = "host " + target.id() + " (" + target.address() + "): ";
        String off = "; set ServerAliveInterval=0 to turn keep-alives off.";
        KeepAlive.Failure failure = KeepAlive.failure(session);
        if (failure != null) {
            return new TransportException(TransportException.Kind.CHANNEL_CLOSED, target.id(), prefix + "the host "
                    + failure.describe() + ". If the host is only slow, raise ServerAliveInterval or"
                    + " ServerAliveCountMax (--ssh-option, the roster's ssh_options or the ssh config)" + off, cause);
        }
        for (AutoCloseable hop : tunnel) {
            failure = hop instanceof ClientSession hopSession ? KeepAlive.failure(hopSession) : null;
            if (failure != null) {
                // A jump host takes no roster options, so only --ssh-option and its Host block can set its values.
                return new TransportException(TransportException.Kind.CHANNEL_CLOSED, target.id(), prefix
                        + "jump host " + failure.target().address() + " " + failure.describe() + ". If the jump host"
                        + " is only slow, raise ServerAliveInterval or ServerAliveCountMax (--ssh-option or the jump"
                        + " host's Host block in the ssh config)" + off, cause);
            }
        }
        return null;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Returns the roster ID of the host. */
    @Override
    public String targetId() {
        return target.id();
    }

    /** Returns the resolved target that this session is connected to. */
    public SshTarget target() {
        return target;
    }

    /**
     * Closes the connection, waiting at most 5 s for a clean close before dropping it, then the jump host sessions
     * that carried it.
     */
    @Override
    public void close() {
        if (session == null) {
            return;
        }
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
        SshTransport.closeTunnel(tunnel, target);
    }
}
