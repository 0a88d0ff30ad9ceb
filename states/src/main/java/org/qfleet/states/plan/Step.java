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
 * @param ignoreFailure whether a failure of this step leaves the chunk's result alone: the shim
 *     skips the rest of the step's group and goes on with the next group, as Qubes' qvm.vm does
 *     for an action marked {@code pass}
 * @param verify whether the shim probes again after the change commands; false for a change
 *     whose effect the probe cannot show, such as restarting a running qube
 * @param action the change the shim makes itself, or null; a step with an action has no probe,
 *     expectation or change commands
 * @param createAlone the creating command without the properties of later steps, or null. It
 *     belongs to a step whose change creates its qube and also sets properties that later steps
 *     of the chunk check. The shim runs it when the combined command fails and leaves no qube.
 * @param setAtCreation whether the command that creates this step's qube earlier in the chunk
 *     sets this step's property; when that command ran in this run and the probe then holds,
 *     the shim reports the change from the default value as made
 */
public record Step(
        String group,
        String key,
        String vm,
        Probe probe,
        Expect expect,
        List<List<String>> change,
        String creates,
        Object report,
        boolean ignoreFailure,
        boolean verify,
        ShimAction action,
        List<String> createAlone,
        boolean setAtCreation) {

    public Step {
        List<List<String>> commands = new ArrayList<>();
        for (List<String> command : change) {
            commands.add(List.copyOf(command));
        }
        change = List.copyOf(commands);
        createAlone = createAlone == null ? null : List.copyOf(createAlone);
    }

    /** Creates a step that sets no property at the creation of its qube. */
    public Step(String group, String key, String vm, Probe probe, Expect expect,
            List<List<String>> change, String creates, Object report, boolean ignoreFailure,
            boolean verify, ShimAction action) {
        this(group, key, vm, probe, expect, change, creates, report, ignoreFailure, verify, action,
                null, false);
    }

    /** Creates a step whose failure fails its chunk and whose change is probed again. */
    public Step(String group, String key, String vm, Probe probe, Expect expect,
            List<List<String>> change, String creates, Object report) {
        this(group, key, vm, probe, expect, change, creates, report, false, true, null);
    }

    /** Creates a step with the given failure handling and re-probe, and no shim action. */
    public Step(String group, String key, String vm, Probe probe, Expect expect,
            List<List<String>> change, String creates, Object report, boolean ignoreFailure,
            boolean verify) {
        this(group, key, vm, probe, expect, change, creates, report, ignoreFailure, verify, null);
    }

    /** Creates a step about dom0 that the shim performs itself, reported under {@code group}. */
    public static Step performed(String group, String key, ShimAction action) {
        return new Step(group, key, null, null, null, List.of(), null, null, false, true, action);
    }

    /** Returns this step reported under {@code group}. */
    public Step inGroup(String group) {
        return new Step(group, key, vm, probe, expect, change, creates, report, ignoreFailure,
                verify, action, createAlone, setAtCreation);
    }

    /** Returns this step with a failure that leaves the chunk's result alone. */
    public Step ignoringFailure() {
        return new Step(group, key, vm, probe, expect, change, creates, report, true, verify,
                action, createAlone, setAtCreation);
    }

    /** Returns this step without the probe after its change. */
    public Step unverified() {
        return new Step(group, key, vm, probe, expect, change, creates, report, ignoreFailure,
                false, action, createAlone, setAtCreation);
    }

    /**
     * Returns this creating step with {@code properties} added to its command, each as
     * {@code --property NAME=VALUE}, and the command without them kept as {@link #createAlone}.
     */
    public Step creatingWith(List<String> properties) {
        List<String> command = new ArrayList<>(change.get(0));
        for (String property : properties) {
            command.add("--property");
            command.add(property);
        }
        return new Step(group, key, vm, probe, expect, List.of(command), creates, report,
                ignoreFailure, verify, action, createAlone == null ? change.get(0) : createAlone,
                setAtCreation);
    }

    /** Returns this step marked as one whose property the creation of its qube sets. */
    public Step asSetAtCreation() {
        return new Step(group, key, vm, probe, expect, change, creates, report, ignoreFailure,
                verify, action, createAlone, true);
    }
}
