package org.qfleet.states.render;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.Construct;
import org.yaml.snakeyaml.constructor.ConstructorException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.DumperOptions;

/**
 * Loads YAML the way Salt's YAML renderer does: mappings keep their key order, a key that
 * appears twice in one mapping is an error ("found conflicting ID"), a mapping or list used
 * as a key is an error, timestamps stay strings and an integer written with leading zeros
 * is read as decimal ({@code 0644} is 644).
 */
public final class SaltYaml {

    /**
     * The maximum number of values (scalars, lists and mappings) in one document once its aliases
     * are expanded. Ten lines of ten aliases each expand to 10^10 values, which no formula needs
     * and which would exhaust memory wherever the document is printed or serialised.
     */
    public static final long MAX_EXPANDED_VALUES = 1_000_000;

    private SaltYaml() {}

    /**
     * Parses one YAML document. An empty document returns null. Mappings are
     * {@link java.util.LinkedHashMap}s and sequences {@link ArrayList}s.
     *
     * @param file the file the text came from, used in error messages only
     */
    public static Object load(String text, Path file) throws RenderException {
        return load(text, file, false);
    }

    /**
     * Parses one YAML document that Jinja rendered from {@code file}. Line numbers in a YAML
     * error then count lines of the rendered text, not of the file, so the error names the
     * file without a line and shows the rendered lines around the problem.
     *
     * @param rendered whether {@code text} is the output of a template rather than the file itself
     */
    public static Object load(String text, Path file, boolean rendered) throws RenderException {
        return loadDocument(text, file, rendered).data();
    }

    /**
     * A parsed document: its data and the node tree it was built from, whose marks give the
     * line of each value. The root is null for an empty document.
     */
    record Document(Object data, Node root) {}

    /** Parses one YAML document like {@link #load(String, Path, boolean)} and keeps its node tree. */
    static Document loadDocument(String text, Path file, boolean rendered) throws RenderException {
        LoaderOptions options = loaderOptions();
        SaltConstructor constructor = new SaltConstructor(options);
        Yaml yaml = new Yaml(constructor, new Representer(new DumperOptions()), new DumperOptions(), options);
        Object document;
        try {
            document = yaml.load(text);
        } catch (MarkedYAMLException e) {
            throw rendered ? toRenderedTextException(e, text, file) : toRenderException(e, text, file);
        } catch (YAMLException e) {
            throw new RenderException("invalid YAML: " + e.getMessage(), file, 0, e);
        }
        if (expandedSize(document, new IdentityHashMap<>()) > MAX_EXPANDED_VALUES) {
            throw new RenderException("invalid YAML: its aliases (*name) expand it to more than " + MAX_EXPANDED_VALUES
                    + " values, or a list or mapping contains itself. Write the repeated data out, or use fewer nested"
                    + " aliases.", file, 0);
        }
        return new Document(document, constructor.root);
    }

    /**
     * Counts the values in {@code value} as if every alias were expanded, visiting each shared list or
     * mapping once. Returns more than {@link #MAX_EXPANDED_VALUES} as soon as the count passes it, and
     * for a list or mapping that contains itself. {@code sizes} holds the counts found so far, and -1
     * for the lists and mappings being counted.
     */
    private static long expandedSize(Object value, IdentityHashMap<Object, Long> sizes) {
        if (!(value instanceof Map<?, ?>) && !(value instanceof List<?>)) {
            return 1;
        }
        Long known = sizes.get(value);
        if (known != null) {
            return known < 0 ? MAX_EXPANDED_VALUES + 1 : known;
        }
        sizes.put(value, -1L);
        List<Object> children = new ArrayList<>();
        if (value instanceof Map<?, ?> map) {
            children.addAll(map.keySet());
            children.addAll(map.values());
        } else {
            children.addAll((List<?>) value);
        }
        long total = 1;
        for (Object child : children) {
            total += expandedSize(child, sizes);
            if (total > MAX_EXPANDED_VALUES) {
                break;
            }
        }
        sizes.put(value, total);
        return total;
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        // Duplicate keys are detected by SaltConstructor with Salt's message.
        options.setAllowDuplicateKeys(true);
        options.setMaxAliasesForCollections(1000);
        options.setCodePointLimit(64 * 1024 * 1024);
        return options;
    }

    private static RenderException toRenderException(MarkedYAMLException e, String text, Path file) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
        if (mark == null) {
            return new RenderException("invalid YAML: " + problem, file, 0, e);
        }
        int line = mark.getLine() + 1;
        String offending = lineOf(text, line);
        String message = "invalid YAML at line " + line + " of the rendered text: " + problem
                + (offending.isBlank() ? "" : "\n    " + offending.strip() + "    <======================");
        return new RenderException(message, file, line, e);
    }

    /** Lines of rendered text shown before and after the line a YAML error points at. */
    private static final int CONTEXT_LINES = 3;

    private static RenderException toRenderedTextException(MarkedYAMLException e, String text, Path file) {
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
        if (mark == null) {
            return new RenderException("invalid YAML in the rendered text: " + problem, file, 0, e);
        }
        int line = mark.getLine() + 1;
        String message = "invalid YAML at line " + line + " of the rendered text: " + problem
                + "\n    rendered text:" + excerpt(text, line);
        return new RenderException(message, file, 0, e);
    }

    /** Returns the numbered lines around {@code line}, marking that line with {@code >}. */
    static String excerpt(String text, int line) {
        String[] lines = text.split("\n", -1);
        // A final newline ends the last line and does not start an empty one.
        int count = text.endsWith("\n") ? lines.length - 1 : lines.length;
        int first = Math.max(1, line - CONTEXT_LINES);
        int last = Math.min(count, line + CONTEXT_LINES);
        int width = String.valueOf(last).length();
        StringBuilder excerpt = new StringBuilder();
        for (int number = first; number <= last; number++) {
            excerpt.append("\n    ").append(number == line ? "> " : "  ")
                    .append(String.format("%" + width + "d", number)).append(" | ").append(lines[number - 1]);
        }
        return excerpt.toString();
    }

    static String lineOf(String text, int line) {
        String[] lines = text.split("\n", -1);
        return line >= 1 && line <= lines.length ? lines[line - 1] : "";
    }

    /** SafeConstructor with Salt's duplicate-key, key-type and scalar rules. */
    private static final class SaltConstructor extends SafeConstructor {

        SaltConstructor(LoaderOptions options) {
            super(options);
            this.yamlConstructors.put(Tag.TIMESTAMP, new ConstructYamlStr());
            Construct intConstruct = this.yamlConstructors.get(Tag.INT);
            this.yamlConstructors.put(Tag.INT, new DecimalLeadingZeroInt(intConstruct));
        }

        /** The root node of the document constructed last, or null when it was empty. */
        Node root;

        /** Constructs the document as the base class does, keeping its root node for its line marks. */
        @Override
        public Object getSingleData(Class<?> type) {
            Node node = composer.getSingleNode();
            root = node;
            if (node == null || Tag.NULL.equals(node.getTag())) {
                return yamlConstructors.get(Tag.NULL).construct(node);
            }
            if (type != Object.class) {
                node.setTag(new Tag(type));
            } else if (rootTag != null) {
                node.setTag(rootTag);
            }
            return constructDocument(node);
        }

        @Override
        protected void constructMapping2ndStep(MappingNode node, Map<Object, Object> mapping) {
            Set<Object> seen = new HashSet<>();
            for (NodeTuple tuple : node.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (keyNode.getTag().equals(Tag.MERGE)) {
                    continue;
                }
                Object key = constructObject(keyNode);
                if (key instanceof Map || key instanceof List) {
                    throw new InvalidKey("while constructing a mapping", node.getStartMark(),
                            "found unacceptable key " + PythonRepr.repr(key)
                                    + " (Invalid YAML, possible double curly-brace)",
                            keyNode.getStartMark());
                }
                if (!seen.add(key)) {
                    throw new InvalidKey("while constructing a mapping", node.getStartMark(),
                            "found conflicting ID '" + PythonRepr.str(key) + "'", keyNode.getStartMark());
                }
            }
            super.constructMapping2ndStep(node, mapping);
        }

        /** A rejected mapping key, reported with the key's position. */
        private static final class InvalidKey extends ConstructorException {
            InvalidKey(String context, Mark contextMark, String problem, Mark problemMark) {
                super(context, contextMark, problem, problemMark);
            }
        }

        /** Reads {@code 0644} as decimal 644, as Salt's loader strips leading zeros. */
        private static final class DecimalLeadingZeroInt extends AbstractConstruct {
            private final Construct standard;

            DecimalLeadingZeroInt(Construct standard) {
                this.standard = standard;
            }

            @Override
            public Object construct(Node node) {
                ScalarNode scalar = (ScalarNode) node;
                String value = scalar.getValue();
                if (value.length() > 1 && value.startsWith("0") && !value.startsWith("0b")
                        && !value.startsWith("0x")) {
                    String stripped = value.replaceFirst("^0+", "");
                    if (stripped.isEmpty()) {
                        stripped = "0";
                    }
                    ScalarNode decimal = new ScalarNode(scalar.getTag(), stripped, scalar.getStartMark(),
                            scalar.getEndMark(), scalar.getScalarStyle());
                    return standard.construct(decimal);
                }
                return standard.construct(node);
            }
        }
    }
}
