package org.qfleet.states.compile;

import java.util.Collections;
import java.util.Map;
import org.qfleet.states.EntryLines;
import org.qfleet.states.SourceLine;

/**
 * The lines on which one state is declared, for error messages: the line of its ID and the lines of its
 * arguments by key as written. An argument that {@code extend} replaced has the line of the
 * extending file. In a chunk made from an entry of {@code names}, {@code name} has the entry's
 * line, and each argument that the entry overrides has the override's line. An override whose
 * line the loader did not record has none, so messages about it name the ID's line.
 *
 * @param id the line of the state ID, or null when the source records no lines
 * @param arguments argument key to its line and the lines of the entries in its value
 */
public record StateLines(SourceLine id, Map<String, EntryLines> arguments) {

    /** The lines of a state whose source records none. */
    public static final StateLines NONE = new StateLines(null, Map.of());

    /** Creates the lines of a state. It does not copy {@code arguments}, so that map must not change afterwards. */
    public StateLines {
        arguments = Collections.unmodifiableMap(arguments);
    }

    /** Returns the line of an argument, the ID's line when it has none, or null when neither is known. */
    public SourceLine line(String key) {
        EntryLines argument = arguments.get(key);
        return argument == null ? id : argument.line();
    }

    /**
     * Returns the lines inside an argument's value, in the form of a state's lines: the
     * argument's line in place of the ID's, and the entries of its value in place of the
     * arguments. Messages about an entry whose line is not known then name the argument's line.
     */
    public StateLines inside(String key) {
        EntryLines argument = arguments.get(key);
        if (argument == null) {
            return new StateLines(id, Map.of());
        }
        return new StateLines(argument.line(), argument.entries());
    }

    /** Returns the {@link SourceLine#prefix()} of the ID's line, or an empty string when it is not known. */
    public String prefix() {
        return id == null ? "" : id.prefix();
    }

    /**
     * Returns the {@link SourceLine#prefix()} of an argument's line for a message about it, or an
     * empty string when no line is known.
     */
    public String prefix(String key) {
        SourceLine line = line(key);
        return line == null ? "" : line.prefix();
    }
}
