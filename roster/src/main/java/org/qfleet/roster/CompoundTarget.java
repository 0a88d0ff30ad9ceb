package org.qfleet.roster;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Parses compound targets: words joined by {@code and}, {@code or}, {@code not} and parentheses, where each word is a
 * glob over IDs or carries a prefix: {@code G@key:glob} (grain), {@code P@key:regex} (grain regex), {@code E@regex},
 * {@code L@id,id} or {@code N@nodegroup}. As in Salt, words and operators are separated by whitespace, {@code not}
 * binds tighter than {@code and}, which binds tighter than {@code or}, and a {@code not} right after a word means
 * {@code and not}.
 */
final class CompoundTarget {

    static final Set<String> OPERATORS = Set.of("and", "or", "not", "(", ")");

    private final String expression;
    private final List<String> tokens;
    private final Nodegroups nodegroups;
    private final Deque<String> groupsInUse = new ArrayDeque<>();
    private int position;
    private boolean readsGrains;

    private CompoundTarget(String expression, List<String> tokens, Nodegroups nodegroups) {
        this.expression = expression;
        this.tokens = tokens;
        this.nodegroups = nodegroups;
    }

    /** Compiles a compound expression. */
    static HostMatcher compile(String expression, Nodegroups nodegroups) throws RosterException {
        List<String> words = List.of(expression.strip().split("\\s+"));
        if (expression.isBlank()) {
            throw new RosterException("Invalid compound target: the expression is empty. Give words such as"
                    + " 'G@role:lab and not lab-09'.");
        }
        return new CompoundTarget(expression, new ArrayList<>(), nodegroups).whole(words);
    }

    /** Compiles the nodegroup with that name, for {@code -N}. */
    static HostMatcher compileGroup(String name, Nodegroups nodegroups) throws RosterException {
        CompoundTarget parser = new CompoundTarget("N@" + name, new ArrayList<>(), nodegroups);
        return parser.whole(List.of("N@" + name));
    }

    private HostMatcher whole(List<String> words) throws RosterException {
        expand(words);
        HostMatcher matcher = orExpression();
        if (position < tokens.size()) {
            String token = tokens.get(position);
            throw invalid(token.equals(")") ? "')' has no matching '('" : "expected 'and' or 'or' before '" + token
                    + "'");
        }
        boolean grains = readsGrains;
        return new HostMatcher() {
            @Override
            public boolean matches(String id, java.util.Map<String, Object> hostGrains) {
                return matcher.matches(id, hostGrains);
            }

            @Override
            public boolean readsGrains() {
                return grains;
            }
        };
    }

    /**
     * Appends the words to the token list, replacing each {@code N@group} by its words in parentheses. A group that
     * is a plain ID list becomes one {@code L@} word.
     */
    private void expand(List<String> words) throws RosterException {
        for (String word : words) {
            if (!word.startsWith("N@")) {
                tokens.add(word);
                continue;
            }
            String name = word.substring(2);
            List<String> groupWords = nodegroups.words(name);
            if (groupWords == null) {
                String defined = nodegroups.names().isEmpty() ? "No nodegroups are defined; add them under"
                        + " 'nodegroups:' in qfleet.yaml." : "Defined nodegroups: " + String.join(", ",
                        nodegroups.names()) + ".";
                throw new RosterException("Nodegroup '" + name + "' is not defined"
                        + (nodegroups.source().isEmpty() ? "" : " in " + nodegroups.source()) + ". " + defined);
            }
            if (groupsInUse.contains(name)) {
                List<String> cycle = new ArrayList<>(groupsInUse);
                java.util.Collections.reverse(cycle);
                cycle.add(name);
                throw new RosterException("Nodegroup '" + name + "' refers to itself: " + String.join(" -> ", cycle)
                        + ". Remove one of these N@ references.");
            }
            if (Nodegroups.isIdList(groupWords)) {
                tokens.add("L@" + String.join(",", groupWords));
                continue;
            }
            groupsInUse.push(name);
            tokens.add("(");
            expand(groupWords);
            tokens.add(")");
            groupsInUse.pop();
        }
    }

    private HostMatcher orExpression() throws RosterException {
        HostMatcher left = andExpression();
        while (peek("or")) {
            position++;
            HostMatcher right = andExpression();
            HostMatcher first = left;
            left = (id, grains) -> first.matches(id, grains) || right.matches(id, grains);
        }
        return left;
    }

    private HostMatcher andExpression() throws RosterException {
        HostMatcher left = unary();
        while (peek("and") || peek("not")) {
            if (peek("and")) {
                position++;
            }
            HostMatcher right = unary();
            HostMatcher first = left;
            left = (id, grains) -> first.matches(id, grains) && right.matches(id, grains);
        }
        return left;
    }

    private HostMatcher unary() throws RosterException {
        if (position >= tokens.size()) {
            throw invalid(position == 0 ? "the expression is empty"
                    : "it ends after '" + tokens.get(position - 1) + "'; a word must follow");
        }
        String token = tokens.get(position);
        position++;
        switch (token) {
            case "not" -> {
                HostMatcher inner = unary();
                return (id, grains) -> !inner.matches(id, grains);
            }
            case "(" -> {
                HostMatcher inner = orExpression();
                if (!peek(")")) {
                    throw invalid("'(' has no matching ')'");
                }
                position++;
                return inner;
            }
            case "and", "or", ")" -> throw invalid("'" + token + "' cannot start a term"
                    + (position > 1 ? " after '" + tokens.get(position - 2) + "'" : ""));
            default -> {
                return word(token);
            }
        }
    }

    private HostMatcher word(String word) throws RosterException {
        if (word.length() < 2 || word.charAt(1) != '@' || !Character.isLetter(word.charAt(0))) {
            return Matchers.glob(word);
        }
        String value = word.substring(2);
        switch (word.charAt(0)) {
            case 'G' -> {
                readsGrains = true;
                return Matchers.grain(value, false, "grain target in compound word '" + word + "'");
            }
            case 'P' -> {
                readsGrains = true;
                return Matchers.grain(value, true, "grain regex in compound word '" + word + "'");
            }
            case 'E' -> {
                return Matchers.pcre(value, "regular expression in compound word '" + word + "'");
            }
            case 'L' -> {
                return Matchers.ids(List.of(value.split(",")));
            }
            default -> throw invalid("'" + word.charAt(0) + "@' is not supported. qfleet's compound targets"
                    + " support G@ (grain), P@ (grain regex), E@ (regex), L@ (list) and N@ (nodegroup)");
        }
    }

    private boolean peek(String token) {
        return position < tokens.size() && tokens.get(position).equals(token);
    }

    private RosterException invalid(String detail) {
        return new RosterException("Invalid compound target '" + expression + "': " + detail + ".");
    }
}
