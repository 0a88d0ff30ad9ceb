package org.qfleet.roster;

import java.util.List;

/**
 * An invalid or missing roster, or a target that matches no host. The message names the file, the line when known,
 * the host ID, the field and the value, and suggests a fix. A roster with several problems gets one exception
 * whose message lists every problem, one per line.
 */
public class RosterException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public RosterException(String message) {
        super(message);
        this.problems = List.of(message);
    }

    public RosterException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of(message);
    }

    /** Creates an exception whose message is the header followed by each problem on its own line. */
    public RosterException(String header, List<String> problems) {
        super(header + "\n" + String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Returns each problem as one line, without the header. */
    public List<String> problems() {
        return problems;
    }
}
