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
 * {@code salt.pillar.get(...)}. Data lookups read the grains and pillar of the render
 * context, and host calls go to {@link HostQueries}.
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
        register("grains.filter_by", (args, kwargs) -> filterBy(context.grains(), "grain", "os_family", args, kwargs));
        register("pillar.filter_by", (args, kwargs) -> filterBy(context.pillar(), "pillar", null, args, kwargs));
        register("defaults.merge", SaltFunctions::defaultsMerge);
        register("slsutil.merge", SaltFunctions::slsutilMerge);
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
            case "running" -> new CheckResult(exists && "running".equals(powerState(name)));
            // Like the qvm module of Qubes, a qube that does not exist counts as halted.
            case "halted" -> new CheckResult(!exists || "halted".equals(powerState(name)));
            default -> throw new SaltCallException("salt['qvm.check'](" + PythonRepr.repr(name) + ", "
                    + PythonRepr.repr(check) + "): unsupported check " + PythonRepr.repr(check)
                    + "; qfleet supports 'exists', 'missing', 'running' and 'halted'");
        };
    }

    /**
     * Returns the lower-cased power state of a qube from the facts: the {@code state} column of
     * {@code qvm-ls} that the grain {@code qubes:vms:NAME:state} carries.
     */
    private String powerState(String name) {
        Object state = Traverse.path(context.grains(), "qubes:vms:" + name + ":state", ":", Traverse.MISSING);
        if (state == Traverse.MISSING || state == null) {
            throw new SaltCallException("salt['qvm.check'](" + PythonRepr.repr(name)
                    + ", ...): the facts of this host have no power state for qube " + PythonRepr.repr(name)
                    + " (grain qubes:vms:" + name + ":state is missing)");
        }
        return PythonRepr.str(state).toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code cmd.shell} and {@code cmd.run}: like Salt, trailing whitespace of the output is removed. */
    private Object shell(List<Object> args, Map<String, Object> kwargs) {
        String command = stringArgument("cmd.shell", args, kwargs, 0, "cmd");
        return runOnHost(command).stripTrailing();
    }

    /**
     * Salt's {@code filter_by}: picks the entry of a lookup mapping whose key (a glob) matches
     * the value at {@code grain} (or the first matching item when that value is a list), else
     * the {@code default} entry. The entry is then merged over the {@code base} entry, and
     * {@code merge} is merged over the result.
     */
    private static Object filterBy(Map<String, Object> data, String keyArgument, String defaultKey, List<Object> args,
            Map<String, Object> kwargs) {
        Object lookupArgument = argument(args, kwargs, 0, "lookup_dict", null);
        if (!(lookupArgument instanceof Map<?, ?> lookup)) {
            throw new SaltCallException("filter_by requires a mapping as its first argument, got "
                    + PythonRepr.repr(lookupArgument));
        }
        Object keyValue = argument(args, kwargs, 1, keyArgument, defaultKey);
        if (keyValue == null) {
            throw new SaltCallException("filter_by requires the argument '" + keyArgument + "'");
        }
        String key = PythonRepr.str(keyValue);
        Object merge = argument(args, kwargs, 2, "merge", null);
        Object defaultEntry = argument(args, kwargs, 3, "default", "default");
        Object base = argument(args, kwargs, 4, "base", null);

        Object value = Traverse.path(data, key, ":", List.of());
        Object result = null;
        for (Object each : value instanceof List<?> list ? list : List.of(value)) {
            for (Map.Entry<?, ?> entry : lookup.entrySet()) {
                if (Glob.matches(PythonRepr.str(entry.getKey()), PythonRepr.str(each))) {
                    result = entry.getValue();
                    break;
                }
            }
            if (result != null) {
                break;
            }
        }
        if (result == null) {
            result = lookup.get(defaultEntry);
        }
        if (base != null && lookup.containsKey(base)) {
            Object baseValues = lookup.get(base);
            if (result == null) {
                result = baseValues;
            } else if (baseValues instanceof Map<?, ?> baseMap) {
                if (!(result instanceof Map<?, ?> resultMap)) {
                    throw new SaltCallException("filter_by: the base entry is a mapping, so the matched entry must"
                            + " be one too, got " + PythonRepr.repr(result));
                }
                result = DictUpdate.update(castMap(SaltJinja.deepCopy(baseMap)), castMap(resultMap), false);
            }
        }
        if (merge != null && SaltFilters.truthy(merge)) {
            if (!(merge instanceof Map<?, ?> mergeMap)) {
                throw new SaltCallException("filter_by merge argument must be a dictionary, got " + PythonRepr.repr(merge));
            }
            if (result == null) {
                result = merge;
            } else {
                result = DictUpdate.update(castMap(result), castMap(SaltJinja.deepCopy(mergeMap)), false);
            }
        }
        return result;
    }

    /** {@code defaults.merge(dest, src, merge_lists=False, in_place=True)}. */
    private static Object defaultsMerge(List<Object> args, Map<String, Object> kwargs) {
        Object destination = argument(args, kwargs, 0, "dest", null);
        Object source = argument(args, kwargs, 1, "src", null);
        boolean mergeLists = SaltFilters.truthy(argument(args, kwargs, 2, "merge_lists", false));
        boolean inPlace = SaltFilters.truthy(argument(args, kwargs, 3, "in_place", true));
        Map<Object, Object> target = inPlace ? castMap(destination) : castMap(SaltJinja.deepCopy(destination));
        return DictUpdate.update(target, castMap(source), mergeLists);
    }

    /** {@code slsutil.merge(obj_a, obj_b, strategy='smart', renderer='yaml', merge_lists=False)}: a deep copy merged. */
    private static Object slsutilMerge(List<Object> args, Map<String, Object> kwargs) {
        Object first = argument(args, kwargs, 0, "obj_a", null);
        Object second = argument(args, kwargs, 1, "obj_b", null);
        boolean mergeLists = SaltFilters.truthy(argument(args, kwargs, 4, "merge_lists", false));
        return DictUpdate.update(castMap(SaltJinja.deepCopy(first)), castMap(second), mergeLists);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> castMap(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw new SaltCallException("expected a mapping, got " + PythonRepr.repr(value));
        }
        return (Map<Object, Object>) value;
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
