package org.qfleet.states.render;

/**
 * Prepares template text for Jinjava where its syntax is narrower than Jinja2's, without
 * changing meaning or line numbers:
 *
 * <ul>
 *   <li>Jinjava's scanner ends an expression or tag at the first {@code }}} outside quotes,
 *       even where it closes two nested mappings as in {@code {{ {'a': {'b': 1}} }}}. This
 *       pass puts a space between two closing braces inside expressions and tags.
 *   <li>Jinjava rejects a trailing comma in a literal ({@code ['a', 'b',]}). This pass drops a
 *       comma that directly precedes {@code ]} or {@code }}, and one before {@code )} when the
 *       parentheses are a call's arguments or hold another comma. The one-item tuple
 *       {@code (x,)} is left as it is.
 * </ul>
 */
final class TemplateSource {

    private TemplateSource() {}

    static String separateNestedClosingBraces(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        int i = 0;
        int length = text.length();
        while (i < length) {
            if (startsWith(text, i, "{#")) {
                int end = text.indexOf("#}", i + 2);
                int stop = end < 0 ? length : end + 2;
                out.append(text, i, stop);
                i = stop;
            } else if (startsWith(text, i, "{{") || startsWith(text, i, "{%")) {
                boolean isTag = text.charAt(i + 1) == '%';
                out.append(text, i, i + 2);
                i = copyCode(text, i + 2, isTag ? "%}" : "}}", out);
                if (isTag && isRawTag(text, out)) {
                    int end = findEndRaw(text, i);
                    out.append(text, i, end);
                    i = end;
                }
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    /** Copies an expression or tag body up to and including its terminator, and returns the next index. */
    private static int copyCode(String text, int start, String terminator, StringBuilder out) {
        int depth = 0;
        char quote = 0;
        java.util.Deque<int[]> commasPerGroup = new java.util.ArrayDeque<>();
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && i + 1 < text.length()) {
                    out.append(text.charAt(i + 1));
                    i += 2;
                    continue;
                }
                if (c == quote) {
                    quote = 0;
                }
                i++;
                continue;
            }
            if (depth == 0 && startsWith(text, i, terminator)) {
                out.append(terminator);
                return i + terminator.length();
            }
            if (c == ',' && depth > 0) {
                char closing = nextNonSpace(text, i + 1);
                int[] commas = commasPerGroup.peek();
                boolean trailing = closing == ']' || closing == '}'
                        || (closing == ')' && commas != null && (commas[0] > 0 || commas[1] == 1));
                if (trailing) {
                    i++;
                    continue;
                }
                if (commas != null) {
                    commas[0]++;
                }
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '(', '[', '{' -> {
                    depth++;
                    // Element 0 counts commas, element 1 is 1 for the argument list of a call.
                    commasPerGroup.push(new int[] {0, c == '(' && isCallTarget(out) ? 1 : 0});
                }
                case ')', ']', '}' -> {
                    depth = Math.max(0, depth - 1);
                    commasPerGroup.poll();
                }
                default -> {
                }
            }
            out.append(c);
            if (c == '}' && depth > 0 && i + 1 < text.length() && text.charAt(i + 1) == '}') {
                out.append(' ');
            }
            i++;
        }
        return i;
    }

    /** Returns whether the code before an opening parenthesis ends in a name or a closing bracket. */
    private static boolean isCallTarget(StringBuilder out) {
        for (int i = out.length() - 1; i >= 0; i--) {
            char c = out.charAt(i);
            if (!Character.isWhitespace(c)) {
                return Character.isLetterOrDigit(c) || c == '_' || c == ')' || c == ']';
            }
        }
        return false;
    }

    private static char nextNonSpace(String text, int start) {
        for (int i = start; i < text.length(); i++) {
            if (!Character.isWhitespace(text.charAt(i))) {
                return text.charAt(i);
            }
        }
        return 0;
    }

    private static boolean isRawTag(String text, StringBuilder out) {
        int open = out.lastIndexOf("{%");
        if (open < 0 || out.length() < open + 4 || !out.substring(out.length() - 2).equals("%}")) {
            // The text ended inside the tag, so Jinja reports it unclosed.
            return false;
        }
        String body = out.substring(open + 2, out.length() - 2).replace("-", "").replace("+", "").strip();
        return body.equals("raw");
    }

    /** Returns the index of the {@code {% endraw %}} tag that ends a raw block, or the text end. */
    private static int findEndRaw(String text, int start) {
        int i = start;
        while (true) {
            int open = text.indexOf("{%", i);
            if (open < 0) {
                return text.length();
            }
            int close = text.indexOf("%}", open + 2);
            if (close < 0) {
                return text.length();
            }
            String body = text.substring(open + 2, close).replace("-", "").replace("+", "").strip();
            if (body.equals("endraw")) {
                return open;
            }
            i = close + 2;
        }
    }

    private static boolean startsWith(String text, int index, String prefix) {
        return text.startsWith(prefix, index);
    }
}
