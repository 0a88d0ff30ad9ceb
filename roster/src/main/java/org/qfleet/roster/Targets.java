package org.qfleet.roster;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** Selects roster entries by target expression. */
public final class Targets {

    private static final int IDS_IN_MESSAGE = 5;

    private Targets() {
    }

    /**
     * Returns the entries whose ID matches the shell-style pattern, in roster order. The pattern follows Python's
     * {@code fnmatch} as salt-ssh uses it: {@code *}, {@code ?}, {@code [seq]} and {@code [!seq]}, case-sensitive,
     * matched against IDs and not host names.
     *
     * @throws RosterException when nothing matches, naming the pattern and the roster file and listing a few IDs
     */
    public static List<RosterEntry> glob(Roster roster, String pattern) throws RosterException {
        Objects.requireNonNull(roster, "roster");
        Objects.requireNonNull(pattern, "pattern");
        Glob glob = Glob.compile(pattern);
        List<RosterEntry> matched = roster.entries().stream().filter(entry -> glob.matches(entry.id())).toList();
        if (matched.isEmpty()) {
            throw new RosterException("Target '" + pattern + "' matched no host ID in roster " + roster.source() + ". "
                    + knownIds(roster) + " Globs are case-sensitive and match IDs, not host names.");
        }
        return matched;
    }

    private static String knownIds(Roster roster) {
        List<RosterEntry> entries = roster.entries();
        if (entries.isEmpty()) {
            return "The roster has no hosts.";
        }
        String shown = entries.stream().limit(IDS_IN_MESSAGE).map(RosterEntry::id).collect(Collectors.joining(", "));
        String more = entries.size() > IDS_IN_MESSAGE ? ", ... (" + entries.size() + " in all)" : "";
        return "Its IDs: " + shown + more + ".";
    }
}
