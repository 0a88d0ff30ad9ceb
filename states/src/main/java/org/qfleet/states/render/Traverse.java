package org.qfleet.states.render;

import java.util.List;
import java.util.Map;

/**
 * Looks up a delimited path such as {@code qvm:sys-net:name} in nested mappings and lists,
 * as Salt's {@code pillar.get}, {@code grains.get} and {@code traverse} do: a list step takes
 * an integer index, or else the first mapping in the list that has the key.
 */
final class Traverse {

    /** Marker for a path that is not present, distinct from a present null. */
    static final Object MISSING = new Object();

    private Traverse() {}

    static Object path(Object data, String key, String delimiter, Object fallback) {
        Object current = data;
        for (String part : key.split(java.util.regex.Pattern.quote(delimiter), -1)) {
            Object next = step(current, part);
            if (next == MISSING) {
                return fallback;
            }
            current = next;
        }
        return current;
    }

    private static Object step(Object current, String part) {
        if (current instanceof Map<?, ?> map) {
            if (map.containsKey(part)) {
                return map.get(part);
            }
            Long number = parseLong(part);
            if (number != null) {
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (entry.getKey() instanceof Number key && key.longValue() == number) {
                        return entry.getValue();
                    }
                }
            }
            return MISSING;
        }
        if (current instanceof List<?> list) {
            Long index = parseLong(part);
            if (index != null) {
                long position = index < 0 ? list.size() + index : index;
                return position >= 0 && position < list.size() ? list.get((int) position) : MISSING;
            }
            for (Object item : list) {
                if (item instanceof Map<?, ?> map && map.containsKey(part)) {
                    return map.get(part);
                }
            }
        }
        return MISSING;
    }

    private static Long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
