package org.qfleet.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Different tools writing one host's state at the same time lose no change. */
class ConcurrentToolsTest {

    @TempDir
    Path dir;

    @Test
    void mixedWritersLoseNoChange() throws Exception {
        ToolRunner tools = ToolRunner.install(dir, "lab-01");
        assertEquals(0, tools.run("qvm-ls", "--raw-list").exitCode());
        int rounds = 6;
        List<Callable<ToolRunner.Result>> writers = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            String qube = "app-" + i;
            String tag = "tag-" + i;
            String rule = "dsthost=host" + i + ".example";
            writers.add(() -> tools.run("qvm-create", "-l", "red", qube));
            writers.add(() -> tools.run("qvm-tags", "work", "add", tag));
            writers.add(() -> tools.run("qvm-firewall", "work", "add", "action=drop", rule));
            writers.add(() -> tools.run("rpm", "-q", "xen"));
        }
        writers.add(() -> tools.run("qvm-start", "work"));
        writers.add(() -> tools.run("qvm-service", "personal", "-e", "cups"));

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ToolRunner.Result>> results = new ArrayList<>();
            for (Callable<ToolRunner.Result> writer : writers) {
                results.add(pool.submit(writer));
            }
            for (Future<ToolRunner.Result> result : results) {
                ToolRunner.Result done = result.get(120, TimeUnit.SECONDS);
                assertEquals(0, done.exitCode(), done.toString());
            }
        } finally {
            pool.shutdownNow();
        }

        String qubes = tools.run("qvm-ls", "--raw-list").stdout();
        String tags = tools.run("qvm-tags", "work").stdout();
        String rules = tools.run("qvm-firewall", "--raw", "work").stdout();
        for (int i = 0; i < rounds; i++) {
            assertTrue(qubes.contains("app-" + i + "\n"), "app-" + i + " lost:\n" + qubes);
            assertTrue(tags.contains("tag-" + i + "\n"), "tag-" + i + " lost:\n" + tags);
            assertTrue(rules.contains("dsthost=host" + i + ".example\n"), "rule " + i + " lost:\n" + rules);
        }
        assertEquals("work|Running\n", tools.run("qvm-ls", "--raw-data", "--fields", "name,state", "work").stdout());
        assertEquals("on\n", tools.run("qvm-service", "personal", "cups").stdout());
    }
}
