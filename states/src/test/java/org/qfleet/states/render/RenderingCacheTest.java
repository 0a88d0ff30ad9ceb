package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that hosts share a rendering exactly when their values for the inputs it read are
 * equal: grains and pillar keys, {@code opts}, and host calls with their answers.
 */
class RenderingCacheTest {

    private static final int HOSTS = 10;

    @TempDir
    Path root;

    private void write(String name, String text) throws Exception {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static Map<String, Object> grains(String id) {
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("id", id);
        grains.put("os", "Qubes");
        grains.put("osrelease", "4.2");
        return grains;
    }

    private static Map<String, Object> pillar() {
        Map<String, Object> pillar = new LinkedHashMap<>();
        pillar.put("qvm", new LinkedHashMap<>(Map.of("label", "red")));
        return pillar;
    }

    /** Returns a host whose {@code site-name} command prints the given word. */
    private LocalHost hostPrinting(String word) throws Exception {
        Path bin = Files.createDirectories(root.resolve("bin-" + word));
        Path tool = bin.resolve("site-name");
        Files.writeString(tool, "#!/bin/sh\necho " + word + "\n");
        tool.toFile().setExecutable(true);
        return new LocalHost(Set.of("sys-net"), bin);
    }

    private RenderContext context(String id, HostQueries host) {
        return new RenderContext(id, grains(id), pillar(), host, "base");
    }

    private List<Map<String, Object>> renderFleet(SaltRenderer renderer, String sls, List<RenderContext> hosts)
            throws RenderException {
        List<Map<String, Object>> results = new ArrayList<>();
        for (RenderContext host : hosts) {
            results.add(renderer.renderSls(sls, host));
        }
        return results;
    }

    private List<RenderContext> fleet(HostQueries host) {
        List<RenderContext> hosts = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            hosts.add(context("dom0-" + i, host));
        }
        return hosts;
    }

    private void assertSameAsAlone(String sls, List<RenderContext> hosts, List<Map<String, Object>> shared)
            throws RenderException {
        SaltRenderer alone = new SaltRenderer(new FileRoots(List.of(root)));
        for (int i = 0; i < hosts.size(); i++) {
            Map<String, Object> expected = alone.renderSls(sls, hosts.get(i));
            assertEquals(expected, shared.get(i), "host " + hosts.get(i).minionId());
            assertEquals(PythonRepr.repr(expected), PythonRepr.repr(shared.get(i)), "key order of " + hosts.get(i).minionId());
        }
    }

    @Test
    void equalFactsRenderOnce() throws Exception {
        write("net.sls", "{% set release = grains['osrelease'] %}\n"
                + "sys-net:\n  qvm.present:\n    - label: {{ salt['pillar.get']('qvm:label') }}\n"
                + "    - template: fedora-{{ release }}\n"
                + "    - exists: {{ salt['qvm.check']('sys-net', 'exists').passed() }}\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        List<RenderContext> hosts = fleet(hostPrinting("lab"));

        List<Map<String, Object>> results = renderFleet(renderer, "net", hosts);

        assertEquals(1, cache.renderings());
        assertEquals(HOSTS - 1, cache.reuses());
        assertSameAsAlone("net", hosts, results);
    }

    @Test
    void minionIdRendersPerHost() throws Exception {
        write("motd.sls", "motd:\n  file.managed:\n    - contents: 'host {{ grains['id'] }}'\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        List<RenderContext> hosts = fleet(hostPrinting("lab"));

        List<Map<String, Object>> results = renderFleet(renderer, "motd", hosts);

        assertEquals(HOSTS, cache.renderings());
        assertEquals(0, cache.reuses());
        assertSameAsAlone("motd", hosts, results);
    }

    @Test
    void optsIdRendersPerHost() throws Exception {
        write("motd.sls", "motd:\n  file.managed:\n    - contents: 'host {{ opts.id }}'\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        List<RenderContext> hosts = fleet(hostPrinting("lab"));

        assertSameAsAlone("motd", hosts, renderFleet(renderer, "motd", hosts));
        assertEquals(HOSTS, cache.renderings());
    }

    @Test
    void wholeGrainsReadRendersPerHost() throws Exception {
        write("dump.sls", "dump:\n  file.managed:\n    - contents: '{{ grains|tojson }}'\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        List<RenderContext> hosts = fleet(hostPrinting("lab"));

        assertSameAsAlone("dump", hosts, renderFleet(renderer, "dump", hosts));
        assertEquals(HOSTS, cache.renderings());
    }

    @Test
    void shellAnswersDecideSharing() throws Exception {
        write("site.sls", "{% set site = salt['cmd.shell']('site-name') %}\n"
                + "site:\n  file.managed:\n    - contents: {{ site }}\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        LocalHost east = hostPrinting("east");
        LocalHost west = hostPrinting("west");
        List<RenderContext> hosts = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            hosts.add(context("dom0-" + i, i % 2 == 0 ? east : west));
        }

        List<Map<String, Object>> results = renderFleet(renderer, "site", hosts);

        assertEquals(2, cache.renderings());
        assertEquals(HOSTS - 2, cache.reuses());
        assertEquals(HOSTS / 2, east.commands.size(), "each east host answers the command once");
        assertEquals(HOSTS / 2, west.commands.size(), "each west host answers the command once");
        assertSameAsAlone("site", hosts, results);
    }

    @Test
    void grainOrderIsAnInput() throws Exception {
        write("loop.sls", "loop:\n  file.managed:\n    - contents: '{% for key in grains %}{{ key }} {% endfor %}'\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        HostQueries host = hostPrinting("lab");
        Map<String, Object> reversed = new LinkedHashMap<>();
        reversed.put("osrelease", "4.2");
        reversed.put("os", "Qubes");
        reversed.put("id", "same");
        Map<String, Object> forward = new LinkedHashMap<>();
        forward.put("id", "same");
        forward.put("os", "Qubes");
        forward.put("osrelease", "4.2");
        List<RenderContext> hosts = List.of(
                new RenderContext("same", forward, pillar(), host, "base"),
                new RenderContext("same", reversed, pillar(), host, "base"));

        assertSameAsAlone("loop", hosts, renderFleet(renderer, "loop", hosts));
        assertEquals(2, cache.renderings());
    }

    @Test
    void pillarValueIsAnInput() throws Exception {
        write("net.sls", "net:\n  qvm.present:\n    - label: {{ pillar['qvm']['label'] }}\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        HostQueries host = hostPrinting("lab");
        Map<String, Object> blue = pillar();
        blue.put("qvm", new LinkedHashMap<>(Map.of("label", "blue")));
        List<RenderContext> hosts = List.of(context("a", host), new RenderContext("b", grains("b"), blue, host, "base"),
                context("c", host));

        assertSameAsAlone("net", hosts, renderFleet(renderer, "net", hosts));
        assertEquals(2, cache.renderings());
        assertEquals(1, cache.reuses());
    }

    @Test
    void templateChangesDoNotLeak() throws Exception {
        write("update.sls", "{% do pillar.update({'extra': grains['os']}) %}{% do pillar['qvm'].update({'x': 1}) %}\n"
                + "out:\n  test.nop:\n    - seen: {{ pillar['extra'] }}-{{ pillar['qvm']['x'] }}\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        List<RenderContext> hosts = fleet(hostPrinting("lab"));

        List<Map<String, Object>> results = renderFleet(renderer, "update", hosts);
        results.get(0).put("changed by the caller", true);

        assertEquals(1, cache.renderings());
        assertEquals(Map.of("x", 1), Map.of("x", 1));
        assertTrue(!renderer.renderSls("update", hosts.get(1)).containsKey("changed by the caller"));
        for (RenderContext host : hosts) {
            assertEquals(pillar(), host.pillar(), "the host's own pillar stays as it was");
        }
        assertSameAsAlone("update", hosts.subList(1, HOSTS), results.subList(1, HOSTS));
    }

    @Test
    void failedRenderingIsNotShared() throws Exception {
        write("bad.sls", "out: {{ grains['os'] ~ missing }}\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        List<RenderContext> hosts = fleet(hostPrinting("lab"));

        for (RenderContext host : hosts.subList(0, 3)) {
            RenderException error = assertThrows(RenderException.class, () -> renderer.renderSls("bad", host));
            assertTrue(error.getMessage().contains("missing"), error.getMessage());
        }
        assertEquals(3, cache.renderings());
        assertEquals(0, cache.reuses());
    }

    @Test
    void concurrentEqualHostsRenderOnce() throws Exception {
        write("net.sls", "net:\n  qvm.present:\n    - label: {{ pillar['qvm']['label'] }}-{{ grains['os'] }}\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        List<RenderContext> hosts = fleet(hostPrinting("lab"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Map<String, Object>>> futures = new ArrayList<>();
            for (RenderContext host : hosts) {
                futures.add(pool.submit(() -> renderer.renderSls("net", host)));
            }
            List<Map<String, Object>> results = new ArrayList<>();
            for (Future<Map<String, Object>> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            assertEquals(1, cache.renderings());
            assertSameAsAlone("net", hosts, results);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void topFileSharedLikeSls() throws Exception {
        write("top.sls", "base:\n  '*':\n    - net\n{% if grains['os'] == 'Qubes' %}    - qubes{% endif %}\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);
        List<RenderContext> hosts = fleet(hostPrinting("lab"));
        for (RenderContext host : hosts) {
            assertEquals(Map.of("base", Map.of("*", List.of("net", "qubes"))), renderer.renderFile("top.sls", host));
        }
        assertEquals(1, cache.renderings());
    }
}
