package org.qfleet.states.catalog;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qfleet.states.MessageValues;
import org.qfleet.states.plan.ShimAction;
import org.qfleet.states.plan.Step;

/**
 * Salt's {@code cmd.run} and {@code cmd.wait}: a shell command that the formula's author
 * wrote, run in dom0 by the shim through {@code /bin/sh -c}.
 */
final class CmdStates {

    private static final Set<String> ARGUMENTS = Set.of("runas", "cwd", "env", "unless", "onlyif",
            "creates", "shell");

    private CmdStates() {}

    /** Returns the command step of a {@code cmd.run} or {@code cmd.wait} call. */
    static List<Step> steps(Invocation call) {
        call.checkKnown(ARGUMENTS, Set.of());
        if (call.name.isBlank()) {
            call.error("invalid value for field 'name': the command is empty");
        }
        String shell = call.string("shell");
        if (shell != null && !shell.equals("/bin/sh")) {
            call.errorIn("shell", "invalid value for field 'shell': " + MessageValues.quote(shell)
                    + "; qfleet runs commands with"
                    + " /bin/sh -c, so call another shell from the command itself");
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("shell", call.name);
        spec.put("runas", call.string("runas"));
        String cwd = call.string("cwd");
        if (cwd != null && !cwd.startsWith("/")) {
            call.errorIn("cwd", "invalid value for field 'cwd': " + MessageValues.quote(cwd)
                    + "; it must be an absolute path");
        }
        spec.put("cwd", cwd);
        spec.put("env", environment(call));
        spec.put("unless", conditions(call, "unless"));
        spec.put("onlyif", conditions(call, "onlyif"));
        List<String> creates = conditions(call, "creates");
        for (String path : creates) {
            if (!path.startsWith("/")) {
                call.errorIn("creates", "invalid value in field 'creates': " + MessageValues.quote(path)
                        + "; it must be an"
                        + " absolute path");
            }
        }
        spec.put("creates", creates);
        return List.of(Step.performed(null, call.name, new ShimAction("command", spec)));
    }

    /** Reads {@code env} as a mapping or, as Salt also accepts, a list of one-key mappings. */
    private static Map<String, String> environment(Invocation call) {
        Object value = call.kwargs.get("env");
        Map<String, String> env = new LinkedHashMap<>();
        if (value == null) {
            return env;
        }
        List<?> entries = value instanceof List<?> list ? list : List.of(value);
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> map)) {
                call.errorIn("env", "invalid value in field 'env': " + MessageValues.quote(entry)
                        + "; write variables as"
                        + " NAME: value pairs");
                continue;
            }
            map.forEach((name, variable) -> env.put(String.valueOf(name),
                    variable == null ? "" : ValueForms.pythonString(variable)));
        }
        return env;
    }

    /** Reads {@code unless}, {@code onlyif} or {@code creates}: one string or a list of them. */
    private static List<String> conditions(Invocation call, String key) {
        Object value = call.kwargs.get(key);
        if (value == null) {
            return List.of();
        }
        List<Object> items = call.asList(key, value);
        for (Object item : items) {
            if (!(item instanceof String)) {
                call.errorIn(key, "invalid value in field " + MessageValues.quote(key) + ": "
                        + MessageValues.quote(item)
                        + "; qfleet takes"
                        + " shell commands here, not module calls or other values");
                return List.of();
            }
        }
        return items.stream().map(String.class::cast).toList();
    }
}
