package org.qfleet.states.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Salt's recursive dictionary update: mappings merge key by key, lists are replaced or,
 * with {@code mergeLists}, extended by the items they do not yet contain, and any other
 * value is replaced.
 */
final class DictUpdate {

    private DictUpdate() {}

    @SuppressWarnings("unchecked")
    static Map<Object, Object> update(Map<Object, Object> destination, Map<Object, Object> update, boolean mergeLists) {
        for (Map.Entry<Object, Object> entry : update.entrySet()) {
            Object existing = destination.get(entry.getKey());
            Object value = entry.getValue();
            if (existing instanceof Map<?, ?> existingMap && value instanceof Map<?, ?> valueMap) {
                destination.put(entry.getKey(), update((Map<Object, Object>) existingMap, (Map<Object, Object>) valueMap,
                        mergeLists));
            } else if (mergeLists && existing instanceof List<?> existingList && value instanceof List<?> valueList) {
                List<Object> merged = new ArrayList<>(existingList);
                for (Object item : valueList) {
                    if (!merged.contains(item)) {
                        merged.add(item);
                    }
                }
                destination.put(entry.getKey(), merged);
            } else {
                destination.put(entry.getKey(), value);
            }
        }
        return destination;
    }
}
