package org.qfleet.states.render;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times the rendering of the project's formula trees: {@code examples/whonix} and the test
 * formulas. Not a test and not run by the build. Run it from the repository root after
 * {@code mvn -B -q -o -pl states test-compile}:
 *
 * <pre>
 * mvn -B -q -o -pl states dependency:build-classpath -Dmdep.outputFile=/tmp/states.cp
 * java -cp states/target/test-classes:states/target/classes:$(cat /tmp/states.cp) \
 *     org.qfleet.states.render.RenderTiming 2000
 * </pre>
 *
 * NOTE: this is a plain timing loop, not JMH, because JMH is not among the build's dependencies.
 * It warms up for as many rounds as it measures and prints the mean time per SLS rendering.
 */
public final class RenderTiming {

    private RenderTiming() {}

    private record Job(SaltRenderer renderer, String sls, RenderContext context) {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        LocalHost shell = Fixtures.host();
        OnceHost host = new OnceHost(shell);
        Map<String, Object> grains = Fixtures.grains("lab-07");
        Map<String, Object> pillar = new PillarCompiler(Fixtures.pillarRoots()).compile("lab-07", grains, host);
        RenderContext testContext = new RenderContext("lab-07", grains, pillar, host, "base");
        RenderContext exampleContext = new RenderContext("lab-07", grains, Map.of(), host, "base");
        SaltRenderer formulas = new SaltRenderer(Fixtures.formulaRoots());
        SaltRenderer whonix = new SaltRenderer(new FileRoots(List.of(Path.of("examples/whonix").toAbsolutePath())));
        List<Job> jobs = new ArrayList<>();
        for (String sls : List.of("qvm.sys-whonix", "qvm.anon-whonix", "qvm.template-whonix-gateway",
                "qvm.template-whonix-workstation")) {
            jobs.add(new Job(whonix, sls, exampleContext));
        }
        for (String sls : List.of("qvm.sys-net", "qvm.sys-usb", "qvm.sys-firewall", "qvm.sys-whonix",
                "qvm.disposable-preload", "probe.features", "probe.more")) {
            jobs.add(new Job(formulas, sls, testContext));
        }

        long coldStart = System.nanoTime();
        renderAll(jobs);
        double coldMillis = (System.nanoTime() - coldStart) / 1e6;
        for (int i = 0; i < rounds; i++) {
            renderAll(jobs);
        }
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            renderAll(jobs);
        }
        double perRender = (System.nanoTime() - start) / 1e3 / rounds / jobs.size();
        System.out.printf(Locale.ROOT, "SLS files: %d, rounds: %d%n", jobs.size(), rounds);
        System.out.printf(Locale.ROOT, "first rendering of all files: %.1f ms%n", coldMillis);
        System.out.printf(Locale.ROOT, "mean per SLS rendering after warm-up: %.1f us%n", perRender);
        System.out.printf(Locale.ROOT, "host commands run: %d (each distinct command once, as in a qfleet run)%n",
                shell.commands.size());
    }

    /** Runs each distinct shell command once, as the master does for one host in one run. */
    private static final class OnceHost implements HostQueries {
        private final HostQueries host;
        private final Map<String, String> results = new java.util.HashMap<>();

        OnceHost(HostQueries host) {
            this.host = host;
        }

        @Override
        public boolean qubeExists(String name) {
            return host.qubeExists(name);
        }

        @Override
        public String shell(String command) throws RenderException {
            String cached = results.get(command);
            if (cached == null) {
                cached = host.shell(command);
                results.put(command, cached);
            }
            return cached;
        }
    }

    private static void renderAll(List<Job> jobs) throws RenderException {
        for (Job job : jobs) {
            job.renderer().renderSls(job.sls(), job.context());
        }
    }
}
