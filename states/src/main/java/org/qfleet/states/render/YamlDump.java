package org.qfleet.states.render;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Dumps values as Salt's {@code yaml} filter does with PyYAML's {@code safe_dump}: mapping
 * keys sorted, two-space indent, line width 80, unicode kept, and the document end marker
 * and surrounding whitespace removed. SnakeYAML's emitter is a port of PyYAML's, so quoting
 * and line folding match for the plain data that templates hold.
 *
 * <p>NOTE: a string with a line break inside flow style is written double-quoted
 * ({@code "a\nb"}) where PyYAML writes it single-quoted over two lines; both load as the
 * same string.
 */
final class YamlDump {

    private YamlDump() {}

    /**
     * @param flowStyle true for flow style ({@code {a: 1}}), false for block style, null for
     *     PyYAML's automatic choice (flow only for collections of scalars)
     */
    static String dump(Object value, Boolean flowStyle) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(flowStyle == null ? DumperOptions.FlowStyle.AUTO
                : flowStyle ? DumperOptions.FlowStyle.FLOW : DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(80);
        options.setAllowUnicode(true);
        options.setSplitLines(true);
        Yaml yaml = new Yaml(new Representer(options), options);
        String text = yaml.dump(plain(value)).strip();
        if (text.endsWith("\n...")) {
            text = text.substring(0, text.length() - 4);
        }
        return text;
    }

    /** Copies a template value into maps with sorted keys, lists and scalars only. */
    static Object plain(Object value) {
        if (value instanceof Undefined undefined) {
            throw undefined.error();
        }
        if (value instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            entries.sort(Comparator.comparing(entry -> entry.getKey(), SaltFilters::compare));
            Map<Object, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : entries) {
                copy.put(plain(entry.getKey()), plain(entry.getValue()));
            }
            return copy;
        }
        if (value instanceof PythonTuple tuple) {
            return new ArrayList<>(List.of(plain(tuple.getKey()), plain(tuple.getValue())));
        }
        if (value instanceof Collection<?> || (value != null && value.getClass().isArray())) {
            List<Object> copy = new ArrayList<>();
            for (Object item : SaltFilters.iterate(value)) {
                copy.add(plain(item));
            }
            return copy;
        }
        if (value instanceof CharSequence text) {
            return text.toString();
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value == null || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof com.hubspot.jinjava.interpret.NullValue) {
            return null;
        }
        return PythonRepr.str(value);
    }
}
