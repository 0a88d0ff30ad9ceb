package org.qfleet.roster;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Turns the YAML text of a flat roster into entries. It walks SnakeYAML's node tree rather than the loaded maps, so
 * that every problem can name its line, and it collects every problem before it throws.
 */
final class RosterParser {

    private static final int MAX_VALUE_CHARS = 60;

    private final String source;
    private final Path baseFolder;
    private final String lineSuffix;
    private final RosterDefaults defaults;
    private final NodeConstructor constructor;
    private final Yaml yaml;
    private final List<String> problems = new ArrayList<>();
    private final Map<RosterKey, List<String>> ignoredKeys = new EnumMap<>(RosterKey.class);

    /**
     * @param source     the file or URL that the text came from, for messages
     * @param baseFolder the folder that relative {@code priv} paths are resolved against
     * @param lineSuffix the words after each line number that say which text the lines count, such as
     *                   {@code " of the Jinja output"}, or empty when they count lines of the source itself
     * @param defaults   the values that every entry starts from
     */
    RosterParser(String source, Path baseFolder, String lineSuffix, RosterDefaults defaults) {
        this.source = source;
        this.baseFolder = baseFolder;
        this.lineSuffix = lineSuffix;
        this.defaults = defaults;
        LoaderOptions options = new LoaderOptions();
        // Duplicates are found and reported with their lines by checkDuplicates, so the constructor may allow them.
        options.setAllowDuplicateKeys(true);
        options.setWarnOnDuplicateKeys(false);
        this.constructor = new NodeConstructor(options);
        DumperOptions dumperOptions = new DumperOptions();
        this.yaml = new Yaml(constructor, new Representer(dumperOptions), dumperOptions, options);
    }

    /** Gives access to SnakeYAML's own scalar typing and merge-key handling for single nodes. */
    private static final class NodeConstructor extends SafeConstructor {
        NodeConstructor(LoaderOptions options) {
            super(options);
        }

        Object value(Node node) {
            return constructObject(node);
        }

        void merge(MappingNode node) {
            flattenMapping(node);
        }
    }

    List<RosterEntry> parse(String yamlText) throws RosterException {
        Node root;
        try {
            root = yaml.compose(new StringReader(yamlText));
        } catch (MarkedYAMLException e) {
            throw new RosterException(location(e.getProblemMark()) + "invalid YAML: " + e.getProblem()
                    + ". Fix the syntax at that line.", e);
        } catch (YAMLException e) {
            throw new RosterException(source + ": invalid YAML: " + e.getMessage(), e);
        }
        if (root == null) {
            return List.of();
        }
        if (!(root instanceof MappingNode mapping)) {
            throw new RosterException(location(root) + "the roster must be a mapping of host IDs to a host name or"
                    + " to a mapping of settings, but it is " + nodeKind(root) + ".");
        }

        checkDuplicates(mapping, "", "host ID");
        List<RosterEntry> entries = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            RosterEntry entry = parseEntry(tuple.getKeyNode(), tuple.getValueNode());
            if (entry != null) {
                entries.add(entry);
            }
        }
        if (!problems.isEmpty()) {
            String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
            throw new RosterException("Invalid roster " + source + " (" + count + "):", problems);
        }
        return entries;
    }

    private RosterEntry parseEntry(Node keyNode, Node valueNode) {
        if (keyNode.getTag().equals(Tag.MERGE)) {
            problem(keyNode, "merge key << is not allowed at the top level. Put it inside a host's mapping.");
            return null;
        }
        Object id = value(keyNode, "");
        if (!(id instanceof String idText) || idText.isEmpty()) {
            problem(keyNode, "host ID " + describe(id) + " is " + typeName(id) + ", not a non-empty string."
                    + " Quote it in YAML, for example '" + id + "':");
            return null;
        }
        EntryFields fields = new EntryFields(idText);
        if (valueNode instanceof MappingNode mapping) {
            parseFields(fields, mapping);
        } else if (valueNode instanceof SequenceNode) {
            problem(valueNode, hostPrefix(idText) + "the value is a list. Give a host name or a mapping of settings.");
        } else {
            Object value = value(valueNode, hostPrefix(idText));
            if (value == null) {
                problem(keyNode, hostPrefix(idText) + "has no value. Give a host name (" + idText
                        + ": 10.0.0.5) or a mapping of settings.");
            } else {
                fields.apply(RosterKey.HOST, value, valueNode);
            }
        }
        return fields.toEntry();
    }

    private void parseFields(EntryFields fields, MappingNode mapping) {
        String prefix = hostPrefix(fields.id);
        checkDuplicates(mapping, prefix, "field");
        try {
            constructor.merge(mapping);
        } catch (YAMLException e) {
            problem(mapping, prefix + "invalid merge key: " + e.getMessage());
            return;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            Object key = value(keyNode, prefix);
            if (!(key instanceof String keyText)) {
                problem(keyNode, prefix + "key " + describe(key) + " is " + typeName(key) + ", not a string."
                        + " Valid keys: " + RosterKey.validKeys() + ".");
                continue;
            }
            Optional<RosterKey> known = RosterKey.find(keyText);
            if (known.isEmpty()) {
                problem(keyNode, prefix + unknownKeyMessage(keyText));
                continue;
            }
            if (known.get().ignoredBecause != null) {
                ignored(known.get(), keyNode, fields.id);
                continue;
            }
            Node valueNode = tuple.getValueNode();
            String fieldPrefix = prefix + "field '" + keyText + "': ";
            checkNestedDuplicates(valueNode, fieldPrefix);
            Object value = value(valueNode, fieldPrefix);
            fields.apply(known.get(), value, valueNode);
        }
    }

    static String unknownKeyMessage(String key) {
        if (RosterKey.SALT_ONLY.contains(key)) {
            return "key '" + key + "' is a salt-ssh setting that qfleet does not support. Remove it.";
        }
        String suggestion = RosterKey.closest(key).map(closest -> " Did you mean '" + closest + "'?").orElse("");
        return "unknown key '" + key + "'." + suggestion + " Valid keys: " + RosterKey.validKeys() + ".";
    }

    /** Records a key that qfleet ignores; notices() turns the records into one line per key. */
    private void ignored(RosterKey key, Node keyNode, String id) {
        ignoredKeys.computeIfAbsent(key, unused -> new ArrayList<>()).add(location(keyNode) + hostPrefix(id));
    }

    /** Returns one notice per ignored key, naming the first place it is set and how many entries set it. */
    List<String> notices() {
        List<String> notices = new ArrayList<>();
        ignoredKeys.forEach((key, places) -> {
            String count = places.size() == 1 ? "" : " (set on " + places.size() + " hosts; first shown)";
            notices.add(places.get(0) + "key '" + key.key + "' is ignored: " + key.ignoredBecause + "." + count);
        });
        return notices;
    }

    /** The values of one entry as they are validated: the defaults' copy, then the entry's own keys. */
    private final class EntryFields {
        final String id;
        final Map<RosterKey, Object> values;
        boolean valid = true;

        EntryFields(String id) {
            this.id = id;
            this.values = defaults.copyForEntry();
        }

        void apply(RosterKey key, Object value, Node node) {
            FieldCheck check = new FieldCheck(key, value, location(node) + hostPrefix(id), baseFolder, problems);
            Object typed = check.typed();
            if (check.failed()) {
                valid = false;
            } else {
                values.put(key, typed);
            }
        }

        RosterEntry toEntry() {
            if (!valid) {
                return null;
            }
            return new RosterEntry(
                    id,
                    (String) values.getOrDefault(RosterKey.HOST, id),
                    (Integer) values.getOrDefault(RosterKey.PORT, RosterEntry.DEFAULT_PORT),
                    (String) values.getOrDefault(RosterKey.USER, RosterEntry.DEFAULT_USER),
                    (String) values.get(RosterKey.PASSWD),
                    (String) values.get(RosterKey.PRIV),
                    (String) values.get(RosterKey.PRIV_PASSWD),
                    (Boolean) values.getOrDefault(RosterKey.SUDO, false),
                    (String) values.get(RosterKey.SUDO_USER),
                    (Boolean) values.getOrDefault(RosterKey.TTY, false),
                    (Duration) values.get(RosterKey.TIMEOUT),
                    map(values.get(RosterKey.MINION_OPTS)),
                    (String) values.get(RosterKey.SET_PATH),
                    strings(values.get(RosterKey.SSH_OPTIONS)),
                    map(values.get(RosterKey.GRAINS)),
                    strings(values.get(RosterKey.MANAGE)));
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(Object value) {
            return (Map<String, Object>) value;
        }

        @SuppressWarnings("unchecked")
        private static List<String> strings(Object value) {
            return (List<String>) value;
        }
    }

    /** Reports keys that occur twice in one mapping, which YAML forbids and which would hide a setting. */
    private void checkDuplicates(MappingNode mapping, String prefix, String what) {
        Map<String, Integer> firstLines = new HashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar) || keyNode.getTag().equals(Tag.MERGE)) {
                continue;
            }
            String identity = scalar.getTag().getValue() + ":" + scalar.getValue();
            int line = lineOf(keyNode);
            Integer firstLine = firstLines.putIfAbsent(identity, line);
            if (firstLine != null) {
                problem(keyNode, prefix + "duplicate " + what + " '" + scalar.getValue() + "' (first on line "
                        + firstLine + "). Remove one of them.");
            }
        }
    }

    private void checkNestedDuplicates(Node node, String prefix) {
        if (node instanceof MappingNode mapping) {
            checkDuplicates(mapping, prefix, "key");
            for (NodeTuple tuple : mapping.getValue()) {
                checkNestedDuplicates(tuple.getValueNode(), prefix);
            }
        } else if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                checkNestedDuplicates(item, prefix);
            }
        }
    }

    /** Constructs the node's value with SnakeYAML's types, or reports a problem and returns null. */
    private Object value(Node node, String prefix) {
        try {
            return constructor.value(node);
        } catch (YAMLException e) {
            String reason = e instanceof MarkedYAMLException marked ? marked.getProblem() : e.getMessage();
            problem(node, prefix + "invalid YAML value: " + reason + ".");
            return null;
        }
    }

    private void problem(Node node, String message) {
        problems.add(location(node.getStartMark()) + message);
    }

    private String location(Node node) {
        return location(node.getStartMark());
    }

    private String location(Mark mark) {
        if (mark == null) {
            return source + ": ";
        }
        return source + ", line " + (mark.getLine() + 1) + lineSuffix + ": ";
    }

    private static int lineOf(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static String hostPrefix(String id) {
        return "host '" + id + "': ";
    }

    private static String nodeKind(Node node) {
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return "a single value";
    }

    static String typeName(Object value) {
        if (value == null) {
            return "empty (null)";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return "an integer";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof List) {
            return "a list";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        return "a " + value.getClass().getSimpleName();
    }

    /** Returns the value as a message shows it: strings quoted, long values cut. */
    static String describe(Object value) {
        String text = value instanceof String ? "'" + value + "'" : String.valueOf(value);
        if (text.length() > MAX_VALUE_CHARS) {
            text = text.substring(0, MAX_VALUE_CHARS - 3) + "...";
        }
        return text;
    }
}
