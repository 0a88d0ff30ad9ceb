package org.qfleet.states.render;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.qfleet.states.EntryLines;
import org.qfleet.states.SourceLine;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The lines of one SLS file on which its state IDs and their arguments are declared, read from
 * the marks of the YAML nodes, for error messages. IDs are found by their key text as written,
 * so a key that YAML reads as another type, such as {@code 0644:}, has no line. Below each
 * argument, the lines of the entries in its value are kept to {@link #ENTRY_DEPTH} levels.
 */
public final class DeclarationLines {

    /** Lines of a source that records none, such as high data built in a test. */
    public static final DeclarationLines NONE = new DeclarationLines(Map.of(), Map.of(), null);

    /**
     * The number of levels of entries kept below an argument key. Inside a {@code qvm.vm} action,
     * a feature in {@code set} is two levels down and an option of a device in {@code attach} three.
     */
    static final int ENTRY_DEPTH = 3;

    private final Map<String, SourceLine> ids;
    /** State ID to state module ({@code qvm}) to argument key to the lines of the argument. */
    private final Map<String, Map<String, Map<String, EntryLines>>> arguments;
    private final DeclarationLines extend;

    private DeclarationLines(Map<String, SourceLine> ids,
            Map<String, Map<String, Map<String, EntryLines>>> arguments, DeclarationLines extend) {
        this.ids = ids;
        this.arguments = arguments;
        this.extend = extend;
    }

    /** Returns the line of a top-level state ID, or null when it is not known. */
    public SourceLine id(String id) {
        return ids.get(id);
    }

    /**
     * Returns the lines of the arguments of one state of an ID, by argument key as written,
     * such as {@code label}. Empty when none are known.
     */
    public Map<String, EntryLines> arguments(String id, String module) {
        // The maps are read-only, so callers share them.
        return arguments.getOrDefault(id, Map.of()).getOrDefault(module, Map.of());
    }

    /** Returns the lines of the IDs and arguments inside the file's {@code extend} mapping. */
    public DeclarationLines extend() {
        return extend == null ? NONE : extend;
    }

    /**
     * Reads the lines from the document's top-level mapping.
     *
     * @param lineOf turns a 1-based line of the parsed text into the line to report
     */
    static DeclarationLines of(Node document, IntFunction<SourceLine> lineOf) {
        return of(document, lineOf, true);
    }

    private static DeclarationLines of(Node document, IntFunction<SourceLine> lineOf, boolean top) {
        if (!(document instanceof MappingNode root)) {
            return NONE;
        }
        Map<String, SourceLine> ids = new HashMap<>();
        Map<String, Map<String, Map<String, EntryLines>>> arguments = new HashMap<>();
        DeclarationLines extend = null;
        for (NodeTuple tuple : root.getValue()) {
            String id = keyText(tuple.getKeyNode());
            if (id == null) {
                continue;
            }
            if (top && id.equals("extend")) {
                extend = of(tuple.getValueNode(), lineOf, false);
                continue;
            }
            ids.put(id, lineOf.apply(line(tuple.getKeyNode())));
            if (tuple.getValueNode() instanceof MappingNode modules) {
                arguments.put(id, argumentLines(modules, lineOf));
            }
        }
        return new DeclarationLines(ids, arguments, extend);
    }

    /** Returns module to argument key to the argument's lines for the states of one ID. */
    private static Map<String, Map<String, EntryLines>> argumentLines(MappingNode modules,
            IntFunction<SourceLine> lineOf) {
        Map<String, Map<String, EntryLines>> byModule = new HashMap<>();
        for (NodeTuple module : modules.getValue()) {
            String key = keyText(module.getKeyNode());
            if (key == null || !(module.getValueNode() instanceof SequenceNode list)) {
                continue;
            }
            String moduleName = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
            Map<String, EntryLines> lines = new HashMap<>();
            for (Node entry : list.getValue()) {
                if (entry instanceof MappingNode argument && argument.getValue().size() == 1) {
                    // A later entry with the same key wins, as it does when the chunk is built.
                    putKey(lines, argument.getValue().get(0), lineOf, ENTRY_DEPTH);
                }
            }
            byModule.put(moduleName, Collections.unmodifiableMap(lines));
        }
        return byModule;
    }

    /**
     * Returns the lines of the entries in a value, to {@code depth} levels: the keys of a
     * mapping, and in a list the keys of its one-key mappings and the text of its scalars. A
     * list item that is a mapping of several keys gets no line, because its keys recur across
     * items, as those of firewall rules do.
     */
    private static Map<String, EntryLines> entryLines(Node value, IntFunction<SourceLine> lineOf, int depth) {
        if (depth == 0) {
            return Map.of();
        }
        Map<String, EntryLines> entries = new HashMap<>();
        if (value instanceof SequenceNode list) {
            for (Node item : list.getValue()) {
                if (item instanceof ScalarNode scalar) {
                    entries.put(scalar.getValue(), EntryLines.of(lineOf.apply(line(scalar))));
                } else if (item instanceof MappingNode mapping && mapping.getValue().size() == 1) {
                    putKey(entries, mapping.getValue().get(0), lineOf, depth - 1);
                }
            }
        } else if (value instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                putKey(entries, tuple, lineOf, depth - 1);
            }
        }
        return entries;
    }

    /** Adds the lines of one key and, to {@code depth} levels, of the entries in its value. */
    private static void putKey(Map<String, EntryLines> entries, NodeTuple tuple, IntFunction<SourceLine> lineOf,
            int depth) {
        String key = keyText(tuple.getKeyNode());
        if (key != null) {
            SourceLine keyLine = lineOf.apply(line(tuple.getKeyNode()));
            entries.put(key, new EntryLines(keyLine, entryLines(tuple.getValueNode(), lineOf, depth)));
        }
    }

    private static String keyText(Node key) {
        if (key instanceof ScalarNode scalar && !key.getTag().equals(Tag.MERGE)) {
            return scalar.getValue();
        }
        return null;
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /**
     * Returns a function from lines of the rendered text to lines to report. A line of the
     * rendered text is reported as the same line of the file when each line above it matches
     * its line of the file, and the line itself matches with a non-blank text before any Jinja
     * markup. A line matches when it is unchanged, or when the file's line contains markup and
     * the rendered line starts with the file's text before the markup. Otherwise Jinja may have
     * added or removed lines above it, and the line counts rendered text.
     *
     * <p>NOTE: a tag that adds or removes lines still goes unnoticed when every line below it,
     * up to the reported one, happens to match the line it replaced, which takes repeated lines
     * or lines that are all markup.
     */
    static IntFunction<SourceLine> lineMap(Path file, String source, String rendered) {
        if (source.equals(rendered)) {
            return fileLines(file);
        }
        String[] sourceLines = source.split("\n", -1);
        String[] renderedLines = rendered.split("\n", -1);
        int shared = Math.min(sourceLines.length, renderedLines.length);
        int matching = 0;
        while (matching < shared && matches(sourceLines[matching], renderedLines[matching], false)) {
            matching++;
        }
        int linesAbove = matching;
        return line -> {
            boolean same = line >= 1 && line <= linesAbove + 1 && line <= shared
                    && matches(sourceLines[line - 1], renderedLines[line - 1], true);
            return new SourceLine(file, line, !same);
        };
    }

    /**
     * Returns whether a rendered line comes from a line of the file.
     *
     * @param literalStart whether a line with markup must start with non-blank text of its own,
     *     as the reported line must, so that its key is not output of the markup
     */
    private static boolean matches(String sourceLine, String renderedLine, boolean literalStart) {
        if (sourceLine.equals(renderedLine)) {
            return true;
        }
        int markup = firstMarkup(sourceLine);
        if (markup < 0) {
            return false;
        }
        String literal = sourceLine.substring(0, markup);
        return renderedLine.startsWith(literal) && !(literalStart && literal.isBlank());
    }

    /** Returns the index of the first Jinja opener in a line, or -1 when it has none. */
    private static int firstMarkup(String line) {
        int first = -1;
        for (String opener : new String[] {"{{", "{%", "{#"}) {
            int index = line.indexOf(opener);
            if (index >= 0 && (first < 0 || index < first)) {
                first = index;
            }
        }
        return first;
    }

    /** Returns a function that reports every line as the same line of the file. */
    static IntFunction<SourceLine> fileLines(Path file) {
        return line -> new SourceLine(file, line, false);
    }
}
