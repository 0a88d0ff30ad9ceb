package org.qfleet.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pillar keys that {@code secret_pillar} in {@code qfleet.yaml} marks as secret. A key path
 * is colon-delimited as in Salt ({@code wifi:psk}), and a list item's path ends in its index
 * ({@code users:0:password}). Patterns are globs with fnmatch's rules, so {@code *} also matches
 * colons: {@code *:password} matches {@code password} keys at any depth below the top level.
 * Every string and number under a matching key, at any depth, is a secret of that host.
 */
final class SecretPillar {

    /** Secret values shorter than this are not masked, because masking them would mangle every report. */
    static final int MIN_SECRET_LENGTH = 4;

    private static final Logger LOG = LoggerFactory.getLogger(SecretPillar.class);
    private static final SecretPillar NONE = new SecretPillar(List.of());

    private final List<String> patterns;
    private final List<Pattern> regexes;
    /** Key paths already warned about, so that a run warns once per key and not once per host. */
    private final Set<String> warnedKeys = ConcurrentHashMap.newKeySet();

    private SecretPillar(List<String> patterns) {
        this.patterns = List.copyOf(patterns);
        this.regexes = this.patterns.stream().map(SecretPillar::globRegex).toList();
    }

    /** Returns the setting that marks no pillar key. */
    static SecretPillar none() {
        return NONE;
    }

    /**
     * Returns the setting for these patterns, which {@link #problemWith} must have accepted.
     * The object warns about each short value once, so use one per run.
     */
    static SecretPillar of(List<String> patterns) {
        return patterns.isEmpty() ? NONE : new SecretPillar(patterns);
    }

    /**
     * Returns what is wrong with one pattern of {@code secret_pillar}, or null when it is valid.
     * The message completes "invalid value 'X'. ".
     */
    static String problemWith(String pattern) {
        if (pattern.isBlank()) {
            return "Expected a pillar key such as wifi:psk, not an empty string.";
        }
        if (pattern.startsWith(":") || pattern.endsWith(":") || pattern.contains("::")) {
            return "Expected colon-delimited pillar keys with no empty part, such as wifi:psk or vault:*.";
        }
        return null;
    }

    /** Returns the patterns as the configuration gave them. */
    List<String> patterns() {
        return patterns;
    }

    /** Returns whether the colon-delimited key path matches one of the patterns. */
    boolean matches(String keyPath) {
        for (Pattern regex : regexes) {
            if (regex.matcher(keyPath).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Collects the secret values in one host's compiled pillar: every string, and every number as
     * its text, under a matching key. Values shorter than {@link #MIN_SECRET_LENGTH} characters
     * are left out with one warning per key path per run that names the key, never the value.
     */
    Set<String> valuesIn(Map<String, Object> pillar) {
        if (regexes.isEmpty() || pillar == null) {
            return Set.of();
        }
        Set<String> values = new LinkedHashSet<>();
        walk(pillar, "", values);
        return Collections.unmodifiableSet(values);
    }

    private void walk(Object node, String path, Set<String> values) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                visit(entry.getValue(), child(path, String.valueOf(entry.getKey())), values);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                visit(list.get(i), child(path, Integer.toString(i)), values);
            }
        }
    }

    private void visit(Object node, String path, Set<String> values) {
        if (matches(path)) {
            List<String> found = new ArrayList<>();
            collectScalars(node, found);
            for (String value : found) {
                addValue(path, value, values);
            }
        } else {
            walk(node, path, values);
        }
    }

    private void addValue(String path, String value, Set<String> values) {
        if (value.length() >= MIN_SECRET_LENGTH) {
            values.add(value);
        } else if (!value.isEmpty() && warnedKeys.add(path)) {
            LOG.warn("pillar key '{}' is marked by secret_pillar, but its value is shorter than {} characters,"
                    + " so it is not masked in the report; use a longer value", path, MIN_SECRET_LENGTH);
        }
    }

    /** Adds every string and number below {@code node}, but no boolean, because masking one would mask every "True". */
    private static void collectScalars(Object node, List<String> found) {
        if (node instanceof String text) {
            found.add(text);
        } else if (node instanceof Number number) {
            found.add(String.valueOf(number));
        } else if (node instanceof Map<?, ?> map) {
            map.values().forEach(value -> collectScalars(value, found));
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectScalars(item, found));
        }
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + ":" + key;
    }

    /**
     * Translates a glob to a regular expression with fnmatch's rules: {@code *} matches any
     * characters, colons included, {@code ?} one character, {@code [abc]} and {@code [!abc]} one
     * character of a set or outside it. A {@code [} without its {@code ]} is a literal.
     */
    static Pattern globRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i);
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (c == '[' && glob.indexOf(']', i + 2) > 0) {
                int close = glob.indexOf(']', i + 2);
                String set = glob.substring(i + 1, close);
                boolean negated = set.startsWith("!");
                if (negated) {
                    set = set.substring(1);
                }
                regex.append(negated ? "[^" : "[");
                for (char member : set.toCharArray()) {
                    // A backslash before any character but a letter or digit makes it a literal in a Java regex.
                    boolean plain = member == '-' || Character.isLetterOrDigit(member);
                    regex.append(plain ? "" : "\\").append(member);
                }
                regex.append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
            i++;
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SecretPillar that && patterns.equals(that.patterns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(patterns);
    }

    @Override
    public String toString() {
        return "secret_pillar " + patterns;
    }
}
