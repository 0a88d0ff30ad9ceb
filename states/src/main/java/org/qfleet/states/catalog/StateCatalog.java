package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.qfleet.states.MessageValues;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Step;
import org.qfleet.states.spi.StateCall;

/**
 * Compiles low chunks of the known state functions into plan chunks. Arguments are checked on
 * the master: an unknown argument, property or action, an invalid value or an invalid qube
 * name is a {@link CompileException} naming the state, the field and the value.
 */
public final class StateCatalog {

    private interface StateFunction {
        List<Step> steps(Invocation call);
    }

    private final Map<String, StateFunction> functions = new LinkedHashMap<>();
    private final Map<String, String> okComments = new LinkedHashMap<>();
    private final FileSource files;
    /**
     * The "unknown state function" message per function name. Building it computes an edit
     * distance to every known function, which cost a fifth of the CPU time of rendering and
     * compiling a formula tree when it ran for every chunk.
     */
    private final Map<String, String> unknownMessages = new java.util.concurrent.ConcurrentHashMap<>();

    /** Creates a catalog without file roots, in which {@code source: salt://...} is an error. */
    public StateCatalog() {
        this(FileSource.NONE);
    }

    /** @param files the file roots and pillar of the host, for {@code file.managed} */
    public StateCatalog(FileSource files) {
        this.files = files;
        register("qvm.present", QvmStates::present, "Qube %s already exists; qvm.present settings such as"
                + " template and label apply only when it is created, so change them with qvm.prefs");
        register("qvm.exists", call -> QvmStates.check(call, true), "Qube %s exists");
        register("qvm.missing", call -> QvmStates.check(call, false), "Qube %s does not exist");
        register("qvm.prefs", QvmStates::prefs, "Preferences of qube %s are already set");
        register("qvm.features", QvmStates::features, "Features of qube %s are already set");
        register("qvm.tags", QvmStates::tags, "Tags of qube %s are already set");
        register("qvm.service", QvmStates::service, "Services of qube %s are already set");
        register("qvm.vm", QvmVm::steps, "Qube %s is in the desired state");
        register("qvm.running", QvmLifecycle::running, "Qube %s is running");
        register("qvm.halted", QvmLifecycle::halted, "Qube %s is halted");
        register("qvm.start", QvmLifecycle::start, "Qube %s is already running");
        register("qvm.shutdown", QvmLifecycle::shutdown, "Qube %s is already halted");
        register("qvm.kill", QvmLifecycle::kill, "Qube %s is already halted");
        register("qvm.pause", QvmLifecycle::pause, "Qube %s is already paused");
        register("qvm.unpause", QvmLifecycle::unpause, "Qube %s is not paused");
        register("qvm.absent", QvmLifecycle::absent, "Qube %s does not exist");
        register("qvm.clone", QvmLifecycle::clone, "Qube %s already exists; it is not cloned again");
        register("qvm.firewall", QvmFirewall::steps, "Firewall rules of qube %s are already set");
        register("qvm.devices", QvmDevices::steps, "PCI devices of qube %s are already set");
        register("qvm.run", QvmLifecycle::run, "Command ran in qube %s");
        register("qvm.template_installed", QvmStates::templateInstalled,
                "Template %s is already installed");
    }

    private void register(String function, StateFunction steps, String okComment) {
        functions.put(function, steps);
        okComments.put(function, okComment);
    }

    /** Returns the state functions the catalog compiles, such as {@code qvm.present}. */
    public Set<String> functions() {
        Set<String> names = builtInFunctions();
        names.addAll(custom().functions.keySet());
        return names;
    }

    private Set<String> builtInFunctions() {
        Set<String> names = new TreeSet<>(functions.keySet());
        names.addAll(TestStates.functions());
        names.addAll(Dom0States.functions());
        return names;
    }

    /** Returns the functions that providers on the class path add. */
    private CustomFunctions custom() {
        return CustomFunctions.get(builtInFunctions());
    }

    /**
     * Returns the documentation of a state function, read from its file
     * {@code org/qfleet/states/catalog/doc/<function>.yaml}, or empty when there is none.
     *
     * @throws IllegalStateException when the file is malformed
     */
    public Optional<StateDoc> doc(String function) {
        return StateDoc.load(function);
    }

    /**
     * Compiles every low chunk, in the given order, and reports the problems of all of them in
     * one exception.
     */
    public List<PlanChunk> compile(List<LowChunk> chunks) throws CompileException {
        if (!custom().problems.isEmpty()) {
            throw new CompileException(custom().problems);
        }
        List<PlanChunk> compiled = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (LowChunk chunk : chunks) {
            try {
                compiled.add(compile(chunk));
            } catch (CompileException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new CompileException(errors);
        }
        return compiled;
    }

    /** Compiles one low chunk into its plan chunk, with the chunk's tag, requisites and steps. */
    public PlanChunk compile(LowChunk chunk) throws CompileException {
        String function = chunk.state() + "." + chunk.fun();
        String location = Invocation.location(chunk);
        String unknown = chunk.lines().prefix() + "Unknown state function " + MessageValues.quote(function)
                + " in state with " + location + "."
                + unknownMessages.computeIfAbsent(function,
                        name -> Suggestions.didYouMean(name, functions()) + " Known functions: "
                                + String.join(", ", functions()));
        boolean failhard = Boolean.TRUE.equals(chunk.args().get("failhard"));
        if (chunk.state().equals(TestStates.MODULE)) {
            return TestStates.compile(withoutFailhard(chunk), failhard, unknown);
        }
        if (Dom0States.MODULES.contains(chunk.state())) {
            return Dom0States.compile(withoutFailhard(chunk), failhard, unknown, files);
        }
        if (chunk.state().equals(QvmWatch.MODULE) && chunk.fun().equals("mod_watch")) {
            return QvmWatch.listener(chunk, failhard);
        }
        StateFunction stateFunction = functions.get(function);
        if (stateFunction == null) {
            org.qfleet.states.spi.StateFunction customFunction = custom().functions.get(function);
            if (customFunction == null) {
                throw new CompileException(unknown);
            }
            return compileCustom(chunk, customFunction, location, failhard);
        }
        List<String> errors = new ArrayList<>();
        Invocation call = new Invocation(function, chunk.name(), null, location, chunk.lines(), errors);
        if (call.checkQubeName("name", chunk.name())) {
            withoutFailhard(chunk).args().forEach(call::addKwarg);
        }
        List<Step> steps = call.failed() ? List.of() : stateFunction.steps(call);
        if (!errors.isEmpty()) {
            throw new CompileException(errors);
        }
        return new PlanChunk(chunk.tag(), chunk.id(), chunk.sls(), chunk.state(), chunk.fun(),
                chunk.name(), chunk.order(), chunk.requisites(),
                String.format(okComments.get(function), chunk.name()), steps, null, null,
                QvmWatch.dom0Outcome(chunk.name()), failhard, QvmWatch.modWatch(chunk.name()));
    }

    /** Compiles a chunk of a function that a provider on the class path adds. */
    private static PlanChunk compileCustom(LowChunk chunk, org.qfleet.states.spi.StateFunction function,
            String location, boolean failhard) throws CompileException {
        String name = chunk.state() + "." + chunk.fun();
        StateCall call = new StateCall(name, chunk.name(), withoutFailhard(chunk).args(), location);
        List<Step> steps;
        try {
            steps = function.steps(call);
        } catch (RuntimeException e) {
            throw new CompileException(name + ": the function's provider failed with " + e + " (" + location
                    + "); report it to the provider's authors");
        }
        if (!call.errors().isEmpty()) {
            throw new CompileException(call.errors());
        }
        return new PlanChunk(chunk.tag(), chunk.id(), chunk.sls(), chunk.state(), chunk.fun(),
                chunk.name(), chunk.order(), chunk.requisites(), function.upToDateComment(chunk.name()),
                steps, null, null, null, failhard);
    }

    /** Returns the chunk without Salt's {@code failhard} argument, which the plan carries apart. */
    private static LowChunk withoutFailhard(LowChunk chunk) {
        if (!chunk.args().containsKey("failhard")) {
            return chunk;
        }
        Map<String, Object> args = new LinkedHashMap<>(chunk.args());
        args.remove("failhard");
        return new LowChunk(chunk.state(), chunk.fun(), chunk.id(), chunk.name(), chunk.sls(),
                chunk.order(), args, chunk.requisites(), chunk.lines());
    }
}
