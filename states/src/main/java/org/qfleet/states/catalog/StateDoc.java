package org.qfleet.states.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The documentation of one state function, read from the resource
 * {@code org/qfleet/states/catalog/doc/<function>.yaml} that ships with the catalog.
 *
 * @param function the state function, such as {@code qvm.prefs}
 * @param summary one sentence on what the function makes true
 * @param arguments the arguments it takes, in the order the file lists them
 * @param forms the argument spellings it accepts, as text
 * @param testMode what a run with {@code test=True} reports
 * @param example an SLS file in YAML that uses the function and compiles
 */
public record StateDoc(String function, String summary, List<Argument> arguments, String forms,
        String testMode, String example) {

    /**
     * One argument of a state function.
     *
     * @param name the argument's name as an SLS file spells it
     * @param type its type in words, such as {@code list of strings}
     * @param defaultValue the value used when the argument is left out, or null when it has none
     * @param text what the argument sets
     */
    public record Argument(String name, String type, String defaultValue, String text) {}

    private static final Set<String> KEYS = Set.of("summary", "arguments", "forms", "test_mode",
            "example");
    private static final Set<String> ARGUMENT_KEYS = Set.of("name", "type", "default", "text");

    public StateDoc {
        arguments = List.copyOf(arguments);
    }

    /** Returns the resource path of a function's documentation file. */
    static String resourceName(String function) {
        return "doc/" + function + ".yaml";
    }

    /**
     * Loads a function's documentation file from the class path, or returns empty when the
     * catalog ships none.
     *
     * @throws IllegalStateException when the file exists but is malformed, naming the file,
     *     the key and the value
     */
    static Optional<StateDoc> load(String function) {
        String resource = resourceName(function);
        try (InputStream in = StateDoc.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(parse(function, new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    resource));
        } catch (IOException e) {
            throw new IllegalStateException("failed to read " + resource + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses the text of a documentation file.
     *
     * @param source the file's name, used in error messages only
     */
    static StateDoc parse(String function, String text, String source) {
        Object loaded;
        try {
            loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new IllegalStateException(source + ": invalid YAML: " + e.getMessage(), e);
        }
        if (!(loaded instanceof Map<?, ?> map)) {
            throw new IllegalStateException(source + ": must be a mapping with the keys "
                    + String.join(", ", KEYS.stream().sorted().toList()));
        }
        for (Object key : map.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                throw new IllegalStateException(source + ": unknown key '" + key + "'; valid keys: "
                        + String.join(", ", KEYS.stream().sorted().toList()));
            }
        }
        List<Argument> arguments = new ArrayList<>();
        Object argumentList = map.get("arguments");
        if (argumentList != null && !(argumentList instanceof List<?>)) {
            throw new IllegalStateException(source + ": 'arguments' must be a list, got: " + argumentList);
        }
        if (argumentList instanceof List<?> list) {
            for (Object item : list) {
                arguments.add(argument(item, source));
            }
        }
        return new StateDoc(function, text(map, "summary", source), arguments,
                text(map, "forms", source), text(map, "test_mode", source),
                text(map, "example", source));
    }

    private static Argument argument(Object item, String source) {
        if (!(item instanceof Map<?, ?> map)) {
            throw new IllegalStateException(source + ": entry " + item + " of 'arguments' must be a"
                    + " mapping with name, type, text and an optional default");
        }
        for (Object key : map.keySet()) {
            if (!ARGUMENT_KEYS.contains(String.valueOf(key))) {
                throw new IllegalStateException(source + ": unknown key '" + key + "' in argument "
                        + map.get("name") + "; valid keys: default, name, text, type");
            }
        }
        Object defaultValue = map.get("default");
        String where = source + ", argument '" + map.get("name") + "'";
        return new Argument(text(map, "name", where), text(map, "type", where),
                defaultValue == null ? null : String.valueOf(defaultValue), text(map, "text", where));
    }

    private static String text(Map<?, ?> map, String key, String where) {
        Object value = map.get(key);
        if (!(value instanceof String text) || text.isBlank()) {
            throw new IllegalStateException(where + ": '" + key + "' must be non-empty text, got: "
                    + value);
        }
        return text.strip();
    }
}
