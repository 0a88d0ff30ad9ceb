package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.qfleet.states.MessageValues;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.StateLines;

/**
 * One call of a state function being compiled: the target qube, the keyword arguments with
 * hyphens turned into underscores, the bare flags, and the errors found so far. Every error
 * names the state function, the state ID, the SLS file, the field and the value.
 */
final class Invocation {

    final String function;
    final String name;
    final Map<String, Object> kwargs = new LinkedHashMap<>();
    final List<String> flags = new ArrayList<>();
    final String group;
    private final String location;
    private final StateLines lines;
    /**
     * The keys written with hyphens: the key with underscores to the key as written, under which
     * {@link #lines} stores its line.
     */
    private final Map<String, String> writtenKeys = new HashMap<>();
    /**
     * Each flag with underscores to the path under which {@link #lines} stores its line: the flag
     * as written, after {@code flags} when it came from that argument.
     */
    private final Map<String, List<String>> flagPaths = new HashMap<>();
    private final List<String> errors;

    /**
     * @param function the state function, such as {@code qvm.prefs}
     * @param group the group of the steps, {@code qvm.<action>} inside {@code qvm.vm}, else null
     * @param location where the call is declared, such as {@code ID 'x' in SLS 'y'}
     * @param lines the lines of the state's ID and arguments, which prefix each error
     */
    Invocation(String function, String name, String group, String location, StateLines lines,
            List<String> errors) {
        this.function = function;
        this.name = name;
        this.group = group;
        this.location = location;
        this.lines = lines;
        this.errors = errors;
    }

    /** Returns {@code ID 'x' in SLS 'y'} for a chunk, both quoted so that they print on one line. */
    static String location(LowChunk chunk) {
        return "ID " + MessageValues.quote(chunk.id()) + " in SLS " + MessageValues.quote(chunk.sls());
    }

    /**
     * Returns an empty invocation of one action of {@code qvm.vm}, reporting into the same errors.
     * Its errors about an entry of the action point at the entry's line, and the others at the
     * line of the action's key.
     */
    Invocation forAction(String action) {
        return new Invocation(function, name, "qvm." + action, location + ", action '" + action + "'",
                lines.inside(action), errors);
    }

    /** Adds a keyword argument, spelling it with underscores; two spellings of one key are an error. */
    void addKwarg(String key, Object value) {
        String normalised = key.replace('-', '_');
        if (kwargs.containsKey(normalised)) {
            errorIn(key, "argument " + MessageValues.quote(key) + " is given twice (hyphen and"
                    + " underscore spellings are the same argument)");
            return;
        }
        if (!normalised.equals(key)) {
            writtenKeys.put(normalised, key);
        }
        if (normalised.equals("flags")) {
            for (Object flag : asList("flags", value)) {
                addFlag(flag, List.of(key, String.valueOf(flag)));
            }
            return;
        }
        kwargs.put(normalised, value);
    }

    /** Adds a flag that is an entry of the argument list itself, as in a {@code qvm.vm} action. */
    void addFlag(Object flag) {
        addFlag(flag, List.of(String.valueOf(flag)));
    }

    /** Adds a flag whose line {@link #lines} stores under {@code path}. */
    private void addFlag(Object flag, List<String> path) {
        if (flag instanceof String text && !text.isEmpty()) {
            String normalised = text.replace('-', '_');
            flags.add(normalised);
            flagPaths.put(normalised, path);
        } else {
            errorAt(path, "flag " + MessageValues.quote(flag)
                    + " is not a flag name; flags are bare words such as 'proxy'");
        }
    }

    /** Reports every argument and flag outside the given sets, with the valid ones. */
    void checkKnown(Set<String> validKwargs, Set<String> validFlags) {
        for (String key : kwargs.keySet()) {
            if (!validKwargs.contains(key)) {
                errorIn(key, "unknown argument " + MessageValues.quote(key) + "; valid arguments: "
                        + String.join(", ", sortedWithFlags(validKwargs, validFlags)));
            }
        }
        for (String flag : flags) {
            if (!validFlags.contains(flag)) {
                errorInFlag(flag, "unknown flag " + MessageValues.quote(flag) + "; valid flags: "
                        + (validFlags.isEmpty() ? "none" : String.join(", ", new TreeSet<>(validFlags))));
            }
        }
    }

    private static List<String> sortedWithFlags(Set<String> validKwargs, Set<String> validFlags) {
        TreeSet<String> names = new TreeSet<>(validKwargs);
        if (!validFlags.isEmpty()) {
            names.add("flags");
        }
        return new ArrayList<>(names);
    }

    boolean hasFlag(String flag) {
        return flags.contains(flag);
    }

    /** Returns the argument as a string, or null when absent; a list or mapping is an error. */
    String string(String key) {
        Object value = kwargs.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof List || value instanceof Map) {
            errorIn(key, "argument '" + key + "' must be a single value, got: " + MessageValues.quote(value));
            return null;
        }
        return ValueForms.pythonString(value);
    }

    /** Returns a list argument; a single string counts as a list of one. */
    List<Object> asList(String key, Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        if (value instanceof String) {
            return List.of(value);
        }
        errorIn(key, "argument '" + key + "' must be a list, got: " + MessageValues.quote(value));
        return List.of();
    }

    /** Checks a qube name in a field, such as {@code name} or {@code template}. */
    boolean checkQubeName(String field, String value) {
        var problem = QubeNames.problem(value);
        problem.ifPresent(reason -> errorIn(field, "invalid qube name in field '" + field + "': "
                + MessageValues.quote(value) + ": " + reason));
        return problem.isEmpty();
    }

    /** Records an error about the state as a whole, prefixed with the file and the line of its ID. */
    void error(String message) {
        errors.add(lines.prefix() + function + " state with " + location + ": " + message);
    }

    /**
     * Records an error about one argument, prefixed with the file and the argument's line, or the
     * ID's line when the argument's is not known.
     *
     * @param key the argument key, with underscores or as written
     */
    void errorIn(String key, String message) {
        String written = writtenKeys.getOrDefault(key, key);
        errors.add(lines.prefix(written) + function + " state with " + location + ": " + message);
    }

    /**
     * Records an error about an entry inside an argument's value, such as one feature of
     * {@code set}, prefixed with the entry's line, or else the line of the nearest enclosing
     * entry or argument that is known.
     *
     * @param path the argument key, with underscores or as written, then the keys, or the texts
     *     of list items, that lead from it to the entry
     */
    // NOTE: an entry is found by its text as written, so a key or item that YAML reads as another
    // type, such as yes or 0x10, is not found, and its error names the enclosing line.
    void errorAt(List<?> path, String message) {
        String first = String.valueOf(path.get(0));
        String entry = writtenKeys.getOrDefault(first, first);
        StateLines scope = lines;
        for (Object next : path.subList(1, path.size())) {
            scope = scope.inside(entry);
            entry = String.valueOf(next);
        }
        errors.add(scope.prefix(entry) + function + " state with " + location + ": " + message);
    }

    /** Records an error about a flag, prefixed with the flag's line when it is known. */
    void errorInFlag(String flag, String message) {
        errorAt(flagPaths.getOrDefault(flag, List.of("flags")), message);
    }

    boolean failed() {
        return !errors.isEmpty();
    }
}
