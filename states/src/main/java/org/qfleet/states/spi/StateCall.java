package org.qfleet.states.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One call of a custom state function being compiled: its name, its keyword arguments, and the
 * problems found in them. Every problem is reported with the function, the state ID and the
 * SLS, so a function's messages need only name the field and the value.
 */
public final class StateCall {

    private final String function;
    private final String name;
    private final Map<String, Object> args;
    private final String location;
    private final List<String> errors = new ArrayList<>();

    /**
     * @param function the full function name, such as {@code site.lockdown}
     * @param name the state's {@code name}, which defaults to its ID
     * @param args the keyword arguments, in the order the SLS gives them
     * @param location where the state is declared, such as {@code ID 'x' in SLS 'y'}
     */
    public StateCall(String function, String name, Map<String, Object> args, String location) {
        this.function = function;
        this.name = name;
        this.args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        this.location = location;
    }

    /** Returns the full function name, such as {@code site.lockdown}. */
    public String function() {
        return function;
    }

    /** Returns the state's name: its {@code name} argument, or else its ID. */
    public String name() {
        return name;
    }

    /** Returns every keyword argument, read-only, in the order the SLS gives them. */
    public Map<String, Object> args() {
        return args;
    }

    /**
     * Returns an argument as text, or null when it is missing. A list or a mapping is an error,
     * because a command line can take neither.
     */
    public String string(String key) {
        Object value = args.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            error("invalid value for field '" + key + "': expected text, got " + value);
            return null;
        }
        return String.valueOf(value);
    }

    /** Records an error for each argument not in {@code known}, listing the valid ones. */
    public void allowOnly(Set<String> known) {
        for (String key : args.keySet()) {
            if (!known.contains(key)) {
                error("unknown argument '" + key + "'; valid arguments: " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    /** Records a problem with this call; the state then fails to compile with this message. */
    public void error(String message) {
        errors.add(function + ": " + message + " (" + location + ")");
    }

    /** Returns the problems recorded so far, each with the function and the state's location. */
    public List<String> errors() {
        return List.copyOf(errors);
    }
}
