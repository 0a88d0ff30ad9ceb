package org.qfleet.states.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Python's {@code str} methods for strings in templates ({@code 'a b'.split()},
 * {@code name.startswith('sys-')}, {@code '{}-dvm'.format(name)}), which Java's
 * {@link String} lacks or spells differently.
 */
final class PythonStrings {

    private PythonStrings() {}

    /** Calls the method, or returns {@link SaltElResolver#NOT_HANDLED} for a name it does not know. */
    static Object call(String text, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "split":
                return split(text, optionalString(args, 0, kwargs, "sep"), maxSplit(args, kwargs));
            case "rsplit":
                return rsplit(text, optionalString(args, 0, kwargs, "sep"), maxSplit(args, kwargs));
            case "splitlines":
                return new ArrayList<Object>(List.of((Object[]) text.split("\r\n|\r|\n", -1)))
                        .subList(0, text.isEmpty() ? 0 : countLines(text));
            case "strip":
                return stripLeft(stripRight(text, optionalString(args, 0, kwargs, "chars")),
                        optionalString(args, 0, kwargs, "chars"));
            case "lstrip":
                return stripLeft(text, optionalString(args, 0, kwargs, "chars"));
            case "rstrip":
                return stripRight(text, optionalString(args, 0, kwargs, "chars"));
            case "startswith":
                return matchesAny(args.get(0), prefix -> text.startsWith(prefix));
            case "endswith":
                return matchesAny(args.get(0), suffix -> text.endsWith(suffix));
            case "replace": {
                String old = PythonRepr.str(args.get(0));
                String replacement = PythonRepr.str(args.get(1));
                int count = args.size() > 2 ? ((Number) args.get(2)).intValue() : -1;
                return replace(text, old, replacement, count);
            }
            case "upper":
                return text.toUpperCase(Locale.ROOT);
            case "lower":
                return text.toLowerCase(Locale.ROOT);
            case "title":
                return title(text);
            case "capitalize":
                return text.isEmpty() ? text
                        : text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1).toLowerCase(Locale.ROOT);
            case "swapcase":
                return swapCase(text);
            case "format":
                return PythonFormat.format(text, args, kwargs);
            case "join": {
                List<String> parts = new ArrayList<>();
                for (Object item : SaltFilters.iterate(args.get(0))) {
                    parts.add(PythonRepr.str(item));
                }
                return String.join(text, parts);
            }
            case "find":
                return (long) text.indexOf(PythonRepr.str(args.get(0)));
            case "rfind":
                return (long) text.lastIndexOf(PythonRepr.str(args.get(0)));
            case "index": {
                int index = text.indexOf(PythonRepr.str(args.get(0)));
                if (index < 0) {
                    throw new IllegalArgumentException("substring not found");
                }
                return (long) index;
            }
            case "count":
                return countOccurrences(text, PythonRepr.str(args.get(0)));
            case "isdigit":
                return !text.isEmpty() && text.chars().allMatch(Character::isDigit);
            case "isalpha":
                return !text.isEmpty() && text.chars().allMatch(Character::isLetter);
            case "isalnum":
                return !text.isEmpty() && text.chars().allMatch(Character::isLetterOrDigit);
            case "isspace":
                return !text.isEmpty() && text.chars().allMatch(Character::isWhitespace);
            case "isupper":
                return text.chars().anyMatch(Character::isLetter) && text.equals(text.toUpperCase(Locale.ROOT));
            case "islower":
                return text.chars().anyMatch(Character::isLetter) && text.equals(text.toLowerCase(Locale.ROOT));
            case "zfill": {
                int width = ((Number) args.get(0)).intValue();
                return text.length() >= width ? text : "0".repeat(width - text.length()) + text;
            }
            case "ljust":
                return pad(text, args, false);
            case "rjust":
                return pad(text, args, true);
            case "partition":
                return partition(text, PythonRepr.str(args.get(0)), false);
            case "rpartition":
                return partition(text, PythonRepr.str(args.get(0)), true);
            default:
                return SaltElResolver.NOT_HANDLED;
        }
    }

    private static int countLines(String text) {
        String[] lines = text.split("\r\n|\r|\n", -1);
        return text.endsWith("\n") || text.endsWith("\r") ? lines.length - 1 : lines.length;
    }

    private static String optionalString(List<Object> args, int index, Map<String, Object> kwargs, String name) {
        Object value = kwargs.containsKey(name) ? kwargs.get(name) : (args.size() > index ? args.get(index) : null);
        return value == null ? null : PythonRepr.str(value);
    }

    private static int maxSplit(List<Object> args, Map<String, Object> kwargs) {
        Object value = kwargs.containsKey("maxsplit") ? kwargs.get("maxsplit") : (args.size() > 1 ? args.get(1) : null);
        return value == null ? -1 : ((Number) value).intValue();
    }

    /** Python's split: with no separator, runs of whitespace split and the ends are trimmed. */
    static List<Object> split(String text, String separator, int maxSplit) {
        List<Object> parts = new ArrayList<>();
        if (separator == null) {
            int i = 0;
            int n = text.length();
            while (true) {
                while (i < n && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(stripRight(text.substring(i), null));
                    break;
                }
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
                parts.add(text.substring(start, i));
            }
            return parts;
        }
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int start = 0;
        while (maxSplit < 0 || parts.size() < maxSplit) {
            int index = text.indexOf(separator, start);
            if (index < 0) {
                break;
            }
            parts.add(text.substring(start, index));
            start = index + separator.length();
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static List<Object> rsplit(String text, String separator, int maxSplit) {
        if (maxSplit < 0) {
            return split(text, separator, maxSplit);
        }
        List<Object> parts = new ArrayList<>();
        if (separator == null) {
            String rest = stripRight(text, null);
            while (parts.size() < maxSplit) {
                int end = rest.length();
                int i = end;
                while (i > 0 && !Character.isWhitespace(rest.charAt(i - 1))) {
                    i--;
                }
                if (i == 0) {
                    break;
                }
                parts.add(0, rest.substring(i, end));
                rest = stripRight(rest.substring(0, i), null);
            }
            rest = stripLeft(rest, null);
            if (!rest.isEmpty()) {
                parts.add(0, rest);
            }
            return parts;
        }
        int end = text.length();
        while (parts.size() < maxSplit) {
            int index = text.lastIndexOf(separator, end - separator.length());
            if (index < 0) {
                break;
            }
            parts.add(0, text.substring(index + separator.length(), end));
            end = index;
        }
        parts.add(0, text.substring(0, end));
        return parts;
    }

    static String stripLeft(String text, String chars) {
        int start = 0;
        while (start < text.length() && isStripped(text.charAt(start), chars)) {
            start++;
        }
        return text.substring(start);
    }

    static String stripRight(String text, String chars) {
        int end = text.length();
        while (end > 0 && isStripped(text.charAt(end - 1), chars)) {
            end--;
        }
        return text.substring(0, end);
    }

    private static boolean isStripped(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    private static boolean matchesAny(Object candidates, java.util.function.Predicate<String> test) {
        if (candidates instanceof List<?> || candidates instanceof Object[]) {
            for (Object candidate : SaltFilters.iterate(candidates)) {
                if (test.test(PythonRepr.str(candidate))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(PythonRepr.str(candidates));
    }

    static String replace(String text, String old, String replacement, int count) {
        if (count < 0) {
            return text.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int start = 0;
        for (int done = 0; done < count; done++) {
            int index = text.indexOf(old, start);
            if (index < 0) {
                break;
            }
            out.append(text, start, index).append(replacement);
            start = index + old.length();
        }
        return out.append(text.substring(start)).toString();
    }

    private static String title(String text) {
        StringBuilder out = new StringBuilder();
        boolean previousIsLetter = false;
        for (char c : text.toCharArray()) {
            out.append(previousIsLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousIsLetter = Character.isLetter(c);
        }
        return out.toString();
    }

    private static String swapCase(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return out.toString();
    }

    private static long countOccurrences(String text, String part) {
        if (part.isEmpty()) {
            return text.length() + 1L;
        }
        long count = 0;
        int index = text.indexOf(part);
        while (index >= 0) {
            count++;
            index = text.indexOf(part, index + part.length());
        }
        return count;
    }

    private static String pad(String text, List<Object> args, boolean left) {
        int width = ((Number) args.get(0)).intValue();
        String fill = args.size() > 1 ? PythonRepr.str(args.get(1)) : " ";
        if (text.length() >= width) {
            return text;
        }
        String padding = fill.repeat(width - text.length());
        return left ? padding + text : text + padding;
    }

    private static List<Object> partition(String text, String separator, boolean fromRight) {
        int index = fromRight ? text.lastIndexOf(separator) : text.indexOf(separator);
        if (index < 0) {
            return fromRight ? new ArrayList<>(List.of("", "", text)) : new ArrayList<>(List.of(text, "", ""));
        }
        return new ArrayList<>(List.of(text.substring(0, index), separator, text.substring(index + separator.length())));
    }
}
