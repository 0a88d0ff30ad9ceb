package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class FanoutTest {

    @Test
    void concurrencyStaysWithinBoundAndOrderIsKept() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<Integer> items = IntStream.range(0, 12).boxed().toList();

        List<Integer> results = Fanout.run(items, 3, item -> {
            int now = running.incrementAndGet();
            maxRunning.accumulateAndGet(now, Math::max);
            sleep(12 - item * 5L + 60);
            running.decrementAndGet();
            return item * 10;
        });

        assertEquals(items.stream().map(item -> item * 10).toList(), results);
        assertTrue(maxRunning.get() <= 3, "max concurrency was " + maxRunning.get());
        assertEquals(3, maxRunning.get());
    }

    @Test
    void oneFailureDoesNotStopTheOthers() {
        AtomicInteger finished = new AtomicInteger();
        IllegalStateException failure = new IllegalStateException("item 2 failed");

        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Fanout.run(List.of(0, 1, 2, 3, 4), 2, item -> {
                    if (item == 2) {
                        throw failure;
                    }
                    sleep(20);
                    return finished.incrementAndGet();
                }));

        assertSame(failure, thrown);
        assertEquals(4, finished.get());
    }

    @Test
    void emptyInputGivesEmptyResult() {
        assertEquals(List.of(), Fanout.run(List.<String>of(), 4, String::length));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
