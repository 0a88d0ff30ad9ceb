package org.qfleet.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.qfleet.roster.RosterEntry;
import org.qfleet.states.StateException;
import org.qfleet.states.catalog.FileSource;
import org.qfleet.states.catalog.StateCatalog;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.plan.ManagedQubes;
import org.qfleet.states.plan.Plan;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.render.FileRoots;
import org.qfleet.states.render.PillarCompiler;
import org.qfleet.states.render.RenderContext;
import org.qfleet.states.render.RenderException;
import org.qfleet.states.render.RenderingCache;
import org.qfleet.states.render.SaltRenderer;
import org.qfleet.states.render.StateTop;
import org.qfleet.states.render.TargetMatcher;
import org.qfleet.transport.SshSession;
import org.qfleet.transport.SshTarget;
import org.qfleet.transport.SshTransport;
import org.qfleet.transport.TransportException;

/**
 * Runs the whole pipeline for one host: connect, gather facts, render, compile, ship the plan
 * to the shim and collect its results. Every problem ends up in the host's report; nothing
 * thrown here reaches the other hosts.
 */
final class HostPipeline {

    private static final DateTimeFormatter JID_FORMAT = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSSSSS");

    private final SshTransport transport;
    private final SshOptions ssh;
    private final QfleetConfig config;
    private final FunctionCall call;
    private final String jid;
    /** Renderings shared by the hosts of this run whose values for the inputs a rendering read are equal. */
    private final RenderingCache renderings = new RenderingCache();
    /** Threads for renderings bounded by {@code --timeout}: daemons, so that an abandoned one cannot keep qfleet running. */
    private static final ExecutorService RENDER_THREADS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "qfleet-render");
        thread.setDaemon(true);
        return thread;
    });
    /** The values of the pillar keys that secret_pillar marks, by host ID, masked in that host's report. */
    private final Map<String, Set<String>> pillarSecrets = new ConcurrentHashMap<>();

    HostPipeline(SshTransport transport, QfleetConfig config, FunctionCall call, SshOptions ssh) {
        this.transport = transport;
        this.ssh = ssh;
        this.config = config;
        this.call = call;
        this.jid = LocalDateTime.now().format(JID_FORMAT);
    }

    HostReport run(RosterEntry entry) {
        long started = System.nanoTime();
        HostReport report = new HostReport(entry.id());
        try (SshSession session = transport.connect(target(entry));
                ShimClient shim = new ShimClient(session, config.runTimeout(), entry.manage())) {
            HostFacts facts = HostFacts.gather(shim, entry.id(), entry.grains());
            // The job cache keeps only the facts the host reported, because targeting adds the current
            // roster grains itself, and a grain removed from the roster must stop matching at once. A fact
            // that a roster grain of the same name overrode is left out too, until the grain is removed.
            Map<String, Object> gathered = new LinkedHashMap<>(facts.grains());
            gathered.keySet().removeAll(entry.grains().keySet());
            report.grains = gathered;
            Compiled compiled = withinHostLimit(entry, started, () -> compileForCall(entry, shim, facts));
            if (compiled == Compiled.NO_TOP_MATCH) {
                report.states.put(NO_STATES_TAG, noTopMatchResult(entry.id()));
                return report;
            }
            report.lowstate = compiled.lowstate();
            report.raw = compiled.raw();
            if (compiled.errors() != null) {
                report.compileErrors = compiled.errors();
            }
            if (compiled.chunks() == null) {
                return report;
            }
            List<PlanChunk> chunks = compiled.chunks();
            List<String> outside = new ManagedQubes(entry.manage()).violations(chunks);
            if (!outside.isEmpty()) {
                report.compileErrors = outside;
                return report;
            }
            Plan plan = new Plan(jid, entry.id(), call.testMode(), config.failhard(), chunks);
            plan = plan.withPrefetch(plan.listingProbes(facts::qubeExists))
                    .withAbsent(plan.createdQubes().stream().filter(qube -> !facts.qubeExists(qube)).toList());
            ShimClient.Reply reply = shim.sendRaw(StepTimeout.apply(plan.toJson(), ssh.stepTimeoutSeconds), line -> {
                if ("result".equals(line.get("type"))) {
                    synchronized (report) {
                        report.states.put(String.valueOf(line.get("tag")), stateResult(line));
                    }
                }
            });
            if (!reply.finished()) {
                report.fail(reply.describeFailure() + "\n" + report.states.size() + " of " + chunks.size()
                        + " states reported a result before it stopped.", HostReport.RETCODE_SHIM_FAILED);
            }
        } catch (TransportException ex) {
            report.fail(ex.getMessage(), ex.retcode());
        } catch (ShimClient.ShimFailure ex) {
            report.fail(ex.getMessage(), HostReport.RETCODE_SHIM_FAILED);
        } catch (UsageException ex) {
            report.fail(ex.getMessage(), HostReport.RETCODE_COMPILE_ERROR);
        } catch (OutOfMemoryError ex) {
            report.fail(outOfMemory("Working on this host"), HostReport.RETCODE_SHIM_FAILED);
        } catch (RuntimeException ex) {
            // A bug must not take the other hosts down with it: report it on this host only.
            report.fail("internal error in qfleet: " + ex, HostReport.RETCODE_SHIM_FAILED);
            if (Boolean.getBoolean("qfleet.debug")) {
                ex.printStackTrace();
            }
        } finally {
            report.elapsed = Duration.ofNanos(System.nanoTime() - started);
            report.redact(pillarSecrets.getOrDefault(entry.id(), Set.of()));
        }
        return report;
    }

    /**
     * The result of rendering and compiling for the call: the plan's chunks, the output of a
     * show function, or the errors. The fields that do not apply are null.
     */
    private record Compiled(List<PlanChunk> chunks, List<Map<String, Object>> lowstate, Map<String, Object> raw,
            List<String> errors) {

        /** The highstate of a host that the top file assigns no SLS: nothing runs and it fails. */
        static final Compiled NO_TOP_MATCH = new Compiled(null, null, null, null);

        static Compiled failed(List<String> errors) {
            return new Compiled(null, null, null, errors);
        }
    }

    /** The tag of the one failed state that Salt's highstate returns for a minion that no top file entry matches. */
    static final String NO_STATES_TAG = "no_|-states_|-states_|-None";

    private static Map<String, Object> noTopMatchResult(String minionId) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("result", false);
        result.put("comment", "No Top file or master_tops data matches found. The top file assigns no SLS to "
                + minionId + ": add a target that matches it, or leave it out of the run's target.");
        result.put("name", "No States");
        result.put("changes", new LinkedHashMap<>());
        result.put("__run_num__", 0);
        return result;
    }

    /** Renders and compiles for the called function, turning formula errors into a result. */
    private Compiled compileForCall(RosterEntry entry, ShimClient shim, HostFacts facts) {
        try {
            if (call.name().equals("state.show_lowstate")) {
                return new Compiled(null, compile(entry, shim, facts, true).stream()
                        .map(LowChunk::toSaltLowstate).toList(), null, null);
            }
            if (call.name().equals("state.show_top") || call.name().equals("state.show_sls")) {
                // NOTE: the nested output goes through the raw field, as HostReport has no field for it.
                return new Compiled(null, null, show(entry, shim, facts), null);
            }
            Rendering rendering = rendering(entry, shim, facts);
            List<String> slsNames = slsNames(rendering);
            if (slsNames.isEmpty() && call.slsNames().isEmpty()) {
                return Compiled.NO_TOP_MATCH;
            }
            List<PlanChunk> chunks = new StateCatalog(FileSource.of(rendering.roots(), rendering.context()))
                    .compile(compile(rendering, slsNames, false));
            return new Compiled(chunks, null, null, null);
        } catch (CompileException ex) {
            return Compiled.failed(ex.errors());
        } catch (StateException ex) {
            return Compiled.failed(List.of(ex.describe()));
        } catch (StackOverflowError ex) {
            // Jinjava and SnakeYAML recurse once per nesting level, so one formula nested a few
            // thousand levels deep would otherwise end the run of every host.
            return Compiled.failed(List.of("Rendering the formulas overflowed the stack: an expression, a"
                    + " template or a data structure in them is nested too deeply. Simplify it."));
        } catch (OutOfMemoryError ex) {
            // The rendering's data is unreachable once this returns, so the other hosts go on.
            return Compiled.failed(List.of(outOfMemory("Rendering the formulas")));
        }
    }

    /** Describes running out of heap for the report, with the JVM's limit and how to raise it. */
    private static String outOfMemory(String what) {
        long maxMegabytes = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        return what + " ran out of memory: qfleet's Java heap is limited to " + maxMegabytes + " MB. Look for a"
                + " formula that builds a very large value, or raise the limit, such as with"
                + " QFLEET_JAVA_OPTS=-Xmx2g.";
    }

    /**
     * Runs {@code work} within what is left of the host's whole time limit ({@code --timeout}).
     * Rendering cannot be stopped from outside, so a rendering that runs out of time is
     * abandoned on its daemon thread, which may keep a CPU busy until it ends or qfleet exits.
     */
    private Compiled withinHostLimit(RosterEntry entry, long started, Callable<Compiled> work)
            throws TransportException {
        if (ssh.hostTimeoutSeconds == null) {
            return call(work);
        }
        long left = started + TimeUnit.SECONDS.toNanos(ssh.hostTimeoutSeconds) - System.nanoTime();
        Future<Compiled> rendering = RENDER_THREADS.submit(work);
        try {
            return rendering.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException ex) {
            rendering.cancel(true);
            throw new TransportException(TransportException.Kind.HOST_TIMEOUT, entry.id(), "host " + entry.id()
                    + ": the whole-host time limit (--timeout " + ssh.hostTimeoutSeconds + " s) ran out while"
                    + " rendering and compiling the formulas on this machine. Simplify the formulas, or raise"
                    + " --timeout.");
        } catch (InterruptedException ex) {
            rendering.cancel(true);
            Thread.currentThread().interrupt();
            throw new TransportException(TransportException.Kind.INTERRUPTED, entry.id(), "host " + entry.id()
                    + ": interrupted while rendering the formulas", ex);
        } catch (ExecutionException ex) {
            if (ex.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (ex.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("rendering failed", ex.getCause());
        }
    }

    private static Compiled call(Callable<Compiled> work) {
        try {
            return work.call();
        } catch (RuntimeException ex) {
            throw ex;
        } catch (Exception ex) {
            throw new IllegalStateException("rendering failed", ex);
        }
    }

    /**
     * Renders and compiles the host's states: in execution order, or with {@code sorted} in
     * the order Salt's {@code state.show_lowstate} prints them.
     */
    private List<LowChunk> compile(RosterEntry entry, ShimClient shim, HostFacts facts, boolean sorted)
            throws StateException {
        Rendering rendering = rendering(entry, shim, facts);
        return compile(rendering, slsNames(rendering), sorted);
    }

    /** Returns the SLS names of the call, or for a highstate those that the state top selects for the host. */
    private List<String> slsNames(Rendering rendering) throws StateException {
        if (!call.slsNames().isEmpty()) {
            return call.slsNames();
        }
        return rendering.topSls().values().stream().flatMap(List::stream).distinct().toList();
    }

    private List<LowChunk> compile(Rendering rendering, List<String> slsNames, boolean sorted) throws StateException {
        HighStateCompiler compiler = call.slsNames().isEmpty()
                ? new HighStateCompiler(rendering.source(), new StateTop(rendering.roots())::lineNaming)
                : new HighStateCompiler(rendering.source());
        return sorted ? compiler.compileSorted(slsNames) : compiler.compile(slsNames);
    }

    /** Returns what {@code state.show_top} or {@code state.show_sls} prints for the host. */
    private Map<String, Object> show(RosterEntry entry, ShimClient shim, HostFacts facts) throws StateException {
        Rendering rendering = rendering(entry, shim, facts);
        if (call.name().equals("state.show_top")) {
            return new LinkedHashMap<>(rendering.topSls());
        }
        return new HighStateCompiler(rendering.source()).showSls(call.slsNames());
    }

    /**
     * Compiles the host's pillar and prepares its renderer. Without nodegroups in the
     * configuration, {@link TargetMatcher#FLEET_NODEGROUPS} apply: every roster host is a dom0,
     * so the Qubes tops that target the nodegroup {@code dom0} select every host.
     */
    private Rendering rendering(RosterEntry entry, ShimClient shim, HostFacts facts) throws StateException {
        HostQueriesOverShim queries = new HostQueriesOverShim(shim, facts);
        Map<String, Object> nodegroups = config.nodegroups().definitions().isEmpty()
                ? TargetMatcher.FLEET_NODEGROUPS
                : new LinkedHashMap<>(config.nodegroups().definitions());
        Map<String, Object> pillar = config.pillarRoots().isEmpty()
                ? new LinkedHashMap<>()
                : new PillarCompiler(new FileRoots(config.pillarRoots()), nodegroups, renderings)
                        .compile(entry.id(), facts.grains(), queries);
        pillarSecrets.put(entry.id(), config.secretPillar().valuesIn(pillar));
        RenderContext context = new RenderContext(entry.id(), facts.grains(), pillar, queries, "base");
        FileRoots roots = new FileRoots(config.fileRoots());
        SaltRenderer renderer = new SaltRenderer(roots, renderings);
        SlsSource source = new SlsSource() {
            @Override
            public Map<String, Object> render(String sls) throws StateException {
                return renderer.renderSls(sls, context);
            }

            @Override
            public boolean exists(String sls) {
                return renderer.slsExists(sls);
            }

            @Override
            public List<String> names() {
                return SlsNames.list(config.fileRoots());
            }

            @Override
            public List<Path> fileRoots() {
                return roots.roots();
            }
        };
        return new Rendering(entry.id(), facts.grains(), pillar, context, roots, new TargetMatcher(nodegroups), source,
                renderings);
    }

    /** One host's render inputs: its pillar and context, the file roots and its target matcher. */
    private record Rendering(String minionId, Map<String, Object> grains, Map<String, Object> pillar,
            RenderContext context, FileRoots roots, TargetMatcher matcher, SlsSource source,
            RenderingCache renderings) {

        /** Returns the SLS names per saltenv that the state top selects for the host. */
        Map<String, List<String>> topSls() throws StateException {
            StateTop top = new StateTop(roots, renderings);
            if (!top.exists()) {
                throw new RenderException("no top.sls and no enabled tops in _tops/<saltenv>/ in file roots " + roots
                        + "; name the SLS to apply, such as: state.apply qvm.sys-net");
            }
            return StateTop.select(top.render(context), matcher, minionId, grains, pillar);
        }
    }

    /** The state result as Salt returns it, without the shim's own fields. */
    private static Map<String, Object> stateResult(Map<String, Object> line) {
        Map<String, Object> state = new LinkedHashMap<>(line);
        state.remove("type");
        state.remove("tag");
        return state;
    }

    /** Returns the renderings this run's hosts share, and how often they were rendered and reused. */
    RenderingCache renderings() {
        return renderings;
    }

    /** Returns the entry's SSH target, resolved through the ssh config file before the run started. */
    SshTarget target(RosterEntry entry) {
        return ssh.target(entry);
    }
}
