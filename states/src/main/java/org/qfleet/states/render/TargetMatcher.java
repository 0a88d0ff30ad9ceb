package org.qfleet.states.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Matches top-file targets against a minion as Salt does for the match types {@code glob}
 * (the default), {@code list}, {@code pcre}, {@code grain}, {@code grain_pcre},
 * {@code pillar}, {@code compound} and {@code nodegroup}. A compound expression combines
 * terms with {@code and}, {@code or}, {@code not} and parentheses. A term is a glob on the
 * minion ID or {@code G@key:glob}, {@code P@key:regex}, {@code I@key:glob}, {@code E@regex},
 * {@code L@a,b} or {@code N@nodegroup}.
 */
public final class TargetMatcher {

    /**
     * The nodegroups that Qubes OS defines for its Salt minion: {@code dom0} is the minion
     * named {@code dom0} and {@code vm} is every other minion.
     */
    public static final Map<String, Object> QUBES_NODEGROUPS = Map.of("dom0", "dom0", "vm", "* and not dom0");

    /**
     * The nodegroups of a qfleet run whose configuration defines none. Every roster host is a
     * Qubes dom0 reached over SSH under its own ID (such as {@code lab-07}), so {@code dom0}
     * matches every host and {@code vm} matches none. Qubes' own top files, which all target
     * {@code dom0: [{match: nodegroup}, ...]}, then apply to each host unchanged.
     */
    public static final Map<String, Object> FLEET_NODEGROUPS = Map.of("dom0", "*", "vm", List.of());

    private static final int MAX_NODEGROUP_DEPTH = 10;

    private final Map<String, Object> nodegroups;

    public TargetMatcher(Map<String, Object> nodegroups) {
        this.nodegroups = new LinkedHashMap<>(nodegroups);
    }

    /**
     * Returns whether the target matches the minion.
     *
     * @param matchType the {@code match:} value of the target, {@code glob} when absent
     * @throws RenderException for an unsupported match type, an invalid regular expression,
     *     an unknown nodegroup or a malformed compound expression
     */
    public boolean matches(String matchType, String expression, String minionId, Map<String, Object> grains)
            throws RenderException {
        return matches(matchType, expression, minionId, grains, Map.of());
    }

    /**
     * Returns whether the target matches the minion, with its pillar for the {@code pillar}
     * match type and {@code I@} compound terms.
     *
     * @throws RenderException for an unsupported match type, an invalid regular expression,
     *     an unknown nodegroup or a malformed compound expression
     */
    public boolean matches(String matchType, String expression, String minionId, Map<String, Object> grains,
            Map<String, Object> pillar) throws RenderException {
        return switch (matchType) {
            case "glob" -> Glob.matches(expression, minionId);
            case "list" -> matchesList(expression, minionId);
            case "pcre" -> compile(expression).matcher(minionId).lookingAt();
            case "grain" -> matchesData(expression, grains, "grain", false);
            case "grain_pcre" -> matchesData(expression, grains, "grain", true);
            case "pillar" -> matchesData(expression, pillar, "pillar", false);
            case "compound" -> new Compound(expression, minionId, grains, pillar, 0).evaluate();
            case "nodegroup" -> matchesNodegroup(expression, minionId, grains, pillar, 0);
            default -> throw new RenderException("match type '" + matchType + "' of target '" + expression
                    + "' is not supported by qfleet; use glob, list, pcre, grain, grain_pcre, pillar, compound"
                    + " or nodegroup");
        };
    }

    private static boolean matchesList(String expression, String minionId) {
        for (String item : expression.split(",")) {
            if (item.strip().equals(minionId)) {
                return true;
            }
        }
        return false;
    }

    private static Pattern compile(String regex) throws RenderException {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new RenderException("invalid regular expression '" + regex + "' in target: " + e.getDescription());
        }
    }

    /**
     * Matches {@code key:pattern} against grains or pillar, the pattern a glob or, with
     * {@code regex}, a regular expression anchored at the start as Python's {@code re.match}.
     * Like Salt, every colon is tried as the split between the key path and the pattern,
     * because values such as PCI addresses contain colons.
     */
    private static boolean matchesData(String expression, Map<String, Object> data, String kind, boolean regex)
            throws RenderException {
        if (expression.indexOf(':') < 0) {
            throw new RenderException(kind + " target '" + expression + "' must be 'key:value'");
        }
        for (int colon = expression.indexOf(':'); colon >= 0; colon = expression.indexOf(':', colon + 1)) {
            Object value = Traverse.path(data, expression.substring(0, colon), ":", Traverse.MISSING);
            String pattern = expression.substring(colon + 1);
            Pattern compiled = regex ? compile(pattern) : null;
            if (value instanceof List<?> list) {
                for (Object item : list) {
                    if (matchesValue(pattern, compiled, item)) {
                        return true;
                    }
                }
            } else if (value != Traverse.MISSING && !(value instanceof Map<?, ?>)
                    && matchesValue(pattern, compiled, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesValue(String pattern, Pattern compiled, Object value) {
        String text = PythonRepr.str(value);
        return compiled != null ? compiled.matcher(text).lookingAt() : Glob.matches(pattern, text);
    }

    private boolean matchesNodegroup(String name, String minionId, Map<String, Object> grains,
            Map<String, Object> pillar, int depth) throws RenderException {
        if (depth > MAX_NODEGROUP_DEPTH) {
            throw new RenderException("nodegroup '" + name + "' nests more than " + MAX_NODEGROUP_DEPTH
                    + " levels deep; check the nodegroups for a cycle");
        }
        Object definition = nodegroups.get(name);
        if (definition == null) {
            throw new RenderException("nodegroup '" + name + "' is not defined; defined nodegroups: "
                    + nodegroups.keySet());
        }
        if (definition instanceof List<?> members) {
            return members.stream().anyMatch(member -> PythonRepr.str(member).equals(minionId));
        }
        return new Compound(PythonRepr.str(definition), minionId, grains, pillar, depth + 1).evaluate();
    }

    /** A recursive-descent evaluator of one compound expression: or, then and, then not. */
    private final class Compound {
        private final List<String> tokens = new ArrayList<>();
        private final String expression;
        private final String minionId;
        private final Map<String, Object> grains;
        private final Map<String, Object> pillar;
        private final int depth;
        private int position;

        Compound(String expression, String minionId, Map<String, Object> grains, Map<String, Object> pillar,
                int depth) {
            this.expression = expression;
            this.minionId = minionId;
            this.grains = grains;
            this.pillar = pillar;
            this.depth = depth;
            for (String word : expression.replace("(", " ( ").replace(")", " ) ").trim().split("\\s+")) {
                if (!word.isEmpty()) {
                    tokens.add(word);
                }
            }
        }

        boolean evaluate() throws RenderException {
            boolean result = or();
            if (position != tokens.size()) {
                throw malformed("unexpected '" + tokens.get(position) + "'");
            }
            return result;
        }

        private boolean or() throws RenderException {
            boolean result = and();
            while (accept("or")) {
                result = and() || result;
            }
            return result;
        }

        private boolean and() throws RenderException {
            boolean result = not();
            while (accept("and")) {
                result = not() && result;
            }
            return result;
        }

        private boolean not() throws RenderException {
            if (accept("not")) {
                return !not();
            }
            if (accept("(")) {
                boolean result = or();
                if (!accept(")")) {
                    throw malformed("missing ')'");
                }
                return result;
            }
            if (position >= tokens.size()) {
                throw malformed("missing a term at the end");
            }
            return term(tokens.get(position++));
        }

        private boolean term(String word) throws RenderException {
            if (word.length() > 2 && word.charAt(1) == '@') {
                String value = word.substring(2);
                return switch (word.charAt(0)) {
                    case 'G' -> matchesData(value, grains, "grain", false);
                    case 'P' -> matchesData(value, grains, "grain", true);
                    case 'I' -> matchesData(value, pillar, "pillar", false);
                    case 'E' -> compile(value).matcher(minionId).lookingAt();
                    case 'L' -> matchesList(value, minionId);
                    case 'N' -> matchesNodegroup(value, minionId, grains, pillar, depth + 1);
                    default -> throw malformed("term '" + word + "' is not supported by qfleet; use G@, P@, I@,"
                            + " E@, L@, N@ or a glob");
                };
            }
            return Glob.matches(word, minionId);
        }

        private boolean accept(String word) {
            if (position < tokens.size() && tokens.get(position).equals(word)) {
                position++;
                return true;
            }
            return false;
        }

        private RenderException malformed(String problem) {
            return new RenderException("invalid compound target '" + expression + "': " + problem);
        }
    }
}
