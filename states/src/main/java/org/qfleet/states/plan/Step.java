package org.qfleet.states.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * One property of the host: the probe that checks it and the commands that change it when the
 * probe does not hold.
 *
 * @param group where the change is reported, {@code changes[group][key]}, or null for
 *     {@code changes[key]}
 * @param key the name of the change within its group
 * @param vm the qube the step reads and changes, or null for dom0 or the whole host
 * @param probe the read-only check
 * @param expect when the probe holds
 * @param change the commands to run when it does not; empty for a pure check, which fails
 *     instead
 * @param creates the qube that the change creates, or null
 * @param report the value reported in {@code changes} when the change runs, or null for the
 *     shim's own {@code {"old": ..., "new": ...}}
 */
public record Step(
        String group,
        String key,
        String vm,
        Probe probe,
        Expect expect,
        List<List<String>> change,
        String creates,
        Object report) {

    public Step {
        List<List<String>> commands = new ArrayList<>();
        for (List<String> command : change) {
            commands.add(List.copyOf(command));
        }
        change = List.copyOf(commands);
    }

    /** Returns this step reported under {@code group}. */
    public Step inGroup(String group) {
        return new Step(group, key, vm, probe, expect, change, creates, report);
    }
}
