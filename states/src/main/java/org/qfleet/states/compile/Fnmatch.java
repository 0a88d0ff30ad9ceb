package org.qfleet.states.compile;

import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Shell-style patterns with the rules of Python's {@code fnmatch} on POSIX, which Salt uses for
 * requisite targets, excludes and top file globs: {@code *} matches any text including dots,
 * {@code ?} one character, {@code [abc]} and {@code [!abc]} a set. Matching is case-sensitive.
 */
final class Fnmatch {

    private Fnmatch() {}

    static boolean hasWildcards(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
    }

    static boolean matches(String text, String pattern) {
        return matcher(pattern).test(text);
    }

    /** Returns a test of texts against {@code pattern}, compiled once for many texts. */
    static Predicate<String> matcher(String pattern) {
        if (!hasWildcards(pattern)) {
            return pattern::equals;
        }
        Pattern regex = toRegex(pattern);
        return text -> regex.matcher(text).matches();
    }

    static Pattern toRegex(String pattern) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        int length = pattern.length();
        while (i < length) {
            char c = pattern.charAt(i++);
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < length && pattern.charAt(j) == '!') {
                    j++;
                }
                if (j < length && pattern.charAt(j) == ']') {
                    j++;
                }
                while (j < length && pattern.charAt(j) != ']') {
                    j++;
                }
                if (j >= length) {
                    // An unclosed bracket is a literal bracket, as in Python.
                    regex.append("\\[");
                } else {
                    String set = pattern.substring(i, j);
                    i = j + 1;
                    StringBuilder members = new StringBuilder();
                    int start = 0;
                    if (set.startsWith("!")) {
                        members.append('^');
                        start = 1;
                    }
                    for (int k = start; k < set.length(); k++) {
                        char member = set.charAt(k);
                        if (member == '\\' || member == '[' || member == ']' || member == '^'
                                || member == '&') {
                            members.append('\\');
                        }
                        members.append(member);
                    }
                    regex.append('[').append(members).append(']');
                }
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
