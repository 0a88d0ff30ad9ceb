package org.qfleet.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Salt's "nested" layout for arbitrary data: mappings as {@code key:} lines with values
 * indented four more, nested mappings opened by a dashed line, lists as {@code - item} or
 * {@code |_} before a nested item. Mapping keys are sorted, as Salt sorts plain dicts.
 */
final class NestedOutputter {

    private final Colors colors;

    NestedOutputter(Colors colors) {
        this.colors = colors;
    }

    /** Formats {@code data} with every line indented by {@code indent} spaces. */
    String format(Object data, int indent) {
        List<String> lines = new ArrayList<>();
        display(data, indent, "", lines);
        return String.join("\n", lines);
    }

    private void display(Object value, int indent, String prefix, List<String> out) {
        if (value == null || value instanceof Boolean) {
            out.add(line(indent, colors.lightYellow(), prefix + PythonText.repr(value), ""));
        } else if (value instanceof Number number) {
            out.add(line(indent, colors.lightYellow(), prefix + PythonText.repr(number), ""));
        } else if (value instanceof String text) {
            boolean first = true;
            for (String part : (Iterable<String>) text.lines()::iterator) {
                String linePrefix = first ? prefix : " ".repeat(prefix.length());
                out.add(line(indent, colors.green(), linePrefix + part, ""));
                first = false;
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof List<?> || item instanceof Map<?, ?>) {
                    out.add(line(indent, colors.green(), "|_", ""));
                    display(item, indent + 2, item instanceof Map<?, ?> ? "" : "- ", out);
                } else {
                    display(item, indent, "- ", out);
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            if (indent > 0) {
                out.add(line(indent, colors.cyan(), "----------", ""));
            }
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((key, item) -> sorted.put(String.valueOf(key), item));
            for (Map.Entry<String, Object> entry : sorted.entrySet()) {
                out.add(line(indent, colors.cyan(), prefix + entry.getKey(), ":"));
                display(entry.getValue(), indent + 4, "", out);
            }
        } else {
            out.add(line(indent, colors.green(), prefix + value, ""));
        }
    }

    private String line(int indent, String color, String text, String suffix) {
        return " ".repeat(indent) + color + text + colors.reset() + suffix;
    }
}
