package org.qfleet.states.catalog;

import java.util.Collection;

/** Finds the known name closest to a mistyped one, for "did you mean" hints in error messages. */
final class Suggestions {

    /** Names further than this many single-character edits away are not suggested. */
    private static final int MAX_DISTANCE = 2;

    private Suggestions() {}

    /** Returns {@code " Did you mean 'x'?"} for the closest candidate, or an empty string when none is close. */
    static String didYouMean(String value, Collection<String> candidates) {
        String best = null;
        int bestDistance = MAX_DISTANCE + 1;
        for (String candidate : candidates) {
            int distance = editDistance(value, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best == null ? "" : " Did you mean '" + best + "'?";
    }

    /** Returns the Levenshtein distance: the fewest insertions, deletions and substitutions turning one string into the other. */
    static int editDistance(String from, String to) {
        int[] previous = new int[to.length() + 1];
        int[] current = new int[to.length() + 1];
        for (int j = 0; j <= to.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= from.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= to.length(); j++) {
                int substitution = previous[j - 1] + (from.charAt(i - 1) == to.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[to.length()];
    }
}
