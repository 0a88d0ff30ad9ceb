package org.qfleet.simulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SSH exec request run as {@code /bin/sh -c <command>} in a real process, with a fixed
 * environment and working directory, and stdin, stdout and stderr copied byte for byte.
 *
 * <p>The exit status is sent only after stdout and stderr are fully copied. When the channel
 * closes before the process ends, the process and its descendants are killed.
 */
final class ProcessCommand implements Command {

    private static final Logger LOG = LoggerFactory.getLogger(ProcessCommand.class);
    private static final int BUFFER_SIZE = 32 * 1024;

    private final String hostId;
    private final String command;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final ExecutorService pumps;
    private final long dropAfterBytes;
    private volatile ChannelSession channel;

    private InputStream channelIn;
    private OutputStream channelOut;
    private OutputStream channelErr;
    private ExitCallback exitCallback;
    private volatile Process process;

    ProcessCommand(String hostId, String command, Map<String, String> environment, Path workingDirectory,
            ExecutorService pumps) {
        this(hostId, command, environment, workingDirectory, pumps, -1);
    }

    /**
     * Creates a command that, when {@code dropAfterBytes} is 0 or more, closes the whole SSH
     * connection once that many bytes of stdout have been sent (the drop-after fault).
     */
    ProcessCommand(String hostId, String command, Map<String, String> environment, Path workingDirectory,
            ExecutorService pumps, long dropAfterBytes) {
        this.dropAfterBytes = dropAfterBytes;
        this.hostId = hostId;
        this.command = command;
        this.environment = environment;
        this.workingDirectory = workingDirectory;
        this.pumps = pumps;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.channelIn = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.channelOut = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.channelErr = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exitCallback = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) throws IOException {
        this.channel = channel;
        ProcessBuilder builder = new ProcessBuilder(List.of("/bin/sh", "-c", command))
                .directory(workingDirectory.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process started = builder.start();
        process = started;
        LOG.debug("exec({}) pid={} command={}", hostId, started.pid(), command);

        Future<?> stderr = pumps.submit(() -> copy(started.getErrorStream(), channelErr));
        pumps.submit(() -> feedStdin(started));
        pumps.submit(() -> {
            if (dropAfterBytes >= 0 && !copyThenDrop(started.getInputStream(), channelOut)) {
                return;
            }
            if (dropAfterBytes < 0) {
                copy(started.getInputStream(), channelOut);
            }
            finish(started, stderr);
        });
    }

    /** Waits for the process and the stderr copy, then sends the exit status. */
    private void finish(Process started, Future<?> stderr) {
        int exitCode;
        try {
            exitCode = started.waitFor();
            stderr.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.destroyForcibly();
            exitCallback.onExit(255, "interrupted while waiting for the command");
            return;
        } catch (ExecutionException e) {
            LOG.warn("exec({}) copying stderr failed: {}", hostId, e.getCause().toString());
            exitCode = started.exitValue();
        }
        LOG.debug("exec({}) pid={} exit={}", hostId, started.pid(), exitCode);
        exitCallback.onExit(exitCode);
    }

    /** Copies the channel's input to the process until either side ends. */
    private void feedStdin(Process started) {
        byte[] buffer = new byte[BUFFER_SIZE];
        try (OutputStream processIn = started.getOutputStream()) {
            int count;
            while ((count = channelIn.read(buffer)) >= 0) {
                processIn.write(buffer, 0, count);
                processIn.flush();
            }
        } catch (IOException e) {
            // The process closed its stdin or exited, or the channel closed: nothing more to feed.
            LOG.trace("exec({}) stdin ended: {}", hostId, e.toString());
        }
    }

    private void copy(InputStream from, OutputStream to) {
        byte[] buffer = new byte[BUFFER_SIZE];
        try (from) {
            int count;
            while ((count = from.read(buffer)) >= 0) {
                to.write(buffer, 0, count);
                to.flush();
            }
        } catch (IOException e) {
            // The channel went away while the process was still writing.
            LOG.debug("exec({}) output copy stopped: {}", hostId, e.toString());
            killProcess();
        }
    }

    /**
     * Copies stdout until {@code dropAfterBytes} bytes are sent, then closes the connection and
     * kills the process. Returns true when the output ended before the limit.
     */
    private boolean copyThenDrop(InputStream from, OutputStream to) {
        byte[] buffer = new byte[BUFFER_SIZE];
        long sent = 0;
        try (from) {
            int count;
            while ((count = from.read(buffer)) >= 0) {
                int allowed = (int) Math.min(count, dropAfterBytes - sent);
                to.write(buffer, 0, allowed);
                to.flush();
                sent += allowed;
                if (allowed < count) {
                    // The limit cut this read short, so the output goes on past it.
                    break;
                }
            }
            if (count < 0) {
                return true;
            }
        } catch (IOException e) {
            LOG.debug("exec({}) output copy stopped: {}", hostId, e.toString());
        }
        LOG.info("exec({}) dropping the connection after {} bytes of output (fault drop-after)", hostId, sent);
        killProcess();
        channel.getSession().close(true);
        return false;
    }

    @Override
    public void destroy(ChannelSession channel) {
        killProcess();
    }

    private void killProcess() {
        Process running = process;
        if (running != null && running.isAlive()) {
            LOG.debug("exec({}) killing pid={} because its channel closed", hostId, running.pid());
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
        }
    }
}
