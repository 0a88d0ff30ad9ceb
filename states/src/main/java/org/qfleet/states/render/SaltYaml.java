package org.qfleet.states.render;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
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
        Yaml yaml = newYaml();
        try {
            return yaml.load(text);
        } catch (MarkedYAMLException e) {
            throw rendered ? toRenderedTextException(e, text, file) : toRenderException(e, text, file);
        } catch (YAMLException e) {
            throw new RenderException("invalid YAML: " + e.getMessage(), file, 0, e);
        }
    }

    private static Yaml newYaml() {
        LoaderOptions options = new LoaderOptions();
        // Duplicate keys are detected by SaltConstructor with Salt's message.
        options.setAllowDuplicateKeys(true);
        options.setMaxAliasesForCollections(1000);
        options.setCodePointLimit(64 * 1024 * 1024);
        return new Yaml(new SaltConstructor(options), new Representer(new DumperOptions()),
                new DumperOptions(), options);
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
