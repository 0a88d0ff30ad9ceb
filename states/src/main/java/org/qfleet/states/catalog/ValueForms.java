package org.qfleet.states.catalog;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/** Conversions of YAML values to the text the qvm-* tools print and accept. */
final class ValueForms {

    private static final List<String> TRUE_WORDS = List.of("1", "yes", "true", "on");
    private static final List<String> FALSE_WORDS = List.of("0", "no", "false", "off");

    private ValueForms() {}

    /** Returns Python's {@code str()} of a scalar: {@code True}/{@code False} for booleans. */
    static String pythonString(Object value) {
        if (value instanceof Boolean bool) {
            return bool ? "True" : "False";
        }
        return String.valueOf(value);
    }

    /**
     * Returns a boolean in the form qvm-prefs prints, {@code True} or {@code False}, or null when
     * the value is not one of the literals qubesd accepts.
     */
    static String pythonBoolean(Object value) {
        if (value instanceof Boolean bool) {
            return bool ? "True" : "False";
        }
        if (value instanceof Integer || value instanceof Long) {
            long number = ((Number) value).longValue();
            if (number == 1) {
                return "True";
            }
            if (number == 0) {
                return "False";
            }
            return null;
        }
        if (value instanceof String text) {
            String word = text.strip().toLowerCase(Locale.ROOT);
            if (TRUE_WORDS.contains(word)) {
                return "True";
            }
            if (FALSE_WORDS.contains(word)) {
                return "False";
            }
        }
        return null;
    }

    /** Returns an integer as decimal digits, so {@code "0400"}, {@code 400} give {@code 400}; null if not one. */
    static String decimal(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return value.toString();
        }
        if (value instanceof String text && text.strip().matches("[+-]?[0-9]+")) {
            return new BigInteger(text.strip()).toString();
        }
        return null;
    }

    /** Returns whether the text consists of printable ASCII only, as qubesd requires of feature values. */
    static boolean printableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
