package org.qfleet.states.render;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.SafeString;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The filters of Salt's Jinja environment that Jinjava lacks or implements differently:
 * Salt's own filters ({@code yaml}, {@code json}, {@code yaml_encode}, {@code regex_*},
 * {@code unique}, {@code to_bool} ...) and Jinja2 filters whose Python behaviour formulas
 * rely on ({@code indent(blank=...)}, {@code max}, {@code min}, {@code int}, {@code round},
 * {@code default}).
 */
final class SaltFilters {

    private SaltFilters() {}

    /** The filters that Jinja2's StrictUndefined lets an undefined value through. */
    private static final java.util.Set<String> ACCEPTS_UNDEFINED = java.util.Set.of("default", "d");

    @FunctionalInterface
    interface Body {
        Object apply(Object value, List<Object> args, Map<String, Object> kwargs);
    }

    /** A filter that receives its arguments as objects, positional and named apart. */
    record NamedFilter(String name, Body body) implements Filter {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (var instanceof Undefined undefined && !ACCEPTS_UNDEFINED.contains(name)) {
                throw undefined.error();
            }
            try {
                return body.apply(var, Arrays.asList(args), kwargs);
            } catch (Undefined.UndefinedException e) {
                throw e;
            } catch (RuntimeException e) {
                RuntimeException error = new IllegalArgumentException("filter '" + name + "' failed on "
                        + describe(var) + ": " + Objects.toString(e.getMessage(), e.getClass().getSimpleName()), e);
                RenderSession.current().ifPresent(session -> session.recordError(error));
                throw error;
            }
        }
    }

    private static String describe(Object value) {
        try {
            String text = PythonRepr.repr(value);
            return text.length() > 80 ? text.substring(0, 77) + "..." : text;
        } catch (RuntimeException e) {
            return "an undefined value";
        }
    }

    static void registerAll(Context context) {
        List<NamedFilter> filters = List.of(
                new NamedFilter("yaml", (value, args, kwargs) -> new SafeString(YamlDump.dump(value,
                        flowStyleArgument(argument(args, kwargs, 0, "flow_style", Boolean.TRUE))))),
                new NamedFilter("json", (value, args, kwargs) -> new SafeString(toJson(value,
                        truthy(argument(args, kwargs, 0, "sort_keys", Boolean.TRUE)),
                        argument(args, kwargs, 1, "indent", null)))),
                new NamedFilter("tojson", (value, args, kwargs) -> new SafeString(toJson(value, false,
                        argument(args, kwargs, 0, "indent", null)))),
                // NOTE: Salt's python filter is pprint.pformat, which wraps values longer than 80
                // characters over several lines; this one prints the repr on one line.
                new NamedFilter("python", (value, args, kwargs) -> new SafeString(PythonRepr.repr(value))),
                new NamedFilter("indent", SaltFilters::indent),
                new NamedFilter("max", (value, args, kwargs) -> extreme(value, 1)),
                new NamedFilter("min", (value, args, kwargs) -> extreme(value, -1)),
                new NamedFilter("int", (value, args, kwargs) -> toInt(value, argument(args, kwargs, 0, "default", 0L),
                        ((Number) argument(args, kwargs, 1, "base", 10L)).intValue())),
                new NamedFilter("float", (value, args, kwargs) -> toFloat(value, argument(args, kwargs, 0, "default", 0.0))),
                new NamedFilter("round", SaltFilters::round),
                new NamedFilter("default", SaltFilters::defaultValue),
                new NamedFilter("d", SaltFilters::defaultValue),
                new NamedFilter("string", (value, args, kwargs) -> PythonRepr.str(value)),
                new NamedFilter("list", (value, args, kwargs) -> toList(value)),
                new NamedFilter("dictsort", SaltFilters::dictsort),
                new NamedFilter("join", SaltFilters::join),
                new NamedFilter("length", (value, args, kwargs) -> length(value)),
                new NamedFilter("count", (value, args, kwargs) -> length(value)),
                new NamedFilter("sort", SaltFilters::sort),
                new NamedFilter("sum", SaltFilters::sum),
                new NamedFilter("yaml_encode", (value, args, kwargs) -> yamlEncode(value)),
                new NamedFilter("yaml_dquote", (value, args, kwargs) -> yamlDoubleQuote(PythonRepr.str(value))),
                new NamedFilter("yaml_squote", (value, args, kwargs) ->
                        "'" + PythonRepr.str(value).replace("'", "''") + "'"),
                new NamedFilter("regex_search", (value, args, kwargs) -> regex(value, args, kwargs, false)),
                new NamedFilter("regex_match", (value, args, kwargs) -> regex(value, args, kwargs, true)),
                new NamedFilter("regex_replace", SaltFilters::regexReplace),
                new NamedFilter("regex_escape", (value, args, kwargs) -> regexEscape(PythonRepr.str(value))),
                new NamedFilter("unique", (value, args, kwargs) -> unique(iterate(value))),
                new NamedFilter("to_bool", (value, args, kwargs) -> toBool(value)),
                new NamedFilter("to_num", (value, args, kwargs) -> toNumber(value)),
                new NamedFilter("quote", (value, args, kwargs) -> shellQuote(PythonRepr.str(value))),
                new NamedFilter("sequence", (value, args, kwargs) ->
                        value instanceof CharSequence ? new ArrayList<>(List.of(value.toString())) : value),
                new NamedFilter("flatten", SaltFilters::flatten),
                new NamedFilter("union", (value, args, kwargs) -> {
                    List<Object> all = new ArrayList<>(toList(value));
                    all.addAll(toList(args.get(0)));
                    return unique(all);
                }),
                new NamedFilter("intersect", (value, args, kwargs) -> {
                    List<Object> other = toList(args.get(0));
                    return unique(toList(value).stream().filter(item -> containsPy(other, item)).toList());
                }),
                new NamedFilter("difference", (value, args, kwargs) -> {
                    List<Object> other = toList(args.get(0));
                    return unique(toList(value).stream().filter(item -> !containsPy(other, item)).toList());
                }),
                new NamedFilter("symmetric_difference", (value, args, kwargs) -> {
                    List<Object> left = toList(value);
                    List<Object> right = toList(args.get(0));
                    List<Object> result = new ArrayList<>();
                    left.stream().filter(item -> !containsPy(right, item)).forEach(result::add);
                    right.stream().filter(item -> !containsPy(left, item)).forEach(result::add);
                    return unique(result);
                }),
                new NamedFilter("is_list", (value, args, kwargs) -> value instanceof List<?>),
                new NamedFilter("path_join", SaltFilters::pathJoin),
                new NamedFilter("traverse", (value, args, kwargs) -> Traverse.path(value, PythonRepr.str(args.get(0)),
                        PythonRepr.str(argument(args, kwargs, 2, "delimiter", ":")),
                        argument(args, kwargs, 1, "default", null))),
                new NamedFilter("strftime", SaltFilters::strftime),
                new NamedFilter("md5", (value, args, kwargs) -> digest("MD5", value)),
                new NamedFilter("sha1", (value, args, kwargs) -> digest("SHA-1", value)),
                new NamedFilter("sha256", (value, args, kwargs) -> digest("SHA-256", value)),
                new NamedFilter("sha512", (value, args, kwargs) -> digest("SHA-512", value)),
                new NamedFilter("base64_encode", (value, args, kwargs) ->
                        Base64.getEncoder().encodeToString(PythonRepr.str(value).getBytes(StandardCharsets.UTF_8))),
                new NamedFilter("base64_decode", (value, args, kwargs) ->
                        new String(Base64.getDecoder().decode(PythonRepr.str(value).strip()), StandardCharsets.UTF_8)),
                new NamedFilter("load_yaml", (value, args, kwargs) -> SerializerTags.parseYaml(PythonRepr.str(value))),
                new NamedFilter("load_json", (value, args, kwargs) -> SerializerTags.parseJson(PythonRepr.str(value))),
                new NamedFilter("load_text", (value, args, kwargs) -> PythonRepr.str(value)),
                new NamedFilter("skip", (value, args, kwargs) -> ""));
        for (NamedFilter filter : filters) {
            context.registerFilter(filter);
        }
    }

    static Object argument(List<Object> args, Map<String, Object> kwargs, int index, String name, Object fallback) {
        if (kwargs.containsKey(name)) {
            return kwargs.get(name);
        }
        return args.size() > index ? args.get(index) : fallback;
    }

    private static Boolean flowStyleArgument(Object value) {
        return value == null ? null : truthy(value);
    }

    static boolean truthy(Object value) {
        if (value instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean bool) {
            return bool;
        }
        if (value instanceof Number number) {
            return number.doubleValue() != 0;
        }
        if (value instanceof CharSequence text) {
            return text.length() > 0;
        }
        if (value instanceof Collection<?> collection) {
            return !collection.isEmpty();
        }
        if (value instanceof Map<?, ?> map) {
            return !map.isEmpty();
        }
        return true;
    }

    private static String toJson(Object value, boolean sortKeys, Object indent) {
        Object plain = sortKeys ? YamlDump.plain(value) : plainKeepingOrder(value);
        return PythonJson.dumps(plain, indent == null ? null : ((Number) indent).intValue());
    }

    private static Object plainKeepingOrder(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new java.util.LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                copy.put(PythonRepr.str(entry.getKey()), plainKeepingOrder(entry.getValue()));
            }
            return copy;
        }
        if (value instanceof Collection<?> || value instanceof PythonTuple || (value != null && value.getClass().isArray())) {
            List<Object> copy = new ArrayList<>();
            for (Object item : value instanceof PythonTuple tuple ? List.of(tuple.getKey(), tuple.getValue()) : iterate(value)) {
                copy.add(plainKeepingOrder(item));
            }
            return copy;
        }
        return YamlDump.plain(value);
    }

    /** Jinja2 3.x {@code indent(width=4, first=False, blank=False)}. */
    private static Object indent(Object value, List<Object> args, Map<String, Object> kwargs) {
        Object widthArgument = argument(args, kwargs, 0, "width", 4L);
        String indention = widthArgument instanceof Number number ? " ".repeat(number.intValue())
                : PythonRepr.str(widthArgument);
        boolean first = truthy(argument(args, kwargs, 1, "first", kwargs.getOrDefault("indentfirst", false)));
        boolean blank = truthy(argument(args, kwargs, 2, "blank", false));
        String text = PythonRepr.str(value) + "\n";
        List<String> lines = splitLines(text);
        String result;
        if (blank) {
            result = String.join("\n" + indention, lines);
        } else {
            StringBuilder out = new StringBuilder(lines.isEmpty() ? "" : lines.get(0));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                out.append('\n');
                if (!line.isEmpty()) {
                    out.append(indention).append(line);
                }
            }
            result = out.toString();
        }
        if (first) {
            result = indention + result;
        }
        return value instanceof SafeString ? new SafeString(result) : result;
    }

    /** Python's {@code str.splitlines()} for the line breaks that occur in text files. */
    static List<String> splitLines(String text) {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        return lines;
    }

    private static Object extreme(Object value, int sign) {
        Object best = null;
        boolean found = false;
        for (Object item : iterate(value)) {
            if (!found || compare(item, best) * sign > 0) {
                best = item;
                found = true;
            }
        }
        if (!found) {
            throw new IllegalArgumentException((sign > 0 ? "max" : "min") + "() arg is an empty sequence");
        }
        return best;
    }

    /** Jinja2's {@code int}: numbers truncate, numeric text parses, anything else is the default. */
    private static Object toInt(Object value, Object fallback, int base) {
        if (value instanceof Boolean bool) {
            return bool ? 1L : 0L;
        }
        if (value instanceof Number number) {
            return number instanceof Double || number instanceof Float || number instanceof BigDecimal
                    ? (long) number.doubleValue() : number.longValue();
        }
        if (value instanceof CharSequence text) {
            String trimmed = text.toString().strip().replace("_", "");
            try {
                if (base != 10) {
                    String digits = trimmed.toLowerCase(Locale.ROOT);
                    if ((base == 16 && digits.startsWith("0x")) || (base == 8 && digits.startsWith("0o"))
                            || (base == 2 && digits.startsWith("0b"))) {
                        digits = digits.substring(2);
                    }
                    return Long.parseLong(digits, base);
                }
                return Long.parseLong(trimmed);
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(trimmed);
                } catch (NumberFormatException notFloat) {
                    return fallback;
                }
            }
        }
        return fallback;
    }

    private static Object toFloat(Object value, Object fallback) {
        if (value instanceof Boolean bool) {
            return bool ? 1.0 : 0.0;
        }
        if (value instanceof Number number) {
            return number.doubleValue();
        }
        if (value instanceof CharSequence text) {
            try {
                return Double.parseDouble(text.toString().strip());
            } catch (NumberFormatException e) {
                return fallback;
            }
        }
        return fallback;
    }

    /**
     * Jinja2's {@code round(precision=0, method='common')}: common rounds half to even on the
     * binary value as Python's {@code round} does, ceil and floor round up and down. The result
     * is a float except that an integer rounded by the common method stays an integer.
     */
    private static Object round(Object value, List<Object> args, Map<String, Object> kwargs) {
        int precision = ((Number) argument(args, kwargs, 0, "precision", 0L)).intValue();
        String method = PythonRepr.str(argument(args, kwargs, 1, "method", "common"));
        Number number = value instanceof Number n ? n : (Number) toFloat(value, 0.0);
        boolean integral = number instanceof Long || number instanceof Integer || number instanceof Short;
        if (integral && "common".equals(method)) {
            return number.longValue();
        }
        BigDecimal exact = new BigDecimal(number.doubleValue());
        RoundingMode mode = switch (method) {
            case "common" -> RoundingMode.HALF_EVEN;
            case "ceil" -> RoundingMode.CEILING;
            case "floor" -> RoundingMode.FLOOR;
            default -> throw new IllegalArgumentException("method must be common, ceil or floor");
        };
        return exact.setScale(precision, mode).doubleValue();
    }

    private static Object defaultValue(Object value, List<Object> args, Map<String, Object> kwargs) {
        Object fallback = argument(args, kwargs, 0, "default_value", "");
        boolean useFalsy = truthy(argument(args, kwargs, 1, "boolean", false));
        if (value instanceof Undefined) {
            return fallback;
        }
        if (useFalsy && !truthy(value)) {
            return fallback;
        }
        return value;
    }

    private static Object dictsort(Object value, List<Object> args, Map<String, Object> kwargs) {
        boolean caseSensitive = truthy(argument(args, kwargs, 0, "case_sensitive", false));
        String by = PythonRepr.str(argument(args, kwargs, 1, "by", "key"));
        boolean reverse = truthy(argument(args, kwargs, 2, "reverse", false));
        List<PythonTuple> items = new ArrayList<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
            items.add(new PythonTuple(entry.getKey(), entry.getValue()));
        }
        items.sort((a, b) -> {
            Object left = "value".equals(by) ? a.getValue() : a.getKey();
            Object right = "value".equals(by) ? b.getValue() : b.getKey();
            if (!caseSensitive && left instanceof CharSequence && right instanceof CharSequence) {
                left = left.toString().toLowerCase(Locale.ROOT);
                right = right.toString().toLowerCase(Locale.ROOT);
            }
            return compare(left, right);
        });
        if (reverse) {
            java.util.Collections.reverse(items);
        }
        return new ArrayList<Object>(items);
    }

    /** Python's {@code len()}. */
    private static long length(Object value) {
        if (value instanceof CharSequence text) {
            return text.toString().codePointCount(0, text.length());
        }
        if (value instanceof Map<?, ?> map) {
            return map.size();
        }
        if (value instanceof Collection<?> collection) {
            return collection.size();
        }
        if (value != null && value.getClass().isArray()) {
            return java.lang.reflect.Array.getLength(value);
        }
        throw new IllegalArgumentException("object of type '" + (value == null ? "NoneType" : value.getClass().getSimpleName())
                + "' has no len()");
    }

    /** Jinja2's {@code join(d='', attribute=None)} with Python's {@code str()} of each item. */
    private static Object join(Object value, List<Object> args, Map<String, Object> kwargs) {
        String separator = PythonRepr.str(argument(args, kwargs, 0, "d", ""));
        Object attribute = argument(args, kwargs, 1, "attribute", null);
        List<String> parts = new ArrayList<>();
        for (Object item : iterate(value)) {
            Object part = attribute == null ? item : Traverse.path(item, PythonRepr.str(attribute), ".", null);
            parts.add(PythonRepr.str(part));
        }
        return String.join(separator, parts);
    }

    /** Jinja2's {@code sort(reverse=False, case_sensitive=False, attribute=None)}. */
    private static Object sort(Object value, List<Object> args, Map<String, Object> kwargs) {
        boolean reverse = truthy(argument(args, kwargs, 0, "reverse", false));
        boolean caseSensitive = truthy(argument(args, kwargs, 1, "case_sensitive", false));
        Object attribute = argument(args, kwargs, 2, "attribute", null);
        List<Object> items = toList(value);
        items.sort((a, b) -> {
            Object left = attribute == null ? a : Traverse.path(a, PythonRepr.str(attribute), ".", null);
            Object right = attribute == null ? b : Traverse.path(b, PythonRepr.str(attribute), ".", null);
            if (!caseSensitive && left instanceof CharSequence && right instanceof CharSequence) {
                left = left.toString().toLowerCase(Locale.ROOT);
                right = right.toString().toLowerCase(Locale.ROOT);
            }
            return compare(left, right);
        });
        if (reverse) {
            java.util.Collections.reverse(items);
        }
        return items;
    }

    /** Jinja2's {@code sum(attribute=None, start=0)}: integers stay integers unless a float takes part. */
    private static Object sum(Object value, List<Object> args, Map<String, Object> kwargs) {
        Object attribute = argument(args, kwargs, 0, "attribute", null);
        Number start = (Number) argument(args, kwargs, 1, "start", 0L);
        boolean floating = start instanceof Double || start instanceof Float;
        long whole = floating ? 0 : start.longValue();
        double fraction = floating ? start.doubleValue() : 0;
        for (Object item : iterate(value)) {
            Object part = attribute == null ? item : Traverse.path(item, PythonRepr.str(attribute), ".", null);
            if (part instanceof Double || part instanceof Float || part instanceof BigDecimal) {
                floating = true;
                fraction += ((Number) part).doubleValue();
            } else if (part instanceof Number number) {
                whole += number.longValue();
            } else if (part instanceof Boolean bool) {
                whole += bool ? 1 : 0;
            } else {
                throw new IllegalArgumentException("unsupported operand type for +: " + PythonRepr.repr(part));
            }
        }
        return floating ? (Object) (whole + fraction) : (Object) whole;
    }

    private static Object yamlEncode(Object value) {
        if (value instanceof CharSequence text) {
            return yamlDoubleQuote(text.toString());
        }
        if (value == null) {
            return "null";
        }
        if (value instanceof Boolean bool) {
            return bool ? "true" : "false";
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            if (Double.isNaN(number)) {
                return ".nan";
            }
            if (Double.isInfinite(number)) {
                return number > 0 ? ".inf" : "-.inf";
            }
            return PythonRepr.floatRepr(number);
        }
        if (value instanceof Number) {
            return value.toString();
        }
        throw new IllegalArgumentException("yaml_encode() only works with YAML scalar data");
    }

    /** Quotes text as a double-quoted YAML scalar with PyYAML's escapes, non-ASCII characters included. */
    static String yamlDoubleQuote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\0' -> out.append("\\0");
                case '\u0007' -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\u000b' -> out.append("\\v");
                case '\f' -> out.append("\\f");
                case '\r' -> out.append("\\r");
                case '\u001b' -> out.append("\\e");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\u0085' -> out.append("\\N");
                case '\u00a0' -> out.append("\\_");
                case '\u2028' -> out.append("\\L");
                case '\u2029' -> out.append("\\P");
                default -> {
                    if (c >= ' ' && c <= '~') {
                        out.append(c);
                    } else if (c <= 0xff) {
                        out.append(String.format("\\x%02X", (int) c));
                    } else {
                        out.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static Object regex(Object value, List<Object> args, Map<String, Object> kwargs, boolean anchored) {
        Pattern pattern = compile(PythonRepr.str(args.get(0)), args, kwargs, 1);
        Matcher matcher = pattern.matcher(PythonRepr.str(value));
        boolean found = anchored ? matcher.lookingAt() : matcher.find();
        if (!found) {
            return null;
        }
        List<Object> groups = new PythonTuple.Sequence();
        for (int i = 1; i <= matcher.groupCount(); i++) {
            groups.add(matcher.group(i));
        }
        return groups;
    }

    private static Object regexReplace(Object value, List<Object> args, Map<String, Object> kwargs) {
        Pattern pattern = compile(PythonRepr.str(args.get(0)), args, kwargs, 2);
        String replacement = PythonRepr.str(args.get(1));
        return pattern.matcher(PythonRepr.str(value)).replaceAll(pythonReplacement(replacement));
    }

    /** Converts Python's {@code \1} and {@code \g<name>} group references to Java's {@code $1}. */
    private static String pythonReplacement(String replacement) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c == '\\' && i + 1 < replacement.length()) {
                char next = replacement.charAt(i + 1);
                if (Character.isDigit(next)) {
                    out.append('$').append(next);
                    i++;
                    continue;
                }
                if (next == 'g' && i + 2 < replacement.length() && replacement.charAt(i + 2) == '<') {
                    int end = replacement.indexOf('>', i);
                    String group = replacement.substring(i + 3, end);
                    out.append(group.chars().allMatch(Character::isDigit) ? "$" + group : "${" + group + "}");
                    i = end;
                    continue;
                }
                if (next == 'n') {
                    out.append('\n');
                    i++;
                    continue;
                }
                out.append(Matcher.quoteReplacement(String.valueOf(next)));
                i++;
                continue;
            }
            out.append(c == '$' ? "\\$" : String.valueOf(c));
        }
        return out.toString();
    }

    private static Pattern compile(String regex, List<Object> args, Map<String, Object> kwargs, int flagIndex) {
        int flags = 0;
        if (truthy(argument(args, kwargs, flagIndex, "ignorecase", false))) {
            flags |= Pattern.CASE_INSENSITIVE;
        }
        if (truthy(argument(args, kwargs, flagIndex + 1, "multiline", false))) {
            flags |= Pattern.MULTILINE;
        }
        return Pattern.compile(regex.replace("(?P<", "(?<").replace("(?P=", "\\k<"), flags);
    }

    /** Python's {@code re.escape} (3.7+): escapes every character that has a meaning in a pattern. */
    private static String regexEscape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if ("()[]{}?*+-|^$\\.&~# \t\n\r\u000b\f".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    static List<Object> unique(Iterable<?> values) {
        List<Object> result = new ArrayList<>();
        for (Object value : values) {
            if (!containsPy(result, value)) {
                result.add(value);
            }
        }
        return result;
    }

    private static boolean containsPy(List<Object> list, Object value) {
        return list.stream().anyMatch(item -> pyEquals(item, value));
    }

    /** Salt's {@code to_bool}: text is true when it is yes, 1 or true, numbers when positive. */
    private static boolean toBool(Object value) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean bool) {
            return bool;
        }
        if (value instanceof CharSequence text) {
            String lower = text.toString().toLowerCase(Locale.ROOT);
            return lower.equals("yes") || lower.equals("1") || lower.equals("true");
        }
        if (value instanceof Number number) {
            return number.doubleValue() > 0;
        }
        if (value instanceof Collection<?> collection) {
            return !collection.isEmpty();
        }
        if (value instanceof Map<?, ?> map) {
            return !map.isEmpty();
        }
        return false;
    }

    private static Object toNumber(Object value) {
        if (value instanceof Number) {
            return value;
        }
        String text = PythonRepr.str(value).strip();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(text);
            } catch (NumberFormatException notFloat) {
                return value;
            }
        }
    }

    /** Python's {@code shlex.quote}. */
    static String shellQuote(String text) {
        if (text.isEmpty()) {
            return "''";
        }
        if (text.matches("[A-Za-z0-9@%+=:,./_-]+")) {
            return text;
        }
        return "'" + text.replace("'", "'\"'\"'") + "'";
    }

    private static Object flatten(Object value, List<Object> args, Map<String, Object> kwargs) {
        Object levels = argument(args, kwargs, 0, "levels", null);
        boolean preserveNulls = truthy(argument(args, kwargs, 1, "preserve_nulls", false));
        List<Object> result = new ArrayList<>();
        flattenInto(result, value, levels == null ? -1 : ((Number) levels).intValue(), preserveNulls);
        return result;
    }

    private static void flattenInto(List<Object> out, Object value, int levels, boolean preserveNulls) {
        for (Object item : iterate(value)) {
            if (item == null && !preserveNulls) {
                continue;
            }
            if (item instanceof List<?> && levels != 0) {
                flattenInto(out, item, levels - 1, preserveNulls);
            } else {
                out.add(item);
            }
        }
    }

    /** {@code os.path.join}: a part that starts with a slash restarts the path. */
    private static Object pathJoin(Object value, List<Object> args, Map<String, Object> kwargs) {
        List<Object> parts = new ArrayList<>();
        if (value instanceof List<?> list) {
            parts.addAll(list);
        } else {
            parts.add(value);
        }
        parts.addAll(args);
        StringBuilder path = new StringBuilder();
        for (Object part : parts) {
            String text = PythonRepr.str(part);
            if (text.startsWith("/")) {
                path.setLength(0);
                path.append(text);
            } else if (path.length() == 0 || path.charAt(path.length() - 1) == '/') {
                path.append(text);
            } else {
                path.append('/').append(text);
            }
        }
        return path.toString();
    }

    /** Salt's {@code strftime}: epoch seconds, ISO dates or "now", formatted with a C format. */
    private static Object strftime(Object value, List<Object> args, Map<String, Object> kwargs) {
        String format = PythonRepr.str(argument(args, kwargs, 0, "date_format", "%Y-%m-%d"));
        ZonedDateTime time;
        if (value instanceof Number number) {
            time = Instant.ofEpochMilli((long) (number.doubleValue() * 1000)).atZone(ZoneOffset.UTC);
        } else {
            String text = PythonRepr.str(value).strip();
            if (text.equalsIgnoreCase("now")) {
                time = ZonedDateTime.now(ZoneOffset.UTC);
            } else if (text.matches("\\d+(\\.\\d+)?")) {
                time = Instant.ofEpochMilli((long) (Double.parseDouble(text) * 1000)).atZone(ZoneOffset.UTC);
            } else if (text.length() == 10) {
                time = LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC);
            } else {
                time = LocalDateTime.parse(text.replace(' ', 'T')).atZone(ZoneOffset.UTC);
            }
        }
        return com.hubspot.jinjava.objects.date.StrftimeFormatter.format(time, format);
    }

    private static String digest(String algorithm, Object value) {
        try {
            MessageDigest digest = MessageDigest.getInstance(algorithm);
            return HexFormat.of().formatHex(digest.digest(PythonRepr.str(value).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available in this Java runtime", e);
        }
    }

    /** Iterates a template value as Python would: lists and sets by item, mappings by key, text by character. */
    static Iterable<Object> iterate(Object value) {
        if (value instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (value == null) {
            throw new IllegalArgumentException("'NoneType' object is not iterable");
        }
        if (value instanceof Map<?, ?> map) {
            return new ArrayList<>(map.keySet());
        }
        if (value instanceof Iterable<?> iterable) {
            List<Object> items = new ArrayList<>();
            iterable.forEach(items::add);
            return items;
        }
        if (value.getClass().isArray()) {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(value); i++) {
                items.add(java.lang.reflect.Array.get(value, i));
            }
            return items;
        }
        if (value instanceof CharSequence text) {
            List<Object> characters = new ArrayList<>();
            text.toString().codePoints().forEach(code -> characters.add(new String(Character.toChars(code))));
            return characters;
        }
        if (value instanceof Iterator<?> iterator) {
            List<Object> items = new ArrayList<>();
            iterator.forEachRemaining(items::add);
            return items;
        }
        throw new IllegalArgumentException("'" + value.getClass().getSimpleName() + "' object is not iterable");
    }

    static List<Object> toList(Object value) {
        List<Object> items = new ArrayList<>();
        if (value instanceof PythonTuple tuple) {
            items.add(tuple.getKey());
            items.add(tuple.getValue());
            return items;
        }
        iterate(value).forEach(items::add);
        return items;
    }

    /** Python equality: numbers compare by value across types, text by content. */
    static boolean pyEquals(Object left, Object right) {
        if (left instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (right instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (left instanceof Number a && right instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        if (left instanceof CharSequence a && right instanceof CharSequence b) {
            return a.toString().equals(b.toString());
        }
        return Objects.equals(left, right);
    }

    /** Orders values as Python does for comparable types; mixed types order by type name. */
    static int compare(Object left, Object right) {
        if (left instanceof Number a && right instanceof Number b) {
            return Double.compare(a.doubleValue(), b.doubleValue());
        }
        if (left instanceof Boolean a && right instanceof Boolean b) {
            return Boolean.compare(a, b);
        }
        if (left instanceof CharSequence a && right instanceof CharSequence b) {
            return a.toString().compareTo(b.toString());
        }
        if (left instanceof List<?> a && right instanceof List<?> b) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                int result = compare(a.get(i), b.get(i));
                if (result != 0) {
                    return result;
                }
            }
            return Integer.compare(a.size(), b.size());
        }
        if (left == null && right == null) {
            return 0;
        }
        if (left == null) {
            return -1;
        }
        if (right == null) {
            return 1;
        }
        return left.getClass().getSimpleName().compareTo(right.getClass().getSimpleName());
    }
}
