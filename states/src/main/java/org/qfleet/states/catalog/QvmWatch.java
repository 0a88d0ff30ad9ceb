package org.qfleet.states.catalog;

import java.util.List;
import java.util.Map;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.Outcome;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Probe;
import org.qfleet.states.plan.Step;
import org.qfleet.states.plan.WatchSteps;

/**
 * The {@code mod_watch} of the qvm states: when a watched state changed and the qvm state itself
 * changed nothing, its qube is restarted if it is running, so that a new netvm, PCI device or
 * kernel takes effect. A halted or paused qube is left as it is, and dom0 is never restarted.
 */
final class QvmWatch {

    static final String MODULE = "qvm";

    private QvmWatch() {}

    /** Returns the {@code mod_watch} steps that restart a running qube, or null for dom0. */
    static WatchSteps modWatch(String qube) {
        List<Step> steps = restartSteps(qube);
        return steps == null ? null : new WatchSteps(steps, notRunningComment(qube));
    }

    /** Returns the steps that restart a running qube, or null for dom0. */
    static List<Step> restartSteps(String qube) {
        if (qube.equals("dom0")) {
            return null;
        }
        // The re-probe is left out because a restarted qube is running again, as before.
        Step restart = new Step(null, qube, qube,
                Probe.exit(List.of("qvm-check", "--quiet", "--running", qube)), Expect.exit(1),
                List.of(List.of("qvm-shutdown", "--wait", "--force", qube), List.of("qvm-start", qube)),
                null, "restarted").unverified();
        return List.of(restart);
    }

    /** Returns the fixed {@code mod_watch} outcome of a chunk on dom0, or null for a qube. */
    static Outcome dom0Outcome(String qube) {
        if (!qube.equals("dom0")) {
            return null;
        }
        return new Outcome(true, Map.of(), "dom0 is not restarted when a watched state changes", null);
    }

    /** Compiles the {@code listener_} chunk of a qvm state with {@code listen}: its restart. */
    static PlanChunk listener(LowChunk chunk, boolean failhard) throws CompileException {
        var problem = QubeNames.problem(chunk.name());
        if (problem.isPresent() && !chunk.name().equals("dom0")) {
            throw new CompileException("qvm.mod_watch state with ID '" + chunk.id() + "' in SLS '"
                    + chunk.sls() + "': invalid qube name in field 'name': '" + chunk.name() + "': "
                    + problem.get());
        }
        List<Step> steps = restartSteps(chunk.name());
        if (steps == null) {
            return new PlanChunk(chunk.tag(), chunk.id(), chunk.sls(), chunk.state(), chunk.fun(),
                    chunk.name(), chunk.order(), chunk.requisites(), null, List.of(),
                    dom0Outcome(chunk.name()), null, null, failhard);
        }
        return new PlanChunk(chunk.tag(), chunk.id(), chunk.sls(), chunk.state(), chunk.fun(),
                chunk.name(), chunk.order(), chunk.requisites(), notRunningComment(chunk.name()),
                steps, null, null, null, failhard);
    }

    private static String notRunningComment(String qube) {
        return "Qube " + qube + " is not running, so it was not restarted";
    }
}
