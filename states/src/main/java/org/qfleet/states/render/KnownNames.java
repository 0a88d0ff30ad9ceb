package org.qfleet.states.render;

import java.util.Collection;
import java.util.Optional;

/** Finds the known name closest to a misspelt one, for "did you mean" hints in errors. */
public final class KnownNames {

    private KnownNames() {}

    /** Returns the name with the smallest edit distance to {@code wanted}; ties go to the first in order. */
    static Optional<String> closest(String wanted, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : known.stream().sorted().toList()) {
            int distance = editDistance(wanted, name);
            if (distance < bestDistance) {
                best = name;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Returns {@code "; did you mean 'x'?"} for the closest known name, or an empty string when none is known. */
    static String hint(String wanted, Collection<String> known) {
        return closest(wanted, known).map(name -> "; did you mean '" + name + "'?").orElse("");
    }

    /** Returns the Levenshtein distance: the number of single-character insertions, deletions and substitutions. */
    public static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
