package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.qfleet.states.MessageValues;
import org.qfleet.states.plan.Step;

/**
 * The {@code qvm.vm} meta state: one keyword per action, each a list of one-key mappings
 * (keyword arguments) and strings (flags), compiled to the actions' steps in Qubes' default
 * order or the order of {@code actions}. Each action's steps form the group {@code qvm.<action>}.
 * A failed step makes the shim skip every later action, except in an action that
 * {@code actions} marks {@code pass}, whose failure leaves the result alone.
 */
final class QvmVm {

    /** Every action of Qubes' qvm.vm, in its default order. */
    static final List<String> DEFAULT_ORDER = List.of("exists", "running", "missing", "halted",
            "absent", "present", "clone", "prefs", "devices", "service", "features", "firewall",
            "tags", "unpause", "pause", "shutdown", "kill", "start", "run");

    /** The steps of each action; every action of {@code DEFAULT_ORDER} has an entry. */
    private static final Map<String, Function<Invocation, List<Step>>> SUPPORTED = new LinkedHashMap<>();

    static {
        SUPPORTED.put("exists", call -> QvmStates.check(call, true));
        SUPPORTED.put("running", QvmLifecycle::running);
        SUPPORTED.put("missing", call -> QvmStates.check(call, false));
        SUPPORTED.put("halted", QvmLifecycle::halted);
        SUPPORTED.put("absent", QvmLifecycle::absent);
        SUPPORTED.put("present", QvmStates::present);
        SUPPORTED.put("clone", QvmLifecycle::clone);
        SUPPORTED.put("prefs", QvmStates::prefs);
        SUPPORTED.put("devices", QvmDevices::steps);
        SUPPORTED.put("service", QvmStates::service);
        SUPPORTED.put("features", QvmStates::features);
        SUPPORTED.put("firewall", QvmFirewall::steps);
        SUPPORTED.put("tags", QvmStates::tags);
        SUPPORTED.put("unpause", QvmLifecycle::unpause);
        SUPPORTED.put("pause", QvmLifecycle::pause);
        SUPPORTED.put("shutdown", QvmLifecycle::shutdown);
        SUPPORTED.put("kill", QvmLifecycle::kill);
        SUPPORTED.put("start", QvmLifecycle::start);
        SUPPORTED.put("run", QvmLifecycle::run);
    }

    private QvmVm() {}

    static List<Step> steps(Invocation call) {
        Set<String> passing = new LinkedHashSet<>();
        List<String> order = actionOrder(call, passing);
        List<Step> steps = new ArrayList<>();
        for (String action : order) {
            Invocation actionCall = actionInvocation(call, action);
            for (Step step : SUPPORTED.get(action).apply(actionCall)) {
                steps.add(passing.contains(action) ? step.ignoringFailure() : step);
            }
        }
        return propertiesAtCreation(steps);
    }

    /**
     * Passes the properties that the prefs action sets right after the present action to the
     * {@code qvm-create} of present, as {@code --property NAME=VALUE}, so that a new qube costs
     * one dom0 call for them instead of one for each. The prefs steps stay, marked as set at
     * creation: they read the new qube's table and report the values as changed from the
     * default, as they would after a plain {@code qvm-create}. Properties that the create
     * command sets itself (label, template and those of present's flags) and resets to the
     * default are left to their own steps.
     */
    private static List<Step> propertiesAtCreation(List<Step> steps) {
        int creating = -1;
        for (int i = 0; i < steps.size() && creating < 0; i++) {
            Step step = steps.get(i);
            if ("qvm.present".equals(step.group()) && step.creates() != null && step.change().size() == 1) {
                creating = i;
            }
        }
        if (creating < 0) {
            return steps;
        }
        Step create = steps.get(creating);
        Set<String> setByCreate = propertiesSetBy(create.change().get(0));
        List<String> properties = new ArrayList<>();
        List<Step> result = new ArrayList<>(steps);
        for (int i = creating + 1; i < steps.size() && "qvm.prefs".equals(steps.get(i).group()); i++) {
            Step step = steps.get(i);
            if (step.probe() == null || !"prefs".equals(step.probe().read())
                    || !create.creates().equals(step.vm()) || step.change().size() != 1) {
                continue;
            }
            List<String> command = step.change().get(0);
            boolean setsValue = command.size() == 4 && command.get(0).equals("qvm-prefs")
                    && command.get(1).equals(step.vm());
            if (setsValue && !setByCreate.contains(command.get(2))) {
                properties.add(command.get(2) + "=" + command.get(3));
                result.set(i, step.asSetAtCreation());
            }
        }
        if (properties.isEmpty()) {
            return steps;
        }
        result.set(creating, create.creatingWith(properties));
        return result;
    }

    /** Returns the properties that a {@code qvm-create} command sets itself. */
    private static Set<String> propertiesSetBy(List<String> create) {
        Set<String> names = new LinkedHashSet<>(List.of("label", "template"));
        for (String argument : create) {
            if (argument.startsWith("--property=")) {
                String assignment = argument.substring("--property=".length());
                names.add(assignment.substring(0, assignment.indexOf('=')));
            }
        }
        return names;
    }

    /**
     * Returns the actions to run: the given keywords, in the order of {@code actions} when it is
     * given, else in the default order. Adds the actions that {@code actions} marks
     * {@code pass} to {@code passing}.
     */
    private static List<String> actionOrder(Invocation call, Set<String> passing) {
        if (!call.flags.isEmpty()) {
            call.errorIn("flags", "qvm.vm takes no flags, got: " + MessageValues.quote(call.flags)
                    + "; put flags under an action, such as '- present: [{flags: [proxy]}]'");
        }
        Object actionsValue = call.kwargs.get("actions");
        List<String> listedNames = new ArrayList<>();
        if (actionsValue != null) {
            for (Object action : call.asList("actions", actionsValue)) {
                listedNames.add(action instanceof Map<?, ?> map && map.size() == 1
                        ? String.valueOf(map.keySet().iterator().next()) : String.valueOf(action));
            }
        }
        for (String key : call.kwargs.keySet()) {
            if (key.equals("actions")) {
                continue;
            }
            boolean listed = actionsValue == null ? DEFAULT_ORDER.contains(key)
                    : listedNames.contains(key);
            if (!listed) {
                String hint = DEFAULT_ORDER.contains(key)
                        ? " It is an action, but this state's actions list leaves it out: "
                                + MessageValues.quote(actionsValue)
                        : Suggestions.didYouMean(key, DEFAULT_ORDER) + " Actions: " + String.join(", ", DEFAULT_ORDER);
                call.errorIn(key, "Unknown action keyword: " + MessageValues.escape(key) + "." + hint);
            }
        }
        if (actionsValue == null) {
            List<String> order = new ArrayList<>();
            for (String action : DEFAULT_ORDER) {
                if (call.kwargs.containsKey(action)) {
                    order.add(action);
                }
            }
            return order;
        }
        List<String> order = new ArrayList<>();
        for (Object entry : call.asList("actions", actionsValue)) {
            Object action = entry;
            if (entry instanceof Map<?, ?> map && map.size() == 1) {
                Map.Entry<?, ?> only = map.entrySet().iterator().next();
                action = only.getKey();
                String mode = String.valueOf(only.getValue());
                if (mode.equalsIgnoreCase("pass")) {
                    passing.add(String.valueOf(action));
                } else if (!mode.equalsIgnoreCase("fail")) {
                    call.errorAt(List.of("actions", String.valueOf(action)), "entry " + MessageValues.quote(entry)
                            + " of 'actions' has the mode " + MessageValues.quote(mode)
                            + "; valid modes: pass (a failure of the action does not fail the"
                            + " state) and fail");
                }
            }
            List<String> entryPath = List.of("actions", String.valueOf(action));
            if (!(action instanceof String name)) {
                call.errorAt(entryPath, "entry " + MessageValues.quote(entry)
                        + " of 'actions' is not an action name or a one-key"
                        + " mapping such as '{prefs: pass}'");
            } else if (!DEFAULT_ORDER.contains(name)) {
                call.errorAt(entryPath, "unknown action " + MessageValues.quote(name)
                        + " in 'actions'; valid actions: " + String.join(", ", DEFAULT_ORDER));
            } else if (call.kwargs.containsKey(name)) {
                // Like Qubes' qvm.vm, an action listed without its keyword does not run.
                order.add(name);
            }
        }
        return order;
    }

    /** Splits an action's list into keyword arguments (one-key mappings) and flags (strings). */
    private static Invocation actionInvocation(Invocation call, String action) {
        Invocation actionCall = call.forAction(action);
        Object value = call.kwargs.get(action);
        for (Object item : call.asList(action, value)) {
            if (item instanceof String flag) {
                actionCall.addFlag(flag);
            } else if (item instanceof Map<?, ?> map && map.size() == 1) {
                Map.Entry<?, ?> entry = map.entrySet().iterator().next();
                String key = String.valueOf(entry.getKey());
                // Later keys win, as in Qubes' qvm.vm.
                actionCall.kwargs.remove(key.replace('-', '_'));
                actionCall.addKwarg(key, entry.getValue());
            } else {
                // A scalar entry, such as a number, is found by its text; a mapping has no line of its own.
                actionCall.errorAt(List.of(String.valueOf(item)), "entry " + MessageValues.quote(item)
                        + " must be a one-key mapping or a flag name");
            }
        }
        return actionCall;
    }
}
