package org.qfleet.transport;

import java.util.concurrent.CountDownLatch;

/**
 * A command started on a host whose standard input stays open, so that the caller can write a
 * request, wait for the command's reply, and write the next request to the same process.
 *
 * <p>Standard output reaches the line consumer given to {@link SshSession#start} as it arrives.
 * Each wait is bounded by the start's timeout, counted from the last {@link #send}, by the
 * host's whole time limit and by the idle output limit, counted from the later of the last
 * output and the last send. Close it in a try-with-resources block: that stops the command if
 * {@link #finish} was not reached.
 */
public interface RunningCommand extends AutoCloseable {

    /**
     * Writes bytes to the command's standard input and flushes them.
     *
     * @throws TransportException {@code CHANNEL_CLOSED} when the command or the connection has ended
     */
    void send(byte[] data) throws TransportException;

    /**
     * Waits until {@code reply} counts down to zero or the command ends, whichever comes first.
     *
     * @return true when {@code reply} reached zero while the command still ran, false when the
     *         command ended first; {@link #finish} then returns how it ended
     * @throws TransportException when a time limit runs out, or {@code INTERRUPTED}
     */
    boolean awaitReply(CountDownLatch reply) throws TransportException;

    /**
     * Closes standard input, waits for the command to end, and returns its exit status and
     * standard error, as {@link SshSession#exec} does.
     */
    ExecResult finish() throws TransportException;

    /** Stops the command, if it still runs, and releases its channel. */
    @Override
    void close();
}
