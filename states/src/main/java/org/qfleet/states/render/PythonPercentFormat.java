package org.qfleet.states.render;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Python's printf-style {@code template % values}: conversions {@code s r d i f F e g x X o c %}
 * with flags {@code -0+ }, width, precision and {@code %(name)s} keys into a mapping.
 */
final class PythonPercentFormat {

    private PythonPercentFormat() {}

    static String format(String template, Object values) {
        List<Object> arguments = PythonOperators.formatArguments(values);
        Map<?, ?> mapping = values instanceof Map<?, ?> map ? map : null;
        StringBuilder out = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            i++;
            if (i >= template.length()) {
                throw new IllegalArgumentException("incomplete format");
            }
            Object value = null;
            boolean keyed = false;
            if (template.charAt(i) == '(') {
                int close = template.indexOf(')', i);
                if (mapping == null || close < 0) {
                    throw new IllegalArgumentException("format requires a mapping");
                }
                value = mapping.get(template.substring(i + 1, close));
                keyed = true;
                i = close + 1;
            }
            int specStart = i;
            while (i < template.length() && "-+ #0".indexOf(template.charAt(i)) >= 0) {
                i++;
            }
            while (i < template.length() && (Character.isDigit(template.charAt(i)) || template.charAt(i) == '.')) {
                i++;
            }
            if (i >= template.length()) {
                throw new IllegalArgumentException("incomplete format");
            }
            String flags = template.substring(specStart, i);
            char conversion = template.charAt(i++);
            if (conversion == '%') {
                out.append('%');
                continue;
            }
            if (!keyed) {
                if (next >= arguments.size()) {
                    throw new IllegalArgumentException("not enough arguments for format string");
                }
                value = arguments.get(next++);
            }
            out.append(convert(conversion, flags, value));
        }
        if (mapping == null && next < arguments.size()) {
            throw new IllegalArgumentException("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static String convert(char conversion, String flags, Object value) {
        String javaFlags = flags.replace("#", "");
        return switch (conversion) {
            case 's' -> String.format("%" + javaFlags.replace("0", "") + "s", PythonRepr.str(value));
            case 'r', 'a' -> String.format("%" + javaFlags.replace("0", "") + "s", PythonRepr.repr(value));
            case 'd', 'i', 'u' -> String.format("%" + javaFlags + "d", ((Number) value).longValue());
            case 'f', 'F', 'e', 'E', 'g', 'G' ->
                    String.format(Locale.ROOT, "%" + javaFlags + conversion, ((Number) value).doubleValue());
            case 'x', 'X', 'o' -> String.format("%" + javaFlags + conversion, ((Number) value).longValue());
            case 'c' -> value instanceof Number number ? String.valueOf((char) number.intValue()) : PythonRepr.str(value);
            default -> throw new IllegalArgumentException("unsupported format character '" + conversion + "'");
        };
    }
}
