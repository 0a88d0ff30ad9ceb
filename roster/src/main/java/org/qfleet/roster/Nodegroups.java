package org.qfleet.roster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Named target groups from the {@code nodegroups} setting. A group is a string, split on whitespace into words, or a
 * list of strings, each one word. A group whose words contain no operator, no {@code X@} prefix and no glob
 * character is a list of host IDs, each word possibly comma-separated, which covers salt-ssh's
 * {@code ssh_list_nodegroups} form {@code "lab-01,lab-02"}. Any other group is a compound expression and may refer to
 * other groups with {@code N@name}.
 */
public final class Nodegroups {

    private static final Nodegroups NONE = new Nodegroups(Map.of(), "");

    private final Map<String, List<String>> groups;
    private final String source;

    private Nodegroups(Map<String, List<String>> groups, String source) {
        this.groups = groups;
        this.source = source;
    }

    /** Returns an empty set of groups. */
    public static Nodegroups none() {
        return NONE;
    }

    /**
     * Validates the groups, reporting every problem at once.
     *
     * @param values the mapping from group name to a string or a list of strings
     * @param source the file that defined them, for messages
     * @throws RosterException naming every group whose value is neither a string nor a list of strings
     */
    public static Nodegroups of(Map<?, ?> values, String source) throws RosterException {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(source, "source");
        Map<String, List<String>> groups = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<?, ?> entry : values.entrySet()) {
            String name = String.valueOf(entry.getKey());
            String where = source + ": nodegroups: group '" + name + "': ";
            Object value = entry.getValue();
            if (value instanceof String text && !text.isBlank()) {
                groups.put(name, List.of(text.strip().split("\\s+")));
            } else if (value instanceof List<?> list && !list.isEmpty()
                    && list.stream().allMatch(item -> item instanceof String text && !text.isBlank())) {
                groups.put(name, list.stream().map(item -> ((String) item).strip()).toList());
            } else {
                problems.add(where + "invalid value " + RosterParser.describe(value) + ". Give a compound expression"
                        + " such as 'G@role:lab and not lab-09', or a non-empty list of host IDs.");
            }
        }
        if (!problems.isEmpty()) {
            throw new RosterException("Invalid nodegroups in " + source + ":", problems);
        }
        return new Nodegroups(Collections.unmodifiableMap(groups), source);
    }

    /** Returns the group's words, or null when no group has that name. */
    List<String> words(String name) {
        return groups.get(name);
    }

    /** Returns the groups' names in file order. */
    public List<String> names() {
        return List.copyOf(groups.keySet());
    }

    /** Returns each group as the configuration gave it, with its words joined by spaces. */
    public Map<String, String> definitions() {
        Map<String, String> shown = new LinkedHashMap<>();
        groups.forEach((name, words) -> shown.put(name, String.join(" ", words)));
        return Collections.unmodifiableMap(shown);
    }

    String source() {
        return source;
    }

    /**
     * Returns whether the words form a plain list of host IDs rather than a compound expression.
     * NOTE: a group of plain words with glob characters is read here as a compound expression of globs. Salt's own
     * reading of such a group is unverified and may differ.
     */
    static boolean isIdList(List<String> words) {
        for (String word : words) {
            if (CompoundTarget.OPERATORS.contains(word) || word.matches("^[A-Za-z]@.*")
                    || word.matches(".*[*?\\[].*")) {
                return false;
            }
        }
        return true;
    }
}
