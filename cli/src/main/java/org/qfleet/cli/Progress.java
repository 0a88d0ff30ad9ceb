package org.qfleet.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One status line on a terminal's standard error: hosts done out of total, failures so far and
 * the elapsed time, redrawn every second and after each host. A disabled instance prints nothing.
 */
final class Progress implements AutoCloseable {

    /** Returns carriage and erases the line, so the next text starts on a clean line. */
    private static final String CLEAR_LINE = "\r\033[K";

    private final PrintStream err;
    private final int total;
    private final boolean enabled;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private int done;
    private int failed;
    private boolean lineVisible;

    Progress(PrintStream err, int total, boolean enabled) {
        this.err = err;
        this.total = total;
        this.enabled = enabled;
        if (enabled) {
            ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "qfleet-progress");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
        } else {
            ticker = null;
        }
    }

    /** Whether progress should show: only when standard input and output are a terminal. */
    static boolean onTerminal() {
        return Colors.onTerminal();
    }

    /** Counts a finished host. */
    synchronized void hostDone(boolean hostFailed) {
        done++;
        if (hostFailed) {
            failed++;
        }
        redraw();
    }

    /** Erases the line, runs {@code print} (which writes a report), and draws the line again. */
    synchronized void around(Runnable print) {
        erase();
        print.run();
        redraw();
    }

    /** Returns the status text, such as {@code 3/10 hosts done, 1 failed, 12.4 s}. */
    synchronized String text() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        return String.format(Locale.ROOT, "%d/%d hosts done, %d failed, %.1f s", done, total, failed, seconds);
    }

    private synchronized void redraw() {
        if (!enabled) {
            return;
        }
        err.print(CLEAR_LINE + text());
        err.flush();
        lineVisible = true;
    }

    private synchronized void erase() {
        if (enabled && lineVisible) {
            err.print(CLEAR_LINE);
            err.flush();
            lineVisible = false;
        }
    }

    /** Stops redrawing and erases the line. */
    @Override
    public void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        erase();
    }
}
