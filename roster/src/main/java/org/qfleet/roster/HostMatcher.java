package org.qfleet.roster;

import java.util.Map;

/** A compiled target expression: decides for one host, given its ID and grains, whether the target selects it. */
@FunctionalInterface
interface HostMatcher {

    boolean matches(String id, Map<String, Object> grains);

    /** Returns whether the matcher reads grains, so that callers can say where grains come from. */
    default boolean readsGrains() {
        return false;
    }
}
