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
        List<Step> steps) {

    public PlanChunk {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        requisites.forEach((kind, tags) -> copy.put(kind, List.copyOf(tags)));
        requisites = Collections.unmodifiableMap(copy);
        steps = List.copyOf(steps);
    }
}
