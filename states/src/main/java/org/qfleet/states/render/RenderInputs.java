package org.qfleet.states.render;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The inputs that one rendering read: which keys of {@code grains}, {@code pillar} and
 * {@code opts} it looked up (or that it read a whole mapping, by iterating or printing it),
 * and the host calls it made with their arguments and answers, in call order. Another host
 * whose values for these inputs are equal gets the same rendering, because the template, its
 * file roots and its SLS name are the same and the engine adds nothing else of the host.
 */
final class RenderInputs {

    /** The context mappings a template can read, in the order they are compared. */
    static final List<String> SOURCES = List.of("grains", "pillar", "opts");

    /** The value recorded for a key that the mapping did not contain. */
    private static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "<missing>";
        }
    };

    /**
     * Which keys of each source were read, which sources had only their size read (Jinjava
     * checks the size of every mapping it hands to a template), and which were read as a whole.
     */
    record ReadSet(Map<String, Set<String>> keys, Set<String> sized, Set<String> whole) {}

    /** A call that asked the host something: {@code shell} with its command, or {@code qubeExists} with a name. */
    record HostCall(String function, String argument, Object answer) {}

    private final ReadSet readSet;
    private final List<Object> values;
    private final List<HostCall> hostCalls;

    private RenderInputs(ReadSet readSet, List<Object> values, List<HostCall> hostCalls) {
        this.readSet = readSet;
        this.values = values;
        this.hostCalls = hostCalls;
    }

    ReadSet readSet() {
        return readSet;
    }

    /** Returns the values read, one per key of the read set, as compared between hosts. */
    List<Object> values() {
        return values;
    }

    /** Returns the host calls in the order the rendering made them. */
    List<HostCall> hostCalls() {
        return hostCalls;
    }

    /**
     * Returns a host's values for the keys of a read set, taken from its context mappings
     * before any template changed them. Values are copies, so later changes to the host's
     * mappings do not change them.
     */
    static List<Object> valuesOf(ReadSet readSet, Map<String, Map<String, Object>> sources) {
        List<Object> values = new ArrayList<>();
        for (String source : SOURCES) {
            Map<String, Object> map = sources.get(source);
            if (readSet.whole().contains(source)) {
                values.add(SaltJinja.deepCopy(map));
                continue;
            }
            if (readSet.sized().contains(source)) {
                values.add(map.size());
            }
            for (String key : readSet.keys().getOrDefault(source, Set.of())) {
                values.add(map.containsKey(key) ? SaltJinja.deepCopy(map.get(key)) : MISSING);
            }
        }
        return values;
    }

    /**
     * Returns whether two value trees are equal with mapping key order included, because
     * the order of a mapping decides the order of a template's loops over it. Numbers of
     * different Java types, such as 1 and 1L, count as different.
     */
    static boolean orderedEquals(Object a, Object b) {
        if (a instanceof Map<?, ?> left && b instanceof Map<?, ?> right) {
            if (left.size() != right.size()) {
                return false;
            }
            Iterator<? extends Map.Entry<?, ?>> other = right.entrySet().iterator();
            for (Map.Entry<?, ?> entry : left.entrySet()) {
                Map.Entry<?, ?> next = other.next();
                if (!Objects.equals(entry.getKey(), next.getKey()) || !orderedEquals(entry.getValue(), next.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> left && b instanceof List<?> right) {
            if (left.size() != right.size()) {
                return false;
            }
            for (int i = 0; i < left.size(); i++) {
                if (!orderedEquals(left.get(i), right.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a == b || (a != null && b != null && a.getClass() == b.getClass() && a.equals(b));
    }

    /**
     * Records what one rendering reads. The template sees {@link #watch watched} copies of
     * the context mappings and a recording {@link HostQueries}; the values are taken from the
     * original mappings at the end, so a template that changes its copy changes nothing here.
     */
    static final class Recorder {
        private final Map<String, Set<String>> keys = new LinkedHashMap<>();
        private final Set<String> sized = new LinkedHashSet<>();
        private final Set<String> whole = new LinkedHashSet<>();
        private final List<HostCall> hostCalls = new ArrayList<>();

        /** Returns a view of a context mapping that records every key read through it. */
        Map<String, Object> watch(String source, Map<String, Object> map) {
            return new RecordingMap(source, map);
        }

        /** Returns host queries that forward to the host and record each call and its answer. */
        HostQueries watch(HostQueries host) {
            return new HostQueries() {
                @Override
                public boolean qubeExists(String name) {
                    boolean exists = host.qubeExists(name);
                    record(new HostCall("qubeExists", name, exists));
                    return exists;
                }

                @Override
                public String shell(String command) throws RenderException {
                    String output = host.shell(command);
                    record(new HostCall("shell", command, output));
                    return output;
                }
            };
        }

        private synchronized void record(HostCall call) {
            hostCalls.add(call);
        }

        private synchronized void readKey(String source, Object key) {
            if (key instanceof String name) {
                keys.computeIfAbsent(source, ignored -> new TreeSet<>()).add(name);
            } else {
                // A key that is not a string cannot be in a context mapping read from JSON or YAML
                // facts, but a template may still ask; count the whole mapping as read.
                whole.add(source);
            }
        }

        private synchronized void readSize(String source) {
            sized.add(source);
        }

        private synchronized void readWhole(String source) {
            whole.add(source);
        }

        /** Returns the inputs read so far, with their values taken from the original mappings. */
        synchronized RenderInputs inputs(Map<String, Map<String, Object>> sources) {
            Map<String, Set<String>> sorted = new LinkedHashMap<>();
            for (String source : SOURCES) {
                if (!whole.contains(source) && keys.containsKey(source)) {
                    sorted.put(source, new TreeSet<>(keys.get(source)));
                }
            }
            Set<String> sizedOnly = new LinkedHashSet<>(sized);
            sizedOnly.removeAll(whole);
            ReadSet readSet = new ReadSet(sorted, Set.copyOf(sizedOnly), Set.copyOf(whole));
            return new RenderInputs(readSet, valuesOf(readSet, sources), List.copyOf(hostCalls));
        }

        /**
         * A context mapping as the template sees it: reads of one key record that key, and
         * anything that sees all entries (iteration, size, printing) records the whole mapping.
         * Writes go to the template's copy.
         */
        private final class RecordingMap extends AbstractMap<String, Object> {
            private final String source;
            private final Map<String, Object> map;

            RecordingMap(String source, Map<String, Object> map) {
                this.source = source;
                this.map = map;
            }

            @Override
            public Object get(Object key) {
                readKey(source, key);
                return map.get(key);
            }

            @Override
            public boolean containsKey(Object key) {
                readKey(source, key);
                return map.containsKey(key);
            }

            @Override
            public Object put(String key, Object value) {
                readKey(source, key);
                return map.put(key, value);
            }

            @Override
            public Object remove(Object key) {
                readKey(source, key);
                return map.remove(key);
            }

            @Override
            public Set<Entry<String, Object>> entrySet() {
                readWhole(source);
                return map.entrySet();
            }

            @Override
            public int size() {
                readSize(source);
                return map.size();
            }

            @Override
            public boolean isEmpty() {
                readSize(source);
                return map.isEmpty();
            }
        }
    }
}
