package org.qfleet.roster;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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

    private static final String AGENT_FORWARDING = "agent-forwarding";
    private static final int MAX_VALUE_CHARS = 60;

    private final Path file;
    private final boolean rendered;
    private final NodeConstructor constructor;
    private final Yaml yaml;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param rendered whether Jinja changed the text, so that line numbers count lines of the Jinja output rather than
     *                 of the file
     */
    RosterParser(Path file, boolean rendered) {
        this.file = file;
        this.rendered = rendered;
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
            throw new RosterException(file + ": invalid YAML: " + e.getMessage(), e);
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
            throw new RosterException("Invalid roster " + file + " (" + count + "):", problems);
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
            Node valueNode = tuple.getValueNode();
            String fieldPrefix = prefix + "field '" + keyText + "': ";
            checkNestedDuplicates(valueNode, fieldPrefix);
            Object value = value(valueNode, fieldPrefix);
            fields.apply(known.get(), value, valueNode);
        }
    }

    private static String unknownKeyMessage(String key) {
        if (RosterKey.SALT_ONLY.contains(key)) {
            return "key '" + key + "' is a salt-ssh setting that qfleet does not support. Remove it.";
        }
        String suggestion = RosterKey.closest(key).map(closest -> " Did you mean '" + closest + "'?").orElse("");
        return "unknown key '" + key + "'." + suggestion + " Valid keys: " + RosterKey.validKeys() + ".";
    }

    /** The values of one entry as they are validated, with salt-ssh's defaults until a key sets them. */
    private final class EntryFields {
        final String id;
        String host;
        int port = RosterEntry.DEFAULT_PORT;
        String user = RosterEntry.DEFAULT_USER;
        String priv;
        String passwd;
        Duration timeout;
        Map<String, Object> grains = Map.of();
        List<String> manage = List.of();
        boolean valid = true;

        EntryFields(String id) {
            this.id = id;
            this.host = id;
        }

        RosterEntry toEntry() {
            return valid ? new RosterEntry(id, host, port, user, priv, passwd, timeout, grains, manage) : null;
        }

        void apply(RosterKey key, Object value, Node node) {
            FieldCheck check = new FieldCheck(key, value, node);
            switch (key) {
                case HOST -> host = check.word();
                case PORT -> port = check.port();
                case USER -> user = check.word();
                case PASSWD -> passwd = check.string(true);
                case PRIV -> priv = resolvePrivateKey(check.string(false));
                case PRIV_PASSWD, SET_PATH -> check.string(true);
                case SUDO, TTY -> check.bool();
                case SUDO_USER -> check.word();
                case THIN_DIR -> check.string(false);
                case TIMEOUT -> timeout = check.seconds();
                case MINION_OPTS -> check.mapping();
                case GRAINS -> grains = check.mapping();
                case SSH_OPTIONS -> check.strings(false);
                case MANAGE -> manage = check.strings(true);
                default -> throw new IllegalStateException("no check for roster key " + key);
            }
            if (check.failed) {
                valid = false;
            }
        }

        /** Validates one value; each method reports a problem and returns a placeholder when the value is invalid. */
        private final class FieldCheck {
            final RosterKey key;
            final Object value;
            final Node node;
            boolean failed;

            FieldCheck(RosterKey key, Object value, Node node) {
                this.key = key;
                this.value = value;
                this.node = node;
            }

            void fail(String detail) {
                failed = true;
                String shown = key.isSecret() ? "(hidden, " + typeName(value) + ")" : describe(value);
                problem(node, hostPrefix(id) + "field '" + key.key + "': invalid value " + shown + ". " + detail);
            }

            String string(boolean allowEmpty) {
                if (!(value instanceof String text)) {
                    fail("Expected " + key.expected + "; quote the value in YAML if it should be text.");
                    return null;
                }
                if (!allowEmpty && text.isBlank()) {
                    fail("Expected " + key.expected + ", not an empty string.");
                    return null;
                }
                return text;
            }

            /** Returns a non-empty string without whitespace, as host and user names are. */
            String word() {
                String text = string(false);
                if (text != null && text.chars().anyMatch(Character::isWhitespace)) {
                    fail("Expected " + key.expected + " without spaces.");
                    return null;
                }
                return text;
            }

            int port() {
                Long number = null;
                if (value instanceof Integer || value instanceof Long) {
                    number = ((Number) value).longValue();
                } else if (value instanceof String text && text.matches("[0-9]{1,6}")) {
                    number = Long.parseLong(text);
                }
                if (number == null && value instanceof BigInteger) {
                    number = Long.MAX_VALUE;
                }
                if (number == null || number < 1 || number > 65535) {
                    fail("Expected " + key.expected + ".");
                    return RosterEntry.DEFAULT_PORT;
                }
                return number.intValue();
            }

            void bool() {
                if (!(value instanceof Boolean)) {
                    fail("Expected " + key.expected + ".");
                }
            }

            Duration seconds() {
                Double number = null;
                if (value instanceof Number given && !(value instanceof BigInteger)) {
                    number = given.doubleValue();
                } else if (value instanceof String text) {
                    try {
                        number = Double.parseDouble(text.strip());
                    } catch (NumberFormatException e) {
                        number = null;
                    }
                }
                if (number == null || number.isNaN() || number.isInfinite() || number <= 0 || number > 86_400) {
                    fail("Expected " + key.expected + ", at most 86400 (one day).");
                    return null;
                }
                return Duration.ofMillis(Math.max(1, Math.round(number * 1000)));
            }

            Map<String, Object> mapping() {
                if (!(value instanceof Map<?, ?> map)) {
                    fail("Expected " + key.expected + ".");
                    return Map.of();
                }
                Map<String, Object> result = new LinkedHashMap<>();
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    if (!(entry.getKey() instanceof String name)) {
                        fail("Its key " + describe(entry.getKey()) + " is " + typeName(entry.getKey())
                                + "; keys must be strings, so quote it in YAML.");
                        return Map.of();
                    }
                    result.put(name, entry.getValue());
                }
                return result;
            }

            List<String> strings(boolean nonEmpty) {
                if (!(value instanceof List<?> list)) {
                    fail("Expected " + key.expected + ".");
                    return List.of();
                }
                if (nonEmpty && list.isEmpty()) {
                    fail("An empty list would let qfleet change no qube. Remove the key to allow every qube, or list"
                            + " globs such as ['work-*', 'sys-usb'].");
                    return List.of();
                }
                List<String> result = new ArrayList<>();
                for (Object item : list) {
                    if (!(item instanceof String text) || text.isBlank()) {
                        fail("Its item " + describe(item) + " is " + typeName(item) + "; expected "
                                + key.expected + ".");
                        return List.of();
                    }
                    result.add(text);
                }
                return result;
            }
        }
    }

    /** Returns the key file as an absolute path: {@code ~/} expands to the user's home, relative paths to the roster. */
    private String resolvePrivateKey(String priv) {
        if (priv == null || priv.equals(AGENT_FORWARDING)) {
            return priv;
        }
        Path path;
        if (priv.equals("~") || priv.startsWith("~/")) {
            path = Path.of(System.getProperty("user.home")).resolve(priv.substring(Math.min(2, priv.length())));
        } else {
            Path folder = file.toAbsolutePath().getParent();
            path = folder == null ? Path.of(priv) : folder.resolve(priv);
        }
        return path.toAbsolutePath().normalize().toString();
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
            return file + ": ";
        }
        return file + ", line " + (mark.getLine() + 1) + (rendered ? " of the Jinja output" : "") + ": ";
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
