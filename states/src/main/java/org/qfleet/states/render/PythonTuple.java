package org.qfleet.states.render;

import java.util.Map;

/**
 * A key-value pair from {@code dict.items()}. It unpacks in {@code for k, v in ...} like a
 * Jinjava map entry and prints as Python's tuple {@code ('k', v)}.
 */
final class PythonTuple implements Map.Entry<Object, Object> {

    private final Object key;
    private final Object value;

    PythonTuple(Object key, Object value) {
        this.key = key;
        this.value = value;
    }

    @Override
    public Object getKey() {
        return key;
    }

    @Override
    public Object getValue() {
        return value;
    }

    @Override
    public Object setValue(Object value) {
        throw new UnsupportedOperationException("a tuple cannot be changed");
    }

    @Override
    public String toString() {
        return "(" + PythonRepr.repr(key) + ", " + PythonRepr.repr(value) + ")";
    }
}
