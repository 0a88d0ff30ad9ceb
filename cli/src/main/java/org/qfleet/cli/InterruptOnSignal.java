package org.qfleet.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns the first SIGINT (Ctrl-C) into a call of {@code onInterrupt}, which a fleet run uses
 * to stop its hosts and report those that finished. A second SIGINT gets the JVM's own
 * handling back and ends the process with status 130 at once.
 *
 * <p>It uses {@code sun.misc.Signal} from the {@code jdk.unsupported} module, which every
 * OpenJDK since 9 exports, because a shutdown hook runs too late to print and record results
 * while the run's threads still work. Where the signal cannot be handled (no such signal, a
 * JVM started with {@code -Xrs}), it logs that and leaves the JVM's handling in place.
 */
final class InterruptOnSignal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InterruptOnSignal.class);
    private static final Signal INT = new Signal("INT");

    private final SignalHandler previous;

    private InterruptOnSignal(SignalHandler previous) {
        this.previous = previous;
    }

    /** Installs the handler until {@link #close()}. */
    static InterruptOnSignal install(Runnable onInterrupt) {
        SignalHandler[] previous = new SignalHandler[1];
        try {
            previous[0] = Signal.handle(INT, signal -> {
                Signal.handle(INT, previous[0]);
                LOG.warn("interrupted: stopping every host and reporting those that finished");
                onInterrupt.run();
            });
        } catch (IllegalArgumentException ex) {
            LOG.debug("SIGINT cannot be handled here, Ctrl-C ends the run at once: {}", ex.getMessage());
        }
        return new InterruptOnSignal(previous[0]);
    }

    @Override
    public void close() {
        if (previous != null) {
            try {
                Signal.handle(INT, previous);
            } catch (IllegalArgumentException ex) {
                LOG.debug("restoring the SIGINT handler failed: {}", ex.getMessage());
            }
        }
    }
}
