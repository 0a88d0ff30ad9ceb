package org.qfleet.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Bounded parallel work over hosts, where one host's failure never stops the others. */
public final class Fanout {

    private static final AtomicInteger POOL_NUMBER = new AtomicInteger();

    private Fanout() {
    }

    /**
     * Runs {@code work} on every item, at most {@code maxParallel} at a time, and returns the results in the order of
     * {@code items}.
     *
     * <p>{@code work} must not throw: it should catch its own failures (a {@link TransportException}, for example)
     * and turn them into a result for that item. If it throws anyway, the other items still run to the end, and then
     * this method rethrows the first item's exception with the later ones added as suppressed. A checked exception
     * is wrapped in an {@link IllegalStateException}.
     *
     * <p>If the calling thread is interrupted while waiting, the running items are interrupted, the items not yet
     * started are skipped, the interrupt flag is set again and a {@link CancellationException} is thrown.
     */
    public static <T, R> List<R> run(List<T> items, int maxParallel, Function<T, R> work) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(work, "work");
        if (maxParallel < 1) {
            throw new IllegalArgumentException("maxParallel must be at least 1, got " + maxParallel);
        }
        if (items.isEmpty()) {
            return List.of();
        }

        int threads = Math.min(maxParallel, items.size());
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads());
        try {
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T item : items) {
                futures.add(pool.submit(() -> work.apply(item)));
            }
            return collect(futures);
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            CancellationException cancelled = new CancellationException("interrupted while waiting for the hosts");
            cancelled.initCause(e);
            throw cancelled;
        } finally {
            pool.shutdown();
        }
    }

    private static <R> List<R> collect(List<Future<R>> futures) throws InterruptedException {
        List<R> results = new ArrayList<>(futures.size());
        RuntimeException firstFailure = null;
        for (Future<R> future : futures) {
            try {
                results.add(future.get());
            } catch (ExecutionException e) {
                RuntimeException failure = asUnchecked(e.getCause());
                if (firstFailure == null) {
                    firstFailure = failure;
                } else {
                    firstFailure.addSuppressed(failure);
                }
                results.add(null);
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return results;
    }

    private static RuntimeException asUnchecked(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("work failed for one item: " + cause, cause);
    }

    private static ThreadFactory daemonThreads() {
        int pool = POOL_NUMBER.incrementAndGet();
        AtomicInteger threadNumber = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "qfleet-fanout-" + pool + "-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
