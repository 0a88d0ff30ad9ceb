package org.qfleet.states;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Formats values from SLS files for one-line error messages. Strings are quoted as Python's
 * {@code repr()} quotes them, so a newline prints as {@code \n} and every other control
 * character as an escape. Values longer than {@link #MAX_LENGTH} characters are shortened,
 * with a note of their full length.
 */
public final class MessageValues {

    /** The maximum length of a formatted value, quotes and escapes included, before it is shortened. */
    public static final int MAX_LENGTH = 120;

    private MessageValues() {}

    /**
     * Returns {@code value} as Python's {@code repr()} writes it ({@code 'a\nb'}, {@code 5},
     * {@code True}, {@code ['a', 1]}), shortened to about {@link #MAX_LENGTH} characters.
     */
    public static String quote(Object value) {
        StringBuilder out = new StringBuilder();
        append(out, value);
        if (out.length() <= MAX_LENGTH) {
            return out.toString();
        }
        int cut = safeCut(out, MAX_LENGTH - 20);
        String note;
        if (value instanceof Collection<?> collection) {
            note = collection.size() + " items";
        } else if (value instanceof Map<?, ?> map) {
            note = map.size() + " entries";
        } else {
            note = String.valueOf(value).length() + " characters";
        }
        return out.substring(0, cut) + "... (shortened, " + note + ")";
    }

    /**
     * Returns a text with control characters escaped as {@link #quote} escapes them, but without
     * quotes, for messages whose wording puts the value in brackets, as Salt's requisite messages do.
     */
    public static String escape(Object value) {
        String text = String.valueOf(value);
        StringBuilder out = new StringBuilder();
        appendEscaped(out, text, (char) 0);
        if (out.length() <= MAX_LENGTH) {
            return out.toString();
        }
        return out.substring(0, safeCut(out, MAX_LENGTH - 20)) + "... (shortened, " + text.length() + " characters)";
    }

    /**
     * Returns a cut position at or before {@code limit} that splits neither an escape sequence
     * such as {@code \x1b} nor a surrogate pair.
     */
    private static int safeCut(CharSequence text, int limit) {
        int cut = limit;
        int backslash = lastIndexOf(text, '\\', cut - 1);
        // The maximum escape length here is six characters, as in \u2028.
        if (backslash >= 0 && cut - backslash < 6 && !isEscapedBackslash(text, backslash)) {
            cut = backslash;
        }
        if (cut > 0 && Character.isHighSurrogate(text.charAt(cut - 1))) {
            cut--;
        }
        return cut;
    }

    private static int lastIndexOf(CharSequence text, char target, int from) {
        for (int i = from; i >= 0; i--) {
            if (text.charAt(i) == target) {
                return i;
            }
        }
        return -1;
    }

    /** Returns whether the backslash at {@code index} is the second half of an escaped backslash. */
    private static boolean isEscapedBackslash(CharSequence text, int index) {
        int run = 0;
        for (int i = index; i >= 0 && text.charAt(i) == '\\'; i--) {
            run++;
        }
        return run % 2 == 0;
    }

    private static void append(StringBuilder out, Object value) {
        if (value == null) {
            out.append("None");
        } else if (value instanceof Boolean bool) {
            out.append(bool ? "True" : "False");
        } else if (value instanceof CharSequence || value instanceof Character) {
            appendString(out, value.toString());
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
            while (entries.hasNext() && out.length() <= MAX_LENGTH) {
                Map.Entry<?, ?> entry = entries.next();
                append(out, entry.getKey());
                out.append(": ");
                append(out, entry.getValue());
                if (entries.hasNext()) {
                    out.append(", ");
                }
            }
            out.append('}');
        } else if (value instanceof Collection<?> collection) {
            out.append('[');
            Iterator<?> items = collection.iterator();
            while (items.hasNext() && out.length() <= MAX_LENGTH) {
                append(out, items.next());
                if (items.hasNext()) {
                    out.append(", ");
                }
            }
            out.append(']');
        } else if (value instanceof Number) {
            out.append(value);
        } else {
            appendString(out, String.valueOf(value));
        }
    }

    /** Appends a string in Python's repr() quoting, with single quotes unless it contains one. */
    private static void appendString(StringBuilder out, String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        appendEscaped(out, text, quote);
        out.append(quote);
    }

    /**
     * Appends a text with escapes, and with {@code quote} escaped unless it is 0. Besides the C0
     * controls, DEL, the C1 controls and the Unicode line and paragraph separators are escaped,
     * because terminals may break lines at them.
     */
    private static void appendEscaped(StringBuilder out, String text, char quote) {
        for (int i = 0; i < text.length() && out.length() <= MAX_LENGTH + 8; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote && quote != 0) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else if (c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
