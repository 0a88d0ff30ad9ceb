package org.qfleet.roster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
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
        return select(roster, TargetType.GLOB, pattern, Nodegroups.none(), id -> Map.of());
    }

    /**
     * Returns the entries that the target selects, in roster order.
     *
     * @param type         how to read the expression
     * @param expression   the target as the user wrote it
     * @param nodegroups   the groups that {@code -N} and {@code N@} refer to
     * @param cachedGrains grains gathered from each host on an earlier run, by ID; an empty map when none are cached.
     *                     The roster's own grains are laid over them, as they win over gathered grains.
     * @throws RosterException when the expression is invalid, when a list names IDs that are not in the roster, or
     *                         when nothing matches; the message names the target
     */
    public static List<RosterEntry> select(Roster roster, TargetType type, String expression, Nodegroups nodegroups,
            Function<String, Map<String, Object>> cachedGrains) throws RosterException {
        Objects.requireNonNull(roster, "roster");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(nodegroups, "nodegroups");
        Objects.requireNonNull(cachedGrains, "cachedGrains");
        if (type == TargetType.LIST) {
            return list(roster, expression);
        }
        HostMatcher matcher = compile(type, expression, nodegroups);
        List<RosterEntry> matched = new ArrayList<>();
        for (RosterEntry entry : roster.entries()) {
            Map<String, Object> grains = matcher.readsGrains() ? grainsOf(entry, cachedGrains) : Map.of();
            if (matcher.matches(entry.id(), grains)) {
                matched.add(entry);
            }
        }
        if (matched.isEmpty()) {
            throw new RosterException(nothingMatched(roster, type, expression) + " " + hint(type, nodegroups,
                    expression));
        }
        return matched;
    }

    /** Returns whether the target reads grains, so that a caller can say where the grains came from. */
    public static boolean readsGrains(TargetType type, String expression, Nodegroups nodegroups)
            throws RosterException {
        return type != TargetType.LIST && compile(type, expression, nodegroups).readsGrains();
    }

    private static HostMatcher compile(TargetType type, String expression, Nodegroups nodegroups)
            throws RosterException {
        return switch (type) {
            case GLOB -> Matchers.glob(expression);
            case PCRE -> Matchers.pcre(expression, "regular expression target");
            case LIST -> Matchers.ids(listIds(expression));
            case GRAIN -> Matchers.grain(expression, false, "grain target");
            case NODEGROUP -> CompoundTarget.compileGroup(expression, nodegroups);
            case COMPOUND -> CompoundTarget.compile(expression, nodegroups);
        };
    }

    /** Selects the IDs of a comma- or whitespace-separated list, in roster order; every ID must be in the roster. */
    private static List<RosterEntry> list(Roster roster, String expression) throws RosterException {
        Set<String> wanted = listIds(expression);
        if (wanted.isEmpty()) {
            throw new RosterException("List target '" + expression + "' names no host ID. Give IDs separated by"
                    + " commas or spaces, such as 'lab-01,lab-02'.");
        }
        List<RosterEntry> matched = roster.entries().stream().filter(entry -> wanted.contains(entry.id())).toList();
        Set<String> missing = new LinkedHashSet<>(wanted);
        matched.forEach(entry -> missing.remove(entry.id()));
        if (!missing.isEmpty()) {
            throw new RosterException("List target '" + expression + "' names IDs that are not in roster "
                    + roster.source() + ": " + String.join(", ", missing) + ". " + knownIds(roster)
                    + " Remove them from the list or add them to the roster.");
        }
        return matched;
    }

    private static Set<String> listIds(String expression) {
        Set<String> ids = new LinkedHashSet<>();
        for (String id : expression.split("[,\\s]+")) {
            if (!id.isEmpty()) {
                ids.add(id);
            }
        }
        return ids;
    }

    private static Map<String, Object> grainsOf(RosterEntry entry, Function<String, Map<String, Object>> cached) {
        Map<String, Object> cachedGrains = cached.apply(entry.id());
        Map<String, Object> grains = new LinkedHashMap<>(cachedGrains == null ? Map.of() : cachedGrains);
        grains.put("id", entry.id());
        grains.putAll(entry.grains());
        return grains;
    }

    private static String nothingMatched(Roster roster, TargetType type, String expression) {
        String kind = switch (type) {
            case GLOB, LIST -> "Target";
            case PCRE -> "Regular expression target";
            case GRAIN -> "Grain target";
            case NODEGROUP -> "Nodegroup target";
            case COMPOUND -> "Compound target";
        };
        return kind + " '" + expression + "' matched no host ID in roster " + roster.source() + ". "
                + knownIds(roster);
    }

    private static String hint(TargetType type, Nodegroups nodegroups, String expression) {
        return switch (type) {
            case GLOB, LIST -> "Globs are case-sensitive and match IDs, not host names.";
            case PCRE -> "The expression must match at the start of an ID, as Python's re.match does.";
            case GRAIN -> "Grains come from each entry's 'grains' key; values match case-insensitively.";
            case NODEGROUP -> "The group is: " + nodegroups.definitions().get(expression);
            case COMPOUND -> "Check each word alone with -E, -G, -L or a glob.";
        };
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
