package org.qfleet.transport;

import java.time.Duration;
import java.util.function.Consumer;

/** An open way to run commands on one host: an SSH connection, or the local machine with {@code --local}. */
public interface HostSession extends AutoCloseable {

    /**
     * Runs a command and waits for it to end. {@link SshSession#exec} describes the contract; the local session
     * follows it too.
     *
     * @throws TransportException when the command cannot be started, times out or is interrupted
     */
    ExecResult exec(String command, byte[] stdin, Consumer<String> stdoutLines, Duration timeout)
            throws TransportException;

    /** Returns the roster ID of the host. */
    String targetId();

    /** Ends the session; commands still running are stopped. */
    @Override
    void close();
}
