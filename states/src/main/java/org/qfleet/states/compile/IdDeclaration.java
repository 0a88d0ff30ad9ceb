package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qfleet.states.EntryLines;
import org.qfleet.states.SourceLine;

/**
 * One state ID of the high data after its declarations were normalised: each state module
 * maps to its argument list, in which the function is a plain string and every other entry a
 * one-key mapping. A dotted key such as {@code qvm.present} has become module {@code qvm} with
 * {@code present} appended to its list.
 */
final class IdDeclaration {

    final String id;
    final String sls;
    final Map<String, List<Object>> modules = new LinkedHashMap<>();
    /** The line of the ID, or null when the source records no lines. */
    final SourceLine line;
    /** State module to argument key to the argument's lines, for the arguments whose line is known. */
    final Map<String, Map<String, EntryLines>> argumentLines = new HashMap<>();

    IdDeclaration(String id, String sls, SourceLine line) {
        this.id = id;
        this.sls = sls;
        this.line = line;
    }

    /** Returns the lines of the state of one module of this ID. */
    StateLines lines(String module) {
        return new StateLines(line, argumentLines.getOrDefault(module, Map.of()));
    }

    /** Returns the one-key mapping of the argument list, or null when the entry is not one. */
    static String argumentKey(Object argument) {
        if (argument instanceof Map<?, ?> map && map.size() == 1) {
            Object key = map.keySet().iterator().next();
            return key == null ? null : String.valueOf(key);
        }
        return null;
    }

    static Object argumentValue(Object argument) {
        return ((Map<?, ?>) argument).values().iterator().next();
    }

    static List<Object> copyArguments(List<?> arguments) {
        List<Object> copy = new ArrayList<>();
        for (Object argument : arguments) {
            if (argument instanceof Map<?, ?> map) {
                copy.add(new LinkedHashMap<>(map));
            } else {
                copy.add(argument);
            }
        }
        return copy;
    }
}
