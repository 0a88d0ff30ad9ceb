package org.qfleet.states.catalog;

import java.util.Collection;
import org.qfleet.states.render.KnownNames;

/** Finds the known name closest to a mistyped one, for "did you mean" hints in error messages. */
public final class Suggestions {

    /** Names further than this many single-character edits away are not suggested. */
    private static final int MAX_DISTANCE = 2;

    private Suggestions() {}

    /** Returns {@code " Did you mean 'x'?"} for the closest candidate, or an empty string when none is close. */
    public static String didYouMean(String value, Collection<String> candidates) {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String candidate : candidates) {
            int distance = KnownNames.editDistance(value, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best == null ? "" : " Did you mean '" + best + "'?";
    }
}
