package org.qfleet.states.render;

/**
 * Prepares template text for Jinjava. Jinjava's scanner ends an expression or tag at the
 * first {@code }}} outside quotes, even where it closes two nested mappings as in
 * {@code {{ {'a': {'b': 1}} }}}, which Jinja2 reads whole. This pass puts a space between
 * two closing braces of nested brackets inside expressions and tags, which changes no
 * meaning and keeps every line number.
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
            switch (c) {
                case '\'', '"' -> quote = c;
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> depth = Math.max(0, depth - 1);
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

    private static boolean isRawTag(String text, StringBuilder out) {
        int open = out.lastIndexOf("{%");
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
