package org.qfleet.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.qfleet.states.StateException;
import org.qfleet.states.catalog.StateCatalog;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.render.FileRoots;
import org.qfleet.states.render.HostQueries;
import org.qfleet.states.render.RenderContext;
import org.qfleet.states.render.RenderException;
import org.qfleet.states.render.RenderingCache;
import org.qfleet.states.render.SaltRenderer;
import org.qfleet.states.render.StateTop;
import org.qfleet.states.render.TargetMatcher;

/**
 * Renders and compiles the project's formula trees for one host, as a fleet run does for each
 * host: {@code examples/whonix} through its {@code top.sls}, and every formula of
 * {@code formulas/} (a folder with an {@code init.sls}) when that folder exists. The work per
 * invocation is one host: render each selected SLS through Jinja and YAML, compile the high
 * data to low chunks, and compile those to plan chunks.
 *
 * <p>Run it from the repository root, because it finds the trees relative to the working
 * directory; docs/benchmarks.md has the command. The host is in memory and its shell prints
 * nothing, so the figures measure the master's work without SSH round trips.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RenderBenchmark {

    /** One formula tree and the SLS names that a highstate of the benchmark host applies from it. */
    private record Tree(FileRoots roots, List<String> slsNames) {}

    private final List<Tree> trees = new ArrayList<>();
    private StateCatalog catalog;
    private HostQueries host;
    private RenderContext context;
    private RenderingCache filledCache;

    @Setup
    public void setUp() throws StateException {
        Path root = repositoryRoot();
        host = new MemoryHost(Set.of("sys-net", "sys-firewall", "sys-usb", "sys-whonix", "anon-whonix",
                "whonix-gateway-17", "whonix-workstation-17", "fedora-41", "debian-12"));
        context = new RenderContext("dom0-bench", grains("dom0-bench"), new LinkedHashMap<>(), host, "base");
        catalog = new StateCatalog();

        FileRoots whonix = new FileRoots(List.of(root.resolve("examples/whonix")));
        Map<String, Object> top = new StateTop(whonix).render(context);
        List<String> whonixSls = StateTop.select(top, new TargetMatcher(TargetMatcher.FLEET_NODEGROUPS),
                context.minionId(), context.grains(), context.pillar()).values().stream()
                .flatMap(List::stream).distinct().toList();
        trees.add(new Tree(whonix, whonixSls));

        Path formulas = root.resolve("formulas");
        if (Files.isDirectory(formulas)) {
            trees.add(new Tree(new FileRoots(List.of(formulas)), formulaNames(formulas)));
        }
        // Fail now, not in the measurement, if a tree does not render or compile.
        renderAndCompile(null);
        filledCache = new RenderingCache();
        renderAndCompile(filledCache);
        System.out.println("trees: " + trees.stream().map(tree -> tree.roots() + " " + tree.slsNames()).toList());
    }

    /** Renders and compiles every tree for the host without sharing renderings. */
    @Benchmark
    public List<List<PlanChunk>> renderAndCompileOneHost() throws StateException {
        return renderAndCompile(null);
    }

    /**
     * Renders and compiles for a host after another host with equal inputs filled the
     * rendering cache, as for the second and later hosts of a fleet with equal facts.
     */
    @Benchmark
    public List<List<PlanChunk>> reuseRenderingForEqualHost() throws StateException {
        return renderAndCompile(filledCache);
    }

    /** Returns the plan of each tree for the host, rendering through the cache when one is given. */
    private List<List<PlanChunk>> renderAndCompile(RenderingCache cache) throws StateException {
        List<List<PlanChunk>> plans = new ArrayList<>();
        for (Tree tree : trees) {
            SaltRenderer renderer = new SaltRenderer(tree.roots(), cache);
            SlsSource source = new SlsSource() {
                @Override
                public Map<String, Object> render(String sls) throws StateException {
                    return renderer.renderSls(sls, context);
                }

                @Override
                public boolean exists(String sls) {
                    return renderer.slsExists(sls);
                }
            };
            List<LowChunk> low = new HighStateCompiler(source).compile(tree.slsNames());
            plans.add(catalog.compile(low));
        }
        return plans;
    }

    /** Returns the names of the formulas in a library folder: each subfolder with an {@code init.sls}. */
    private static List<String> formulaNames(Path formulas) {
        try (Stream<Path> entries = Files.list(formulas)) {
            return entries.filter(entry -> Files.isRegularFile(entry.resolve("init.sls")))
                    .map(entry -> entry.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns the nearest directory, from the working directory up, that contains {@code examples/whonix}. */
    private static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("examples/whonix"))) {
                return dir;
            }
        }
        throw new IllegalStateException("examples/whonix not found in " + start
                + " or a parent directory; run the benchmark from the qfleet repository root");
    }

    private static Map<String, Object> grains(String id) {
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("id", id);
        grains.put("os", "Qubes");
        grains.put("os_family", "RedHat");
        grains.put("osrelease", "4.2.4");
        grains.put("osmajorrelease", 4);
        grains.put("nodename", "dom0");
        grains.put("pci_net_devs", List.of("00:19.0", "03:00.0"));
        grains.put("pci_usb_devs", List.of("00:14.0"));
        return grains;
    }

    /** A host in memory: its qubes are a fixed set and its shell prints nothing. */
    private static final class MemoryHost implements HostQueries {
        private final Set<String> qubes;

        MemoryHost(Set<String> qubes) {
            this.qubes = qubes;
        }

        @Override
        public boolean qubeExists(String name) {
            return qubes.contains(name);
        }

        @Override
        public String shell(String command) throws RenderException {
            return "";
        }
    }
}
