package org.qfleet.states.render;

import java.util.List;
import java.util.Map;

/**
 * Writes JSON as Python's {@code json.dumps} does: {@code ", "} and {@code ": "} separators
 * (items end with {@code ","} when indenting), non-ASCII characters escaped as
 * {@code \\uXXXX}, floats in Python's repr. Input is the plain data of {@link YamlDump#plain}.
 */
final class PythonJson {

    private PythonJson() {}

    static String dumps(Object value, Integer indent) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, Integer indent, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean bool) {
            out.append(bool ? "true" : "false");
        } else if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            out.append(Double.isNaN(number) ? "NaN" : Double.isInfinite(number) ? (number > 0 ? "Infinity" : "-Infinity")
                    : PythonRepr.floatRepr(number));
        } else if (value instanceof Number) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                separator(out, first, indent, depth + 1);
                first = false;
                writeString(out, jsonKey(entry.getKey()));
                out.append(": ");
                write(out, entry.getValue(), indent, depth + 1);
            }
            close(out, indent, depth);
            out.append('}');
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            for (Object item : list) {
                separator(out, first, indent, depth + 1);
                first = false;
                write(out, item, indent, depth + 1);
            }
            close(out, indent, depth);
            out.append(']');
        } else {
            writeString(out, value.toString());
        }
    }

    private static String jsonKey(Object key) {
        if (key == null) {
            return "null";
        }
        if (key instanceof Boolean bool) {
            return bool ? "true" : "false";
        }
        return PythonRepr.str(key);
    }

    private static void separator(StringBuilder out, boolean first, Integer indent, int depth) {
        if (indent == null) {
            if (!first) {
                out.append(", ");
            }
            return;
        }
        if (!first) {
            out.append(',');
        }
        out.append('\n').append(" ".repeat(indent * depth));
    }

    private static void close(StringBuilder out, Integer indent, int depth) {
        if (indent != null) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void writeString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
