package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qfleet.states.MessageValues;
import org.qfleet.states.EntryLines;

/**
 * Turns merged high data into low chunks: checks each declaration, expands {@code names},
 * sorts by order, resolves requisites and produces the execution order.
 */
final class ChunkCompiler {

    private final Map<String, IdDeclaration> high;
    private final List<String> errors;
    private final Map<String, Set<String>> includedFrom;

    /**
     * @param errors the problems found while gathering the SLS files, reported together with these
     * @param includedFrom SLS name to the SLS files that include it directly
     */
    ChunkCompiler(Map<String, IdDeclaration> high, List<String> errors,
            Map<String, Set<String>> includedFrom) {
        this.high = high;
        this.errors = new ArrayList<>(errors);
        this.includedFrom = includedFrom;
    }

    /** Returns the chunks in execution order. */
    List<LowChunk> compile() throws CompileException {
        return toLowChunks(resolve().executionOrder());
    }

    /** Returns the chunks sorted by order, with their requisites resolved. */
    List<LowChunk> compileSorted() throws CompileException {
        return toLowChunks(resolve().sorted());
    }

    private static List<LowChunk> toLowChunks(List<ChunkDraft> drafts) {
        List<LowChunk> chunks = new ArrayList<>();
        for (ChunkDraft draft : drafts) {
            chunks.add(draft.toLowChunk());
        }
        return chunks;
    }

    private RequisiteGraph resolve() throws CompileException {
        List<ChunkDraft> drafts = new ArrayList<>();
        for (IdDeclaration declaration : high.values()) {
            for (Map.Entry<String, List<Object>> module : declaration.modules.entrySet()) {
                if (checkDeclaration(declaration, module.getKey(), module.getValue())) {
                    drafts.addAll(expand(declaration, module.getKey(), module.getValue()));
                }
            }
        }
        throwIfErrors();
        List<ChunkDraft> sorted = order(drafts);
        throwIfErrors();
        RequisiteGraph graph = new RequisiteGraph(drafts, sorted, errors, includedFrom);
        graph.resolve();
        throwIfErrors();
        return graph;
    }

    private void throwIfErrors() throws CompileException {
        if (!errors.isEmpty()) {
            throw new CompileException(errors);
        }
    }

    /** Checks that a declaration names exactly one function and that its arguments are well formed. */
    private boolean checkDeclaration(IdDeclaration declaration, String module, List<Object> arguments) {
        List<String> functions = new ArrayList<>();
        boolean valid = true;
        for (Object argument : arguments) {
            if (argument instanceof String function) {
                functions.add(function);
                if (function.isBlank() || function.strip().contains(" ")) {
                    errors.add(declaration.lines(module).prefix() + "The function " + MessageValues.quote(function)
                            + " in " + where(declaration, module)
                            + " is not a valid function name; if it is an argument, it is missing a ':'");
                    valid = false;
                }
            } else if (IdDeclaration.argumentKey(argument) == null) {
                errors.add(declaration.lines(module).prefix() + "The argument " + MessageValues.quote(argument)
                        + " in " + where(declaration, module)
                        + " must be a function name or a mapping with one key, such as '- template: fedora-42'");
                valid = false;
            }
        }
        if (functions.size() != 1) {
            String state = MessageValues.quote(module);
            String id = MessageValues.quote(declaration.id);
            String sls = MessageValues.quote(declaration.sls);
            String prefix = declaration.lines(module).prefix();
            if (functions.isEmpty()) {
                errors.add(prefix + "No function declared in state " + state + " in SLS " + sls + " (ID " + id
                        + "); name one, such as '" + module + ".present:'");
            } else {
                errors.add(prefix + "Too many functions declared in state " + state + " in SLS " + sls + " (ID "
                        + id + "): " + MessageValues.escape(String.join(", ", functions))
                        + "; keep one, or give each its own ID");
            }
            return false;
        }
        return valid;
    }

    /** Builds the chunks of one declaration: one, or one per entry of {@code names}. */
    private List<ChunkDraft> expand(IdDeclaration declaration, String module, List<Object> arguments) {
        ChunkDraft base = new ChunkDraft(module, declaration.id, declaration.sls);
        base.lines = declaration.lines(module);
        List<Object> names = new ArrayList<>();
        for (Object argument : arguments) {
            if (argument instanceof String function) {
                base.fun = function;
                continue;
            }
            String key = IdDeclaration.argumentKey(argument);
            Object value = IdDeclaration.argumentValue(argument);
            if (key.equals("names")) {
                if (!(value instanceof List<?> list)) {
                    errors.add(base.lines.prefix("names") + "The 'names' argument of " + where(base)
                            + " must be a list, got: " + MessageValues.quote(value));
                    return List.of();
                }
                for (Object name : list) {
                    if (!names.contains(name)) {
                        names.add(name);
                    }
                }
            } else {
                applyArgument(base, key, value);
            }
        }
        if (names.isEmpty()) {
            return List.of(base);
        }
        List<ChunkDraft> chunks = new ArrayList<>();
        int nameOrder = 1;
        for (Object entry : names) {
            ChunkDraft chunk = base.copy();
            chunk.nameOrder = nameOrder++;
            chunk.lines = namesEntryLines(base.lines, entry);
            if (entry instanceof String name) {
                chunk.name = name;
            } else if (entry instanceof Map<?, ?> map && map.size() == 1
                    && map.keySet().iterator().next() instanceof String name
                    && map.get(name) instanceof List<?> overrides) {
                chunk.name = name;
                for (Object override : overrides) {
                    String key = IdDeclaration.argumentKey(override);
                    if (key == null) {
                        errors.add(chunk.lines.prefix("name") + "The arguments of name " + MessageValues.quote(name)
                                + " in 'names' of " + where(base) + " must be one-key mappings, got: "
                                + MessageValues.quote(override));
                        continue;
                    }
                    applyArgument(chunk, key, IdDeclaration.argumentValue(override));
                }
            } else {
                errors.add(chunk.lines.prefix("name") + "The entry " + MessageValues.quote(entry) + " in 'names' of "
                        + where(base) + " must be a name, or a name mapped to a list of arguments");
                continue;
            }
            chunks.add(chunk);
        }
        return chunks;
    }

    /**
     * Returns the lines of a chunk made from one entry of {@code names}: its name is on the
     * entry's line, and each argument the entry overrides is on the override's line. Where the
     * loader recorded no such line, the name falls back to the line of {@code names}, and an
     * override to the ID's line. The loader counts entry levels from {@code names}, so an
     * override keeps the lines of one level of entries in its value, not three.
     */
    private static StateLines namesEntryLines(StateLines lines, Object entry) {
        Map<String, EntryLines> arguments = new HashMap<>(lines.arguments());
        EntryLines names = arguments.get("names");
        EntryLines entryLines = null;
        if (names != null) {
            entryLines = names.entries().get(namesEntryKey(entry));
            arguments.put("name", EntryLines.of(entryLines != null ? entryLines.line() : names.line()));
        }
        if (entry instanceof Map<?, ?> map && map.size() == 1
                && map.values().iterator().next() instanceof List<?> overrides) {
            for (Object override : overrides) {
                String key = IdDeclaration.argumentKey(override);
                if (key == null) {
                    continue;
                }
                EntryLines overrideLines = entryLines == null ? null : entryLines.entries().get(key);
                if (overrideLines != null) {
                    arguments.put(key, overrideLines);
                } else {
                    arguments.remove(key);
                }
            }
        }
        return new StateLines(lines.id(), arguments);
    }

    /**
     * Returns the text under which the loader stores the line of an entry of {@code names}: the
     * entry itself, or the key of a one-key mapping.
     */
    // NOTE: this is the text after YAML parsing, so an entry that YAML reads as another type,
    // such as 0x10, does not match the text as written, and its errors name the line of names.
    private static String namesEntryKey(Object entry) {
        if (entry instanceof Map<?, ?> map && map.size() == 1) {
            return String.valueOf(map.keySet().iterator().next());
        }
        return String.valueOf(entry);
    }

    private void applyArgument(ChunkDraft chunk, String key, Object value) {
        switch (key) {
            case "name" -> {
                if (value instanceof String name) {
                    chunk.name = name;
                } else {
                    errors.add(chunk.lines.prefix(key) + "The 'name' argument of " + where(chunk)
                            + " must be a string, got: " + MessageValues.quote(value) + "; quote it");
                }
            }
            case "order" -> chunk.orderValue = value;
            case "state" -> {
                // Salt ignores a 'state' argument, so that it cannot change the module.
            }
            default -> {
                if (Requisites.ALL.contains(key)) {
                    addRequisite(chunk, key, value);
                } else {
                    chunk.args.put(key, value);
                }
            }
        }
    }

    private void addRequisite(ChunkDraft chunk, String kind, Object value) {
        List<Object> entries = chunk.written.computeIfAbsent(kind, unused -> new ArrayList<>());
        if (value instanceof List<?> list) {
            entries.addAll(list);
        } else if (value instanceof Map<?, ?> map && kind.endsWith("_in")) {
            // Salt accepts a plain mapping for the _in forms: each key/value pair is one entry.
            map.forEach((state, target) -> entries.add(HighStateCompiler.singleton(
                    String.valueOf(state), target)));
        } else {
            errors.add(chunk.lines.prefix(kind) + "The " + kind + " statement of " + where(chunk)
                    + " must be a list, got: " + MessageValues.quote(value));
        }
    }

    /**
     * Resolves each chunk's order and sorts: explicit integers as given, {@code first} = 0,
     * {@code last} and negative numbers after everything else, ties broken by state, name and
     * function. Entries of {@code names} keep their list order through a fraction.
     */
    private List<ChunkDraft> order(List<ChunkDraft> drafts) {
        long cap = 1;
        for (ChunkDraft draft : drafts) {
            if (draft.orderValue instanceof Integer || draft.orderValue instanceof Long) {
                long order = ((Number) draft.orderValue).longValue();
                if (order > cap - 1 && order > 0) {
                    cap = order + 100;
                }
            }
        }
        for (ChunkDraft draft : drafts) {
            draft.order = resolveOrder(draft, cap);
        }
        List<ChunkDraft> sorted = new ArrayList<>(drafts);
        sorted.sort(Comparator.comparingDouble(ChunkDraft::sortOrder)
                .thenComparing(ChunkDraft::tieBreak));
        return sorted;
    }

    private int resolveOrder(ChunkDraft draft, long cap) {
        Object value = draft.orderValue;
        long order;
        if (value == null) {
            order = cap;
        } else if ("first".equals(value)) {
            order = 0;
        } else if ("last".equals(value)) {
            order = cap + 1_000_000;
        } else if (value instanceof Integer || value instanceof Long) {
            order = ((Number) value).longValue();
            if (order < 0) {
                order = cap + 1_000_000 + order;
            }
        } else {
            errors.add(draft.lines.prefix("order") + "The order of " + where(draft)
                    + " must be an integer, 'first' or 'last', got: " + MessageValues.quote(value));
            return 0;
        }
        if (order > Integer.MAX_VALUE || order < Integer.MIN_VALUE) {
            errors.add(draft.lines.prefix("order") + "The order of " + where(draft) + " is out of range: "
                    + MessageValues.quote(value));
            return 0;
        }
        return (int) order;
    }

    /**
     * Returns {@code ID 'x' in SLS 'y'} for a chunk, with both quoted so that they print on one line.
     * Messages build it only when they report an error, because quoting costs time on every chunk.
     */
    private static String where(ChunkDraft chunk) {
        return "ID " + MessageValues.quote(chunk.id) + " in SLS " + MessageValues.quote(chunk.sls);
    }

    /** Returns {@code state 'm' of ID 'x' in SLS 'y'} for one state of a declaration. */
    private static String where(IdDeclaration declaration, String module) {
        return "state " + MessageValues.quote(module) + " of ID " + MessageValues.quote(declaration.id) + " in SLS "
                + MessageValues.quote(declaration.sls);
    }
}
