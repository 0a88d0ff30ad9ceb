package org.qfleet.states.render;

import java.nio.file.Path;
import org.qfleet.states.StateException;

/**
 * A file that does not render: a missing SLS, a Jinja syntax or render error, or YAML that
 * does not parse. The message names the file, the line when it is known and the offending
 * text.
 */
public class RenderException extends StateException {

    public RenderException(String message) {
        super(message);
    }

    public RenderException(String message, Path file, int line) {
        super(message, file, line);
    }

    public RenderException(String message, Path file, int line, Throwable cause) {
        super(message, file, line, cause);
    }
}
