package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.qfleet.states.MessageValues;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.plan.Outcome;
import org.qfleet.states.plan.PlanChunk;

/**
 * Salt's {@code test} state module: states with a fixed outcome that run no command, used to
 * exercise ordering and requisites. Results, changes and comments are those of Salt 3006 and
 * 3007 ({@code salt/states/test.py}), in normal and in test mode.
 *
 * <p>Unlike Salt, {@code changes: Random} and {@code result: Random} of
 * {@code configurable_test_state} are rejected, so that a run can be repeated.
 */
final class TestStates {

    static final String MODULE = "test";

    private static final Set<String> FUNCTIONS = Set.of("nop", "succeed_without_changes",
            "succeed_with_changes", "fail_without_changes", "fail_with_changes",
            "configurable_test_state", "mod_watch");
    private static final Set<String> CONFIGURABLE_ARGUMENTS = Set.of("changes", "result", "comment",
            "warnings");

    private TestStates() {}

    static Set<String> functions() {
        Set<String> names = new TreeSet<>();
        for (String function : FUNCTIONS) {
            if (!function.equals("mod_watch")) {
                names.add(MODULE + "." + function);
            }
        }
        return names;
    }

    /** Returns the change that every changing test state reports. */
    static Map<String, Object> pretendedChange() {
        Map<String, Object> testing = new LinkedHashMap<>();
        testing.put("old", "Unchanged");
        testing.put("new", "Something pretended to change");
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("testing", testing);
        return changes;
    }

    /**
     * Compiles a chunk of the {@code test} module. A chunk whose function is {@code mod_watch}
     * is the {@code listener_} chunk of a {@code listen} requisite.
     */
    static PlanChunk compile(LowChunk chunk, boolean failhard, String unknownFunctionMessage)
            throws CompileException {
        if (!FUNCTIONS.contains(chunk.fun())) {
            throw new CompileException(unknownFunctionMessage);
        }
        Map<String, Object> args = chunk.args();
        Object comment = args.get("comment");
        String commentText = comment == null ? null : ValueForms.pythonString(comment);
        List<String> errors = new ArrayList<>();
        String location = Invocation.location(chunk);
        Invocation configurableCall = new Invocation("test.configurable_test_state", chunk.name(), null, location,
                chunk.lines(), errors);
        Invocation watchCall = new Invocation("test", chunk.name(), null, location, chunk.lines(), errors);
        Outcome run;
        Outcome test;
        switch (chunk.fun()) {
            case "nop" -> {
                run = outcome(true, Map.of(), "Success!");
                test = null;
            }
            case "succeed_without_changes" -> {
                run = outcome(true, Map.of(), orDefault(commentText, "Success!"));
                test = null;
            }
            case "fail_without_changes" -> {
                run = outcome(false, Map.of(), orDefault(commentText, "Failure!"));
                test = outcome(false, Map.of(), "If we weren't testing, this would be a failure!");
            }
            case "succeed_with_changes" -> {
                run = outcome(true, pretendedChange(), orDefault(commentText, "Success!"));
                test = outcome(null, pretendedChange(),
                        "If we weren't testing, this would be successful with changes");
            }
            case "fail_with_changes" -> {
                run = outcome(false, pretendedChange(), orDefault(commentText, "Failure!"));
                test = outcome(null, pretendedChange(),
                        "If we weren't testing, this would be failed with changes");
            }
            case "configurable_test_state" -> {
                Outcome[] outcomes = configurable(args, commentText, configurableCall);
                run = outcomes[0];
                test = outcomes[1];
            }
            default -> {
                Outcome listener = modWatch(args, commentText, watchCall);
                Map<String, Object> changes = new LinkedHashMap<>();
                changes.put("Requisites with changes", List.of());
                run = new Outcome(listener.result(),
                        listener.changes() == null ? changes : listener.changes(),
                        listener.comment(), null);
                test = null;
            }
        }
        Outcome modWatch = modWatch(args, commentText, watchCall);
        if (!errors.isEmpty()) {
            throw new CompileException(errors);
        }
        return new PlanChunk(chunk.tag(), chunk.id(), chunk.sls(), chunk.state(), chunk.fun(),
                chunk.name(), chunk.order(), chunk.requisites(), null, List.of(), run, test, modWatch,
                failhard);
    }

    /**
     * Builds the two outcomes of {@code configurable_test_state}: in test mode the result is
     * true without changes and null with them, and an empty comment becomes "This is a test".
     */
    private static Outcome[] configurable(Map<String, Object> args, String comment, Invocation call) {
        for (String key : args.keySet()) {
            if (!CONFIGURABLE_ARGUMENTS.contains(key)) {
                call.errorIn(key, "unknown argument " + MessageValues.quote(key)
                        + "; valid arguments: changes, comment, result, warnings");
            }
        }
        Object changes = args.getOrDefault("changes", true);
        Object result = args.getOrDefault("result", true);
        if (!(changes instanceof Boolean)) {
            call.errorIn("changes", "argument 'changes' must be True or False, got: "
                    + MessageValues.quote(changes) + " (qfleet does not support Random, so that a run can be repeated)");
            changes = true;
        }
        if (!(result instanceof Boolean)) {
            call.errorIn("result", "argument 'result' must be True or False, got: "
                    + MessageValues.quote(result) + " (qfleet does not support Random, so that a run can be repeated)");
            result = true;
        }
        List<String> warnings = null;
        Object warningsArgument = args.get("warnings");
        if (warningsArgument instanceof String text) {
            warnings = List.of(text);
        } else if (warningsArgument instanceof List<?> list) {
            warnings = new ArrayList<>();
            for (Object warning : list) {
                warnings.add(ValueForms.pythonString(warning));
            }
        } else if (warningsArgument != null) {
            call.errorIn("warnings", "argument 'warnings' must be a string or a list of strings, got: "
                    + MessageValues.quote(warningsArgument));
        }
        Map<String, Object> changed = (Boolean) changes ? pretendedChange() : Map.of();
        String text = comment == null ? "" : comment;
        Outcome run = new Outcome((Boolean) result, changed, text, warnings);
        Outcome test = new Outcome((Boolean) changes ? null : Boolean.TRUE, changed,
                text.isEmpty() ? "This is a test" : text, warnings);
        return new Outcome[] {run, test};
    }

    /**
     * Builds the outcome of {@code test.mod_watch}: the chunk's own {@code result},
     * {@code comment} and {@code changes} arguments when given. Without {@code changes}, the
     * shim lists the watched states that changed.
     */
    private static Outcome modWatch(Map<String, Object> args, String comment, Invocation call) {
        Object result = args.getOrDefault("result", true);
        if (!(result instanceof Boolean)) {
            call.errorIn("result", "argument 'result' must be True or False for mod_watch, got: "
                    + MessageValues.quote(result));
            result = true;
        }
        return new Outcome((Boolean) result, args.get("changes"),
                orDefault(comment, "Watch statement fired."), null);
    }

    private static Outcome outcome(Boolean result, Map<String, Object> changes, String comment) {
        return new Outcome(result, changes, comment, null);
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }
}
