package org.qfleet.states.render;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code str.format}: replacement fields {@code {}}, {@code {0}}, {@code {name}},
 * with {@code .attr} and {@code [key]} lookups, {@code !r}/{@code !s} conversions and the
 * common part of the format spec (fill, align, sign, zero padding, width, precision, and
 * the types {@code s d f %}).
 */
final class PythonFormat {

    private static final Pattern SPEC = Pattern.compile(
            "(?:(.)?([<>^=]))?([+\\- ])?(#)?(0)?(\\d+)?(,)?(?:\\.(\\d+))?([bcdeEfFgGnosxX%])?");

    private PythonFormat() {}

    static String format(String template, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder out = new StringBuilder();
        int autoIndex = 0;
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{') {
                if (i + 1 < template.length() && template.charAt(i + 1) == '{') {
                    out.append('{');
                    i += 2;
                    continue;
                }
                int end = template.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("Single '{' encountered in format string");
                }
                String field = template.substring(i + 1, end);
                String spec = "";
                String conversion = "";
                int colon = field.indexOf(':');
                if (colon >= 0) {
                    spec = field.substring(colon + 1);
                    field = field.substring(0, colon);
                }
                int bang = field.indexOf('!');
                if (bang >= 0) {
                    conversion = field.substring(bang + 1);
                    field = field.substring(0, bang);
                }
                String head = field.split("[.\\[]", 2)[0];
                String rest = field.substring(head.length());
                Object value;
                if (head.isEmpty()) {
                    value = args.get(autoIndex++);
                } else if (head.chars().allMatch(Character::isDigit)) {
                    value = args.get(Integer.parseInt(head));
                } else if (kwargs.containsKey(head)) {
                    value = kwargs.get(head);
                } else {
                    throw new IllegalArgumentException("KeyError: " + PythonRepr.repr(head));
                }
                value = lookup(value, rest);
                String text = "r".equals(conversion) ? PythonRepr.repr(value) : null;
                out.append(applySpec(text != null ? text : value, spec));
                i = end + 1;
            } else if (c == '}') {
                if (i + 1 < template.length() && template.charAt(i + 1) == '}') {
                    i += 2;
                } else {
                    i++;
                }
                out.append('}');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static Object lookup(Object value, String path) {
        Matcher matcher = Pattern.compile("\\.([^.\\[]+)|\\[([^\\]]+)]").matcher(path);
        Object current = value;
        while (matcher.find()) {
            String key = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
            if (current instanceof Map<?, ?> map) {
                current = map.get(key);
            } else if (current instanceof List<?> list) {
                current = list.get(Integer.parseInt(key));
            } else {
                throw new IllegalArgumentException("cannot look up " + PythonRepr.repr(key) + " in "
                        + PythonRepr.repr(current));
            }
        }
        return current;
    }

    static String applySpec(Object value, String spec) {
        if (spec.isEmpty()) {
            return PythonRepr.str(value);
        }
        Matcher matcher = SPEC.matcher(spec);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Invalid format specifier " + PythonRepr.repr(spec));
        }
        String fill = matcher.group(1) != null ? matcher.group(1) : (matcher.group(5) != null ? "0" : " ");
        String align = matcher.group(2);
        String sign = matcher.group(3);
        int width = matcher.group(6) != null ? Integer.parseInt(matcher.group(6)) : 0;
        boolean grouping = matcher.group(7) != null;
        Integer precision = matcher.group(8) != null ? Integer.parseInt(matcher.group(8)) : null;
        String type = matcher.group(9);
        String body;
        boolean numeric = value instanceof Number;
        if (type == null || "s".equals(type)) {
            body = numeric && type == null ? PythonRepr.str(value) : PythonRepr.str(value);
            if (precision != null && !numeric && body.length() > precision) {
                body = body.substring(0, precision);
            }
        } else if ("d".equals(type) || "n".equals(type)) {
            body = grouping ? String.format("%,d", ((Number) value).longValue()) : Long.toString(((Number) value).longValue());
        } else if ("f".equals(type) || "F".equals(type)) {
            body = String.format(java.util.Locale.ROOT, (grouping ? "%,." : "%.") + (precision != null ? precision : 6) + "f",
                    ((Number) value).doubleValue());
        } else if ("%".equals(type)) {
            body = String.format(java.util.Locale.ROOT, "%." + (precision != null ? precision : 6) + "f",
                    ((Number) value).doubleValue() * 100) + "%";
        } else if ("x".equals(type) || "X".equals(type)) {
            body = Long.toHexString(((Number) value).longValue());
            body = "X".equals(type) ? body.toUpperCase(java.util.Locale.ROOT) : body;
        } else if ("o".equals(type)) {
            body = Long.toOctalString(((Number) value).longValue());
        } else if ("b".equals(type)) {
            body = Long.toBinaryString(((Number) value).longValue());
        } else {
            body = PythonRepr.str(value);
        }
        if (numeric && sign != null && !body.startsWith("-")) {
            body = ("+".equals(sign) ? "+" : " ".equals(sign) ? " " : "") + body;
        }
        if (body.length() >= width) {
            return body;
        }
        int padding = width - body.length();
        String effectiveAlign = align != null ? align : (numeric ? ">" : "<");
        if (matcher.group(5) != null && align == null && numeric) {
            effectiveAlign = "=";
        }
        switch (effectiveAlign) {
            case "<":
                return body + fill.repeat(padding);
            case "^":
                return fill.repeat(padding / 2) + body + fill.repeat(padding - padding / 2);
            case "=":
                if (body.startsWith("-") || body.startsWith("+")) {
                    return body.charAt(0) + fill.repeat(padding) + body.substring(1);
                }
                return fill.repeat(padding) + body;
            default:
                return fill.repeat(padding) + body;
        }
    }
}
