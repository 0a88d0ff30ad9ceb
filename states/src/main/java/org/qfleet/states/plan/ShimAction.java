package org.qfleet.states.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A change that the shim makes itself instead of running a probe and change commands: a
 * {@code file} step (a file in dom0, whose content travels in the plan), a {@code command}
 * step (a user's shell command, as Salt's {@code cmd.run}) or a {@code package} step (dom0
 * packages, installed or removed with qubes-dom0-update).
 *
 * @param kind {@code file}, {@code command} or {@code package}, the key of the step's object
 *     in the plan
 * @param spec the object's fields, as the plan format lists them for that kind
 */
public record ShimAction(String kind, Map<String, Object> spec) {

    public ShimAction {
        if (!List.of("file", "command", "package").contains(kind)) {
            throw new IllegalArgumentException("shim action kind must be file, command or package,"
                    + " got " + kind);
        }
        spec = Collections.unmodifiableMap(new LinkedHashMap<>(spec));
    }
}
