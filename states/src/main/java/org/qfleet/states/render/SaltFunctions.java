package org.qfleet.states.render;

import com.hubspot.jinjava.el.ext.AbstractCallableMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.qfleet.states.render.RenderSession.SaltCallException;

/**
 * The {@code salt} object of a template: Salt's execution functions that formulas call while
 * they render, reachable both as {@code salt['pillar.get'](...)} and as
 * {@code salt.pillar.get(...)}. Data lookups are answered from the grains and pillar of the
 * render context and host calls go to {@link HostQueries}.
 */
final class SaltFunctions {

    private final Map<String, Function> functions = new TreeMap<>();
    private final RenderContext context;
    private final Map<String, Object> opts;

    SaltFunctions(RenderContext context, Map<String, Object> opts) {
        this.context = context;
        this.opts = opts;
        register("pillar.get", this::pillarGet);
        register("pillar.item", (args, kwargs) -> itemsOf(context.pillar(), args));
        register("pillar.items", (args, kwargs) -> context.pillar());
        register("pillar.raw", (args, kwargs) -> context.pillar());
        register("grains.get", this::grainsGet);
        register("grains.item", (args, kwargs) -> itemsOf(context.grains(), args));
        register("grains.items", (args, kwargs) -> context.grains());
        register("config.get", this::configGet);
        register("qvm.check", this::qvmCheck);
        register("cmd.shell", this::shell);
        register("cmd.run", this::shell);
        register("cmd.run_stdout", this::shell);
        register("group.info", this::groupInfo);
    }

    private void register(String name, Body body) {
        functions.put(name, new Function(name, body));
    }

    /** Returns {@code salt['name']}: a function, or for a module name the module. */
    Optional<Object> lookup(String name) {
        Function function = functions.get(name);
        if (function != null) {
            return Optional.of(function);
        }
        String prefix = name + ".";
        if (functions.keySet().stream().anyMatch(key -> key.startsWith(prefix))) {
            return Optional.of(new Module(name));
        }
        return Optional.empty();
    }

    String missingMessage(String name) {
        return "salt function '" + name + "' is not available while rendering in qfleet; available: "
                + String.join(", ", functions.keySet());
    }

    /** A module of the {@code salt} object, so that {@code salt.pillar.get} finds {@code pillar.get}. */
    final class Module {
        private final String name;

        Module(String name) {
            this.name = name;
        }

        Optional<Object> lookup(String function) {
            return SaltFunctions.this.lookup(name + "." + function);
        }

        String missingMessage(String function) {
            return SaltFunctions.this.missingMessage(name + "." + function);
        }
    }

    private Object pillarGet(List<Object> args, Map<String, Object> kwargs) {
        return traverseGet(context.pillar(), "pillar.get", args, kwargs);
    }

    private Object grainsGet(List<Object> args, Map<String, Object> kwargs) {
        return traverseGet(context.grains(), "grains.get", args, kwargs);
    }

    private Object configGet(List<Object> args, Map<String, Object> kwargs) {
        String key = stringArgument("config.get", args, kwargs, 0, "key");
        String delimiter = String.valueOf(kwargs.getOrDefault("delimiter", ":"));
        Object fallback = argument(args, kwargs, 1, "default", "");
        for (Map<String, Object> source : List.of(opts, context.grains(), context.pillar())) {
            Object value = Traverse.path(source, key, delimiter, Traverse.MISSING);
            if (value != Traverse.MISSING) {
                return value;
            }
        }
        return fallback;
    }

    private static Object traverseGet(Map<String, Object> data, String function, List<Object> args,
            Map<String, Object> kwargs) {
        String key = stringArgument(function, args, kwargs, 0, "key");
        Object fallback = argument(args, kwargs, 1, "default", "");
        String delimiter = String.valueOf(argument(args, kwargs, 2, "delimiter", ":"));
        return Traverse.path(data, key, delimiter, fallback);
    }

    private static Map<String, Object> itemsOf(Map<String, Object> data, List<Object> keys) {
        Map<String, Object> result = new LinkedHashMap<>();
        for (Object key : keys) {
            result.put(String.valueOf(key), Traverse.path(data, String.valueOf(key), ":", ""));
        }
        return result;
    }

    private Object qvmCheck(List<Object> args, Map<String, Object> kwargs) {
        String name = stringArgument("qvm.check", args, kwargs, 0, "name");
        String check = args.size() > 1 ? String.valueOf(args.get(1)) : "exists";
        boolean exists = context.host().qubeExists(name);
        return switch (check) {
            case "exists" -> new CheckResult(exists);
            case "missing" -> new CheckResult(!exists);
            default -> throw new SaltCallException("salt['qvm.check'](" + PythonRepr.repr(name) + ", "
                    + PythonRepr.repr(check) + "): unsupported check " + PythonRepr.repr(check)
                    + "; qfleet supports 'exists' and 'missing'");
        };
    }

    private Object shell(List<Object> args, Map<String, Object> kwargs) {
        String command = stringArgument("cmd.shell", args, kwargs, 0, "cmd");
        return runOnHost(command);
    }

    /** {@code group.info}: the group entry from {@code getent group NAME}, empty when there is none. */
    private Object groupInfo(List<Object> args, Map<String, Object> kwargs) {
        String name = stringArgument("group.info", args, kwargs, 0, "name");
        if (!name.matches("[A-Za-z0-9_.][A-Za-z0-9_.-]*")) {
            throw new SaltCallException("salt['group.info']: invalid group name " + PythonRepr.repr(name));
        }
        String line = runOnHost("getent group " + name + " || true").strip();
        Map<String, Object> info = new LinkedHashMap<>();
        if (line.isEmpty()) {
            return info;
        }
        String[] fields = line.split(":", -1);
        info.put("name", fields[0]);
        info.put("passwd", fields.length > 1 ? fields[1] : "");
        info.put("gid", fields.length > 2 && !fields[2].isEmpty() ? Long.parseLong(fields[2]) : null);
        List<Object> members = new ArrayList<>();
        if (fields.length > 3 && !fields[3].isEmpty()) {
            members.addAll(List.of((Object[]) fields[3].split(",")));
        }
        info.put("members", members);
        return info;
    }

    private static String runOnHost(String command) {
        RenderSession session = RenderSession.require();
        if (session.failed()) {
            // Salt would have stopped at the first error, so nothing more runs on the host.
            throw new SaltCallException("not run because the template already failed: " + command);
        }
        try {
            return session.context().host().shell(command);
        } catch (RenderException e) {
            throw new SaltCallException("salt['cmd.shell'](" + PythonRepr.repr(command) + ") failed: "
                    + e.getMessage());
        }
    }

    private static Object argument(List<Object> args, Map<String, Object> kwargs, int index, String name,
            Object fallback) {
        if (kwargs.containsKey(name)) {
            return kwargs.get(name);
        }
        return args.size() > index ? args.get(index) : fallback;
    }

    private static String stringArgument(String function, List<Object> args, Map<String, Object> kwargs,
            int index, String name) {
        Object value = argument(args, kwargs, index, name, null);
        if (value == null) {
            throw new SaltCallException("salt['" + function + "'] requires the argument '" + name + "'");
        }
        return PythonRepr.str(value);
    }

    /** The result of {@code qvm.check}, with the methods that formulas call on it. */
    public static final class CheckResult {
        private final boolean passed;

        CheckResult(boolean passed) {
            this.passed = passed;
        }

        public boolean passed() {
            return passed;
        }

        public boolean failed() {
            return !passed;
        }

        @Override
        public String toString() {
            return passed ? "passed" : "failed";
        }
    }

    @FunctionalInterface
    interface Body {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    /** One function; Jinjava calls {@link AbstractCallableMethod} values found by attribute or subscript. */
    static final class Function extends AbstractCallableMethod {
        private final Body body;

        Function(String name, Body body) {
            super(name, new LinkedHashMap<>());
            this.body = body;
        }

        @Override
        public Object doEvaluate(Map<String, Object> argMap, Map<String, Object> kwargMap, List<Object> varArgs) {
            try {
                return body.call(varArgs, kwargMap);
            } catch (SaltCallException | Undefined.UndefinedException e) {
                RenderSession.current().ifPresent(session -> session.recordError(e));
                throw e;
            }
        }
    }
}
