package org.qfleet.states.render;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The top-level mapping of a rendered SLS file, in file order, which also carries the lines
 * its state IDs and arguments are declared on. It equals any mapping of the same entries.
 */
public final class RenderedSls extends LinkedHashMap<String, Object> {

    private static final long serialVersionUID = 1L;

    private final transient DeclarationLines lines;

    /** Creates an empty mapping for the entries of a file with these lines. */
    public RenderedSls(DeclarationLines lines) {
        this.lines = lines;
    }

    /** Creates a mapping with a copy of {@code entries}. */
    public RenderedSls(Map<String, Object> entries, DeclarationLines lines) {
        super(entries);
        this.lines = lines;
    }

    /** Returns the lines of the state IDs and their arguments. */
    public DeclarationLines lines() {
        return lines == null ? DeclarationLines.NONE : lines;
    }
}
