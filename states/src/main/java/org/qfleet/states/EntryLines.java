package org.qfleet.states;

import java.util.Collections;
import java.util.Map;

/**
 * The line of one entry of an SLS file (an argument key, a key inside an argument's value, or a
 * list item) and the lines of the entries in its value, for messages about a value nested in an
 * argument, such as one property inside a {@code qvm.vm} action.
 *
 * @param line the line of the entry's key, or of the item itself for a scalar list item
 * @param entries the entries of the value, by key as written or by the text of a scalar list
 *     item. It is empty for a scalar value and below the depth that the loader records.
 */
public record EntryLines(SourceLine line, Map<String, EntryLines> entries) {

    /** Creates the lines of an entry. It does not copy {@code entries}, so that map must not change afterwards. */
    public EntryLines {
        entries = entries.isEmpty() ? Map.of() : Collections.unmodifiableMap(entries);
    }

    /** Returns the lines of an entry whose value has no entries of its own. */
    public static EntryLines of(SourceLine line) {
        return new EntryLines(line, Map.of());
    }
}
