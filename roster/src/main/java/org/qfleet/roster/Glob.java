package org.qfleet.roster;

import java.util.regex.Pattern;

/**
 * Shell-style patterns with the semantics of Python's {@code fnmatch.fnmatchcase}, which salt-ssh uses to match
 * roster IDs: {@code *} matches any text (slashes and dots too), {@code ?} one character, {@code [seq]} one character
 * of the set, {@code [!seq]} one character not in it. A {@code [} without a closing {@code ]} is literal, a
 * {@code ]} first in a set is a member, a {@code -} between two characters is a range, and a reversed range matches
 * nothing. Matching is case-sensitive.
 */
final class Glob {

    private final Pattern regex;

    private Glob(Pattern regex) {
        this.regex = regex;
    }

    static Glob compile(String pattern) {
        return new Glob(Pattern.compile(toRegex(pattern), Pattern.DOTALL));
    }

    boolean matches(String text) {
        return regex.matcher(text).matches();
    }

    /** Translates the glob into a Java regex in which every literal character is written as an escape. */
    static String toRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        int n = pattern.length();
        while (i < n) {
            char c = pattern.charAt(i);
            i++;
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (c == '[') {
                int end = closingBracket(pattern, i);
                if (end < 0) {
                    regex.append(literal('['));
                } else {
                    regex.append(characterClass(pattern.substring(i, end)));
                    i = end + 1;
                }
            } else {
                regex.append(literal(c));
            }
        }
        return regex.toString();
    }

    /** Returns the index of the {@code ]} that closes a set starting at {@code start}, or -1. */
    private static int closingBracket(String pattern, int start) {
        int j = start;
        if (j < pattern.length() && pattern.charAt(j) == '!') {
            j++;
        }
        if (j < pattern.length() && pattern.charAt(j) == ']') {
            j++;
        }
        while (j < pattern.length() && pattern.charAt(j) != ']') {
            j++;
        }
        return j < pattern.length() ? j : -1;
    }

    private static String characterClass(String set) {
        boolean negated = set.startsWith("!");
        String members = negated ? set.substring(1) : set;
        StringBuilder items = new StringBuilder();
        int k = 0;
        while (k < members.length()) {
            char first = members.charAt(k);
            if (k + 2 < members.length() && members.charAt(k + 1) == '-') {
                char last = members.charAt(k + 2);
                if (first <= last) {
                    items.append(literal(first)).append('-').append(literal(last));
                }
                k += 3;
            } else {
                items.append(literal(first));
                k++;
            }
        }
        if (items.length() == 0) {
            // An empty set matches nothing, and a negated empty set matches any character.
            return negated ? "." : "(?!)";
        }
        return (negated ? "[^" : "[") + items + "]";
    }

    private static String literal(char c) {
        if (Character.isSurrogate(c)) {
            // Half of a supplementary character is no regex metacharacter, and an escape would split the pair.
            return String.valueOf(c);
        }
        return String.format("\\x{%x}", (int) c);
    }
}
