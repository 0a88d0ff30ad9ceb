package org.qfleet.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command run as a local {@code /bin/sh -c COMMAND} process, for {@code --local}: standard input is written and
 * closed, and standard output and error are copied to the given streams on their own threads.
 */
final class LocalCommand {

    private static final Logger LOG = LoggerFactory.getLogger(LocalCommand.class);

    private final Process process;
    /** Counts down when the process has ended and both output streams are drained. */
    final CountDownLatch finished = new CountDownLatch(3);

    private LocalCommand(Process process) {
        this.process = process;
    }

    static LocalCommand start(String id, String command, byte[] stdin, OutputStream stdout, OutputStream stderr)
            throws IOException {
        LocalCommand running = startOpen(id, command, stdout, stderr);
        Process process = running.process;
        running.thread(id + "-stdin", () -> {
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // The command may end without reading its input; its exit status reports the outcome.
                LOG.debug("exec({}) writing stdin failed: {}", id, e.toString());
            }
        }, false);
        return running;
    }

    /** Starts the command with its standard input left open for {@link #stdin()}. */
    static LocalCommand startOpen(String id, String command, OutputStream stdout, OutputStream stderr)
            throws IOException {
        Process process = new ProcessBuilder("/bin/sh", "-c", command).start();
        LocalCommand running = new LocalCommand(process);
        running.thread(id + "-stdout", () -> copy(process.getInputStream(), stdout), true);
        running.thread(id + "-stderr", () -> copy(process.getErrorStream(), stderr), true);
        running.thread(id + "-wait", () -> {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, true);
        return running;
    }

    private void thread(String name, Runnable body, boolean counted) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } finally {
                if (counted) {
                    finished.countDown();
                }
            }
        }, "qfleet-local-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void copy(InputStream from, OutputStream to) {
        byte[] buffer = new byte[8192];
        try (from) {
            int read;
            while ((read = from.read(buffer)) >= 0) {
                to.write(buffer, 0, read);
            }
        } catch (IOException e) {
            // The stream closes when the process is killed; what arrived so far is kept.
        }
    }

    /** Returns the process's standard input. */
    OutputStream stdin() {
        return process.getOutputStream();
    }

    /** Returns the exit status once {@link #finished} reached zero. */
    int exitStatus() {
        return process.exitValue();
    }

    /** Ends the process and every process it started. */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
