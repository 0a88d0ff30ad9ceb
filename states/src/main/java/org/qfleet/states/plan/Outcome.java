package org.qfleet.states.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fixed result that a chunk reports without running a command, such as the outcome of
 * Salt's {@code test.succeed_with_changes}.
 *
 * @param result true, false, or null for changes predicted in test mode
 * @param changes the reported changes; null only for a {@code mod_watch} outcome, where the shim
 *     fills in {@code {"Requisites with changes": ["<state>: <id>", ...]}} from the watched
 *     chunks that changed
 * @param comment the comment
 * @param warnings the {@code warnings} list of the result, or null for none
 */
public record Outcome(Boolean result, Object changes, String comment, List<String> warnings) {

    public Outcome {
        if (changes instanceof Map<?, ?> map) {
            changes = Collections.unmodifiableMap(new LinkedHashMap<>(map));
        }
        warnings = warnings == null ? null : List.copyOf(warnings);
    }
}
