package org.qfleet.states.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chunk of a plan: a compiled low chunk with its steps.
 *
 * @param tag Salt's state tag, {@code <state>_|-<id>_|-<name>_|-<fun>}
 * @param order the chunk's order value before sorting, for display only: the shim runs the
 *     chunks in list order
 * @param requisites requisite kind to the tags of earlier chunks of the same plan
 * @param commentOk the comment when every step already holds
 * @param outcome the fixed result of a chunk without steps, or null for a chunk whose steps
 *     decide
 * @param testOutcome the fixed result in test mode, or null when {@code outcome} is used
 * @param modWatch the result of the state's {@code mod_watch} when a watched chunk changed and
 *     the chunk itself reported no changes, or null when the state has no {@code mod_watch}
 * @param failhard whether a failure of this chunk stops the run
 * @param modWatchSteps the steps the shim runs as the state's {@code mod_watch}, or null; a
 *     chunk has at most one of {@code modWatch} and {@code modWatchSteps}
 */
public record PlanChunk(
        String tag,
        String id,
        String sls,
        String state,
        String fun,
        String name,
        int order,
        Map<String, List<String>> requisites,
        String commentOk,
        List<Step> steps,
        Outcome outcome,
        Outcome testOutcome,
        Outcome modWatch,
        boolean failhard,
        WatchSteps modWatchSteps) {

    /** Creates a chunk whose steps decide its result, with no {@code mod_watch} and no failhard. */
    public PlanChunk(String tag, String id, String sls, String state, String fun, String name,
            int order, Map<String, List<String>> requisites, String commentOk, List<Step> steps) {
        this(tag, id, sls, state, fun, name, order, requisites, commentOk, steps, null, null, null,
                false, null);
    }

    /** Creates a chunk without {@code mod_watch} steps. */
    public PlanChunk(String tag, String id, String sls, String state, String fun, String name,
            int order, Map<String, List<String>> requisites, String commentOk, List<Step> steps,
            Outcome outcome, Outcome testOutcome, Outcome modWatch, boolean failhard) {
        this(tag, id, sls, state, fun, name, order, requisites, commentOk, steps, outcome,
                testOutcome, modWatch, failhard, null);
    }

    public PlanChunk {
        if (outcome == null && testOutcome != null) {
            throw new IllegalArgumentException("chunk " + tag + " has a test outcome but no outcome");
        }
        if (outcome != null && !steps.isEmpty()) {
            throw new IllegalArgumentException("chunk " + tag + " has both steps and a fixed outcome");
        }
        if (modWatch != null && modWatchSteps != null) {
            throw new IllegalArgumentException("chunk " + tag + " has both a mod_watch outcome and"
                    + " mod_watch steps");
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        requisites.forEach((kind, tags) -> copy.put(kind, List.copyOf(tags)));
        requisites = Collections.unmodifiableMap(copy);
        steps = List.copyOf(steps);
    }
}
