package org.qfleet.cli;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns the first SIGINT (Ctrl-C) or SIGTERM (what {@code kill}, systemd and CI runners send to
 * stop a job) into a call of {@code onInterrupt}, which a fleet run uses to stop its hosts and
 * report those that finished. A second signal of either kind gets the JVM's own handling back
 * and ends the process at once (status 130 for SIGINT, 143 for SIGTERM).
 *
 * <p>It uses {@code sun.misc.Signal} from the {@code jdk.unsupported} module, which every
 * OpenJDK since 9 exports, because a shutdown hook runs too late to print and record results
 * while the run's threads still work. Where a signal cannot be handled (no such signal, a
 * JVM started with {@code -Xrs}), it logs that and leaves the JVM's handling in place.
 */
final class InterruptOnSignal implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InterruptOnSignal.class);
    private static final Signal INT = new Signal("INT");
    private static final Signal TERM = new Signal("TERM");

    /** The handlers that were in place before {@link #install}, by signal. */
    private final Map<Signal, SignalHandler> previous;

    private InterruptOnSignal(Map<Signal, SignalHandler> previous) {
        this.previous = previous;
    }

    /** Installs the handler until {@link #close()}. */
    static InterruptOnSignal install(Runnable onInterrupt) {
        Map<Signal, SignalHandler> previous = new ConcurrentHashMap<>();
        SignalHandler handler = signal -> {
            restore(previous);
            LOG.warn("interrupted by SIG{}: stopping every host and reporting those that finished", signal.getName());
            onInterrupt.run();
        };
        for (Signal signal : new Signal[] {INT, TERM}) {
            try {
                previous.put(signal, Signal.handle(signal, handler));
            } catch (IllegalArgumentException ex) {
                LOG.debug("SIG{} cannot be handled here, it ends the run at once: {}", signal.getName(),
                        ex.getMessage());
            }
        }
        return new InterruptOnSignal(previous);
    }

    private static void restore(Map<Signal, SignalHandler> previous) {
        for (Map.Entry<Signal, SignalHandler> entry : previous.entrySet()) {
            try {
                Signal.handle(entry.getKey(), entry.getValue());
            } catch (IllegalArgumentException ex) {
                LOG.debug("restoring the SIG{} handler failed: {}", entry.getKey().getName(), ex.getMessage());
            }
        }
    }

    @Override
    public void close() {
        restore(previous);
    }
}
