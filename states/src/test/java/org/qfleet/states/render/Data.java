package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders for expected rendered data, and an assertion that also checks key order and types. */
final class Data {

    private Data() {}

    /** Builds an ordered mapping from alternating keys and values. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static List<Object> list(Object... items) {
        return new ArrayList<>(Arrays.asList(items));
    }

    /**
     * Asserts equal data, comparing Python reprs first so that a difference in key order or
     * in type ({@code 1} against {@code '1'}) fails with both values shown.
     */
    static void assertData(Object expected, Object actual) {
        assertEquals(PythonRepr.repr(expected), PythonRepr.repr(actual));
        assertEquals(expected, actual);
    }
}
