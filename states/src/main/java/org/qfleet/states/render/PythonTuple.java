package org.qfleet.states.render;

import java.util.ArrayList;
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

    /** A tuple of any length, such as the groups of a regular expression match; prints as {@code ('a', 'b')}. */
    static final class Sequence extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("(");
            for (int i = 0; i < size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                out.append(PythonRepr.repr(get(i)));
            }
            return out.append(size() == 1 ? ",)" : ")").toString();
        }
    }
}
