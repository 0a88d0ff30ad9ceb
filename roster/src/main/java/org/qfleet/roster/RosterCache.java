package org.qfleet.roster;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The text of the HTTP roster's cached copy: the fetched roster without the {@code passwd} and {@code priv_passwd}
 * of any entry. Its header comments end in a line that lists what was removed from which host:
 *
 * <pre>
 * # removed-secrets: {"lab-01":["passwd"],"lab-02":["passwd","priv_passwd"]}
 * </pre>
 *
 * The rest of the text is the roster's YAML node tree written out again, so every value keeps its YAML type. Merge keys
 * inside an entry are expanded first, so that a password merged in from another mapping is removed too.
 */
final class RosterCache {

    /** The start of the comment line that lists the removed fields as JSON, host ID to field names. */
    static final String REMOVED_PREFIX = "# removed-secrets: ";

    private static final Pattern REMOVED_LINE = Pattern.compile("^" + Pattern.quote(REMOVED_PREFIX) + "(.*)$",
            Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The cached copy's text and the secret fields removed from each host ID, in roster order.
     *
     * @param text    the YAML text, with the header comments
     * @param removed the roster keys removed from each host that had any
     */
    record Copy(String text, Map<String, List<String>> removed) {
    }

    private RosterCache() {
    }

    /**
     * Returns the cached copy of {@code yamlText}, a roster that {@link Roster#parse} accepted.
     *
     * @param origin the roster's URL, named in the header comment
     * @throws RosterException when the text is not valid YAML, or when a secret value would still be in the copy
     */
    static Copy withoutSecrets(String yamlText, String origin) throws RosterException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true);
        MergeExpander expander = new MergeExpander(options);
        DumperOptions dumperOptions = new DumperOptions();
        dumperOptions.setWidth(Integer.MAX_VALUE);
        dumperOptions.setAllowUnicode(true);
        Yaml yaml = new Yaml(expander, new Representer(dumperOptions), dumperOptions, options);
        Node root;
        try {
            root = yaml.compose(new StringReader(yamlText));
        } catch (YAMLException e) {
            throw new RosterException("invalid YAML: " + e.getMessage(), e);
        }

        Map<String, List<String>> removed = new LinkedHashMap<>();
        Map<Node, List<String>> removedByEntry = new IdentityHashMap<>();
        Set<Node> secretValues = Collections.newSetFromMap(new IdentityHashMap<>());
        if (root instanceof MappingNode hosts) {
            // Every entry is expanded before any is changed, because an entry may merge in another entry's fields.
            for (NodeTuple host : hosts.getValue()) {
                if (host.getValueNode() instanceof MappingNode entry) {
                    expander.expandMergeKeys(entry);
                }
            }
            for (NodeTuple host : hosts.getValue()) {
                if (!(host.getKeyNode() instanceof ScalarNode id)
                        || !(host.getValueNode() instanceof MappingNode entry)) {
                    continue;
                }
                // An entry given twice through an alias is one node, so its removed fields are looked up by node.
                List<String> fields = removedByEntry.computeIfAbsent(entry,
                        unused -> removeSecrets(entry, secretValues));
                if (!fields.isEmpty()) {
                    removed.put(id.getValue(), fields);
                }
            }
        }
        if (root != null && reaches(root, secretValues)) {
            throw new RosterException("a password or key passphrase is also used as another value of the roster,"
                    + " through a YAML alias");
        }

        StringWriter text = new StringWriter();
        text.write("# Last good copy of the roster from " + origin + ", cached by qfleet.\n");
        text.write("# It keeps no passwords: qfleet removed the passwd and priv_passwd fields listed below.\n");
        text.write(REMOVED_PREFIX + json(removed) + "\n");
        if (root != null) {
            yaml.serialize(root, text);
        }
        return new Copy(text.toString(), removed);
    }

    /**
     * Returns the removed fields that the header of a cached copy lists, or null when the text has no such header,
     * as in a copy written before qfleet removed secrets from its cache.
     */
    static Map<String, List<String>> removedFields(String cachedText) throws RosterException {
        Matcher line = REMOVED_LINE.matcher(cachedText);
        if (!line.find()) {
            return null;
        }
        try {
            return JSON.readValue(line.group(1), new TypeReference<LinkedHashMap<String, List<String>>>() {
            });
        } catch (JsonProcessingException e) {
            throw new RosterException("the line '" + REMOVED_PREFIX + "...' is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /**
     * Checks that a copy parses and that none of its entries has a secret, because a roster construct that
     * {@link #withoutSecrets} does not handle must not leave a password on disk.
     */
    static void verify(Copy copy, Path baseFolder) throws RosterException {
        Roster roster = Roster.parse(copy.text(), "the cached copy", baseFolder, RosterDefaults.none());
        for (RosterEntry entry : roster.entries()) {
            if (entry.passwd() != null || entry.privPasswd() != null) {
                throw new RosterException("host '" + entry.id() + "' still has a passwd or priv_passwd");
            }
        }
    }

    /** Removes the secret fields of one entry and returns their keys in file order. */
    private static List<String> removeSecrets(MappingNode entry, Set<Node> secretValues) {
        List<String> fields = new ArrayList<>();
        List<NodeTuple> remaining = new ArrayList<>();
        for (NodeTuple field : entry.getValue()) {
            if (field.getKeyNode() instanceof ScalarNode key
                    && RosterKey.find(key.getValue()).map(RosterKey::isSecret).orElse(false)) {
                if (!fields.contains(key.getValue())) {
                    fields.add(key.getValue());
                }
                secretValues.add(field.getValueNode());
            } else {
                remaining.add(field);
            }
        }
        entry.setValue(remaining);
        return fields;
    }

    /** Returns whether any node in {@code targets} can still be reached from {@code root}. */
    private static boolean reaches(Node root, Set<Node> targets) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            if (!seen.add(node)) {
                continue;
            }
            if (targets.contains(node)) {
                return true;
            }
            if (node instanceof MappingNode mapping) {
                for (NodeTuple tuple : mapping.getValue()) {
                    pending.push(tuple.getKeyNode());
                    pending.push(tuple.getValueNode());
                }
            } else if (node instanceof SequenceNode sequence) {
                sequence.getValue().forEach(pending::push);
            }
        }
        return false;
    }

    private static String json(Map<String, List<String>> removed) {
        try {
            return JSON.writeValueAsString(removed);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings to lists of strings always converts to JSON", e);
        }
    }

    /** Gives access to SnakeYAML's merge-key expansion, which replaces each {@code <<} with the merged fields. */
    private static final class MergeExpander extends SafeConstructor {
        MergeExpander(LoaderOptions options) {
            super(options);
        }

        void expandMergeKeys(MappingNode mapping) {
            flattenMapping(mapping);
        }
    }
}
