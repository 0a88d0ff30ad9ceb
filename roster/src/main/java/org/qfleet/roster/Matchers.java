package org.qfleet.roster;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Factories of {@link HostMatcher} for each kind of target word. */
final class Matchers {

    private Matchers() {
    }

    static HostMatcher glob(String pattern) {
        Glob glob = Glob.compile(pattern);
        return (id, grains) -> glob.matches(id);
    }

    /** Returns a matcher of IDs by Python's {@code re.match}: anchored at the start of the ID and not at its end. */
    static HostMatcher pcre(String expression, String what) throws RosterException {
        Pattern pattern = pythonRegex(expression, what);
        return (id, grains) -> pattern.matcher(id).lookingAt();
    }

    static HostMatcher ids(Collection<String> ids) {
        Set<String> set = Set.copyOf(ids);
        return (id, grains) -> set.contains(id);
    }

    /**
     * Returns a matcher of {@code key:pattern} over grains, as Salt's {@code subdict_match} does it: the key may be a
     * path of nested keys joined by colons, and a split that leaves more of the text to the value is tried first
     * ({@code a:b:c} matches {@code a = "b:c"} before {@code a.b = "c"}). Both sides are compared in lower case. A
     * list value matches when one item matches, and a mapping when one of its keys matches.
     */
    static HostMatcher grain(String expression, boolean regex, String what) throws RosterException {
        if (expression.indexOf(':') <= 0) {
            throw new RosterException("Invalid " + what + " '" + expression + "': expected key:value, such as"
                    + " role:lab or os_release:4.*.");
        }
        String[] parts = expression.split(":", -1);
        Pattern[] patterns = new Pattern[parts.length];
        if (regex) {
            for (int i = 1; i < parts.length; i++) {
                patterns[i] = pythonRegex(String.join(":", List.of(parts).subList(i, parts.length))
                        .toLowerCase(Locale.ROOT), what);
            }
        }
        return new HostMatcher() {
            @Override
            public boolean matches(String id, Map<String, Object> grains) {
                for (int i = 1; i < parts.length; i++) {
                    Object node = lookup(grains, parts, i);
                    if (node == MISSING) {
                        continue;
                    }
                    String pattern = String.join(":", List.of(parts).subList(i, parts.length));
                    if (valueMatches(node, pattern, regex ? patterns[i] : null)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public boolean readsGrains() {
                return true;
            }
        };
    }

    private static final Object MISSING = new Object();

    /** Returns the value at the path {@code parts[0..end)} through nested mappings, or {@link #MISSING}. */
    private static Object lookup(Map<String, Object> grains, String[] parts, int end) {
        Object node = grains;
        for (int i = 0; i < end; i++) {
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(parts[i])) {
                return MISSING;
            }
            node = map.get(parts[i]);
        }
        return node;
    }

    private static boolean valueMatches(Object value, String pattern, Pattern regex) {
        if (value instanceof List<?> list) {
            return list.stream().anyMatch(item -> !(item instanceof Map || item instanceof List)
                    && scalarMatches(item, pattern, regex));
        }
        if (value instanceof Map<?, ?> map) {
            return map.keySet().stream().anyMatch(key -> scalarMatches(key, pattern, regex));
        }
        return scalarMatches(value, pattern, regex);
    }

    private static boolean scalarMatches(Object value, String pattern, Pattern regex) {
        String text = (value == null ? "None" : String.valueOf(value)).toLowerCase(Locale.ROOT);
        if (regex != null) {
            return regex.matcher(text).lookingAt();
        }
        return Glob.compile(pattern.toLowerCase(Locale.ROOT)).matches(text);
    }

    /**
     * Compiles a Python regular expression with Java's engine, after turning Python's named-group syntax
     * {@code (?P<name>...)} and {@code (?P=name)} into Java's.
     */
    static Pattern pythonRegex(String expression, String what) throws RosterException {
        String java = expression.replace("(?P<", "(?<").replaceAll("\\(\\?P=(\\w+)\\)", "\\\\k<$1>");
        try {
            return Pattern.compile(java);
        } catch (PatternSyntaxException e) {
            throw new RosterException("Invalid " + what + " '" + expression + "': " + e.getDescription()
                    + " near index " + e.getIndex() + ". Fix the regular expression.", e);
        }
    }
}
