package org.qfleet.cli;

import java.math.BigDecimal;

/** Prints values the way Salt's Python outputters print them. */
final class PythonText {

    private PythonText() {
    }

    /** Python's {@code repr} for None, booleans and numbers; {@code str} for anything else. */
    static String repr(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof Boolean flag) {
            return flag ? "True" : "False";
        }
        if (value instanceof Double || value instanceof Float) {
            return floatText(((Number) value).doubleValue());
        }
        if (value instanceof BigDecimal decimal) {
            return floatText(decimal.doubleValue());
        }
        return String.valueOf(value);
    }

    /** A float as Python's {@code str} prints it for ordinary magnitudes: {@code 3.0}, {@code 41.512}. */
    static String floatText(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e16) {
            return (long) value + ".0";
        }
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
