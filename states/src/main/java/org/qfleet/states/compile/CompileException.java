package org.qfleet.states.compile;

import java.util.List;
import org.qfleet.states.StateException;

/**
 * High data that does not compile. Like Salt, the compiler collects every problem it finds in
 * one pass; {@link #errors()} lists them and the message joins them with newlines.
 */
public class CompileException extends StateException {

    private final List<String> errors;

    public CompileException(String message) {
        this(List.of(message));
    }

    public CompileException(List<String> errors) {
        super(String.join("\n", errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a compile error needs at least one message");
        }
        this.errors = List.copyOf(errors);
    }

    /** Returns the individual error messages, each naming the SLS file, the state ID and the value. */
    public List<String> errors() {
        return errors;
    }
}
