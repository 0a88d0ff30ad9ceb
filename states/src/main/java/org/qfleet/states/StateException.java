package org.qfleet.states;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A problem with a formula tree: a file that does not render, high data that does not
 * compile, or a state that the catalog cannot turn into steps. The message names the file,
 * the line when it is known, the state ID and the value, and tells what to do next.
 */
public class StateException extends Exception {

    private final Path file;
    private final int line;

    public StateException(String message) {
        this(message, null, 0, null);
    }

    public StateException(String message, Path file, int line) {
        this(message, file, line, null);
    }

    public StateException(String message, Path file, int line, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.line = line;
    }

    /** Returns the file the problem is in, when one is known. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Returns the 1-based line in {@link #file()}, or 0 when unknown. */
    public int line() {
        return line;
    }

    /** Returns the message prefixed with {@code file:line: } where those are known. */
    public String describe() {
        if (file == null) {
            return getMessage();
        }
        return line > 0 ? file + ":" + line + ": " + getMessage() : file + ": " + getMessage();
    }
}
