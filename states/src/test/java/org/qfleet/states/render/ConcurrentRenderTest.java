package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One renderer shared by threads that render for different minions, as the master does. */
class ConcurrentRenderTest {

    private static final int THREADS = 4;
    private static final int RENDERS = 40;
    private static final List<String> MINIONS = List.of("lab-01", "lab-42", "dom0", "lab-07");

    @Test
    void sharedRendererMatchesSequential() throws Exception {
        SaltRenderer renderer = new SaltRenderer(Fixtures.formulaRoots());
        List<String> expected = new ArrayList<>();
        for (String minion : MINIONS) {
            expected.add(render(renderer, minion));
        }

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<String>> results = new ArrayList<>();
        try {
            for (int i = 0; i < RENDERS; i++) {
                String minion = MINIONS.get(i % MINIONS.size());
                results.add(pool.submit(() -> render(renderer, minion)));
            }
            for (int i = 0; i < RENDERS; i++) {
                assertEquals(expected.get(i % MINIONS.size()), results.get(i).get(30, TimeUnit.SECONDS), "render " + i);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    private static String render(SaltRenderer renderer, String minion) throws RenderException {
        RenderContext context = Fixtures.context(minion, Fixtures.host());
        return PythonRepr.repr(renderer.renderSls("qvm.sys-whonix", context))
                + PythonRepr.repr(renderer.renderSls("probe.features", context));
    }
}
