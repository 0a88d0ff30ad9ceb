package org.qfleet.states;

import java.nio.file.Path;

/**
 * A line of an SLS file, for error messages. When Jinja changed the lines above it, the
 * number counts lines of the rendered text instead of the file, and messages state that.
 *
 * @param file the file's path: the file root it is under, joined with its path in that root
 * @param line the 1-based line number
 * @param renderedText whether {@code line} counts lines of the rendered text
 */
public record SourceLine(Path file, int line, boolean renderedText) {

    /** Returns {@code FILE:LINE}, or {@code FILE: line N of the rendered text} when the line counts rendered text. */
    public String location() {
        return renderedText ? file + ": line " + line + " of the rendered text" : file + ":" + line;
    }

    /**
     * Returns the {@link #location()} followed by {@code ": "}, which starts a message as
     * {@link StateException#describe()} starts one with {@code FILE:LINE: }.
     */
    public String prefix() {
        return location() + ": ";
    }
}
