package org.qfleet.states.render;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Formats Java values the way Python's {@code str()} and {@code repr()} format the
 * corresponding Python values, so that {@code {{ mapping }}} prints
 * {@code {'a': 1, 'b': [True, None, 'x']}} as it does under Salt.
 */
final class PythonRepr {

    private PythonRepr() {}

    /** Python's {@code str(value)}: strings print bare, everything else as {@link #repr}. */
    static String str(Object value) {
        if (value instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        return repr(value);
    }

    /** Python's {@code repr(value)}. */
    static String repr(Object value) {
        StringBuilder out = new StringBuilder();
        appendRepr(out, value);
        return out.toString();
    }

    /** Returns whether a value is a tuple literal, which Jinjava evaluates to a read-only list. */
    static boolean isTuple(Object value) {
        Object inner = unwrap(value);
        return inner instanceof PythonTuple.Sequence
                || (inner != null && inner.getClass().getName().startsWith("java.util.Collections$Unmodifiable")
                        && inner instanceof java.util.List<?>);
    }

    /** Returns the list inside Jinjava's list wrappers. */
    static Object unwrap(Object value) {
        Object current = value;
        while (current instanceof com.hubspot.jinjava.objects.collections.PyList wrapped
                && wrapped.toList() != current) {
            current = wrapped.toList();
        }
        return current;
    }

    private static void appendRepr(StringBuilder out, Object value) {
        if (isTuple(value) && !(unwrap(value) instanceof PythonTuple.Sequence)) {
            PythonTuple.Sequence tuple = new PythonTuple.Sequence();
            tuple.addAll((java.util.Collection<?>) unwrap(value));
            out.append(tuple);
            return;
        }
        value = unwrap(value);
        if (value == null) {
            out.append("None");
        } else if (value instanceof Undefined undefined) {
            throw undefined.error();
        } else if (value instanceof Boolean bool) {
            out.append(bool ? "True" : "False");
        } else if (value instanceof CharSequence || value instanceof Character) {
            appendStringRepr(out, value.toString());
        } else if (value instanceof Double || value instanceof Float) {
            out.append(floatRepr(((Number) value).doubleValue()));
        } else if (value instanceof BigDecimal decimal) {
            out.append(floatRepr(decimal.doubleValue()));
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof PythonTuple || value instanceof PythonTuple.Sequence) {
            out.append(value);
        } else if (value instanceof com.hubspot.jinjava.interpret.NullValue) {
            out.append("None");
        } else if (value instanceof Map.Entry<?, ?> entry) {
            out.append('(');
            appendRepr(out, entry.getKey());
            out.append(", ");
            appendRepr(out, entry.getValue());
            out.append(')');
        } else if (value instanceof Map<?, ?> map) {
            appendMap(out, map);
        } else if (value instanceof Set<?> set) {
            if (set.isEmpty()) {
                out.append("set()");
            } else {
                appendItems(out, set.iterator(), '{', '}');
            }
        } else if (value instanceof Collection<?> collection) {
            appendItems(out, collection.iterator(), '[', ']');
        } else if (value.getClass().isArray()) {
            out.append('[');
            int length = Array.getLength(value);
            for (int i = 0; i < length; i++) {
                if (i > 0) {
                    out.append(", ");
                }
                appendRepr(out, Array.get(value, i));
            }
            out.append(']');
        } else {
            out.append(value);
        }
    }

    private static void appendMap(StringBuilder out, Map<?, ?> map) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!first) {
                out.append(", ");
            }
            first = false;
            appendRepr(out, entry.getKey());
            out.append(": ");
            appendRepr(out, entry.getValue());
        }
        out.append('}');
    }

    private static void appendItems(StringBuilder out, Iterator<?> items, char open, char close) {
        out.append(open);
        boolean first = true;
        while (items.hasNext()) {
            if (!first) {
                out.append(", ");
            }
            first = false;
            appendRepr(out, items.next());
        }
        out.append(close);
    }

    /** Quotes like Python: single quotes unless the text has a single quote and no double quote. */
    static void appendStringRepr(StringBuilder out, String text) {
        char quote = text.indexOf('\'') >= 0 && text.indexOf('"') < 0 ? '"' : '\'';
        out.append(quote);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c == quote) {
                        out.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append(quote);
    }

    /**
     * Python's float repr: round-trip digits, exponent form below 1e-4 and from 1e16.
     * NOTE: for some values Java 17's {@code Double.toString} gives one digit more than the
     * shortest form that Python prints; Java 19 changed it to the shortest form.
     */
    static String floatRepr(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return (1 / value) < 0 ? "-0.0" : "0.0";
        }
        BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        int exponent = decimal.precision() - decimal.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            BigInteger unscaled = decimal.unscaledValue().abs();
            String digits = unscaled.toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String sign = decimal.signum() < 0 ? "-" : "";
            String exponentText = (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
            return sign + mantissa + "e" + exponentText;
        }
        String plain = decimal.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
