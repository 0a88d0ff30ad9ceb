package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        String where = "state '" + module + "' of ID '" + declaration.id + "' in SLS '"
                + declaration.sls + "'";
        List<String> functions = new ArrayList<>();
        boolean valid = true;
        for (Object argument : arguments) {
            if (argument instanceof String function) {
                functions.add(function);
                if (function.isBlank() || function.strip().contains(" ")) {
                    errors.add("The function '" + function + "' in " + where + " is not a valid"
                            + " function name; if it is an argument, it is missing a ':'");
                    valid = false;
                }
            } else if (IdDeclaration.argumentKey(argument) == null) {
                errors.add("The argument " + argument + " in " + where + " must be a function name"
                        + " or a mapping with one key, such as '- template: fedora-42'");
                valid = false;
            }
        }
        if (functions.isEmpty()) {
            errors.add("No function declared in state '" + module + "' in SLS '" + declaration.sls
                    + "' (ID '" + declaration.id + "'); name one, such as '" + module + ".present:'");
            return false;
        }
        if (functions.size() > 1) {
            errors.add("Too many functions declared in state '" + module + "' in SLS '"
                    + declaration.sls + "' (ID '" + declaration.id + "'): "
                    + String.join(", ", functions) + "; keep one, or give each its own ID");
            return false;
        }
        return valid;
    }

    /** Builds the chunks of one declaration: one, or one per entry of {@code names}. */
    private List<ChunkDraft> expand(IdDeclaration declaration, String module, List<Object> arguments) {
        ChunkDraft base = new ChunkDraft(module, declaration.id, declaration.sls);
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
                    errors.add("The 'names' argument of ID '" + declaration.id + "' in SLS '"
                            + declaration.sls + "' must be a list, got: " + value);
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
            if (entry instanceof String name) {
                chunk.name = name;
            } else if (entry instanceof Map<?, ?> map && map.size() == 1
                    && map.keySet().iterator().next() instanceof String name
                    && map.get(name) instanceof List<?> overrides) {
                chunk.name = name;
                for (Object override : overrides) {
                    String key = IdDeclaration.argumentKey(override);
                    if (key == null) {
                        errors.add("The arguments of name '" + name + "' in 'names' of ID '"
                                + declaration.id + "' in SLS '" + declaration.sls
                                + "' must be one-key mappings, got: " + override);
                        continue;
                    }
                    applyArgument(chunk, key, IdDeclaration.argumentValue(override));
                }
            } else {
                errors.add("The entry " + entry + " in 'names' of ID '" + declaration.id
                        + "' in SLS '" + declaration.sls + "' must be a name, or a name mapped"
                        + " to a list of arguments");
                continue;
            }
            chunks.add(chunk);
        }
        return chunks;
    }

    private void applyArgument(ChunkDraft chunk, String key, Object value) {
        String where = "ID '" + chunk.id + "' in SLS '" + chunk.sls + "'";
        switch (key) {
            case "name" -> {
                if (value instanceof String name) {
                    chunk.name = name;
                } else {
                    errors.add("The 'name' argument of " + where + " must be a string, got: "
                            + value + "; quote it");
                }
            }
            case "order" -> chunk.orderValue = value;
            case "state" -> {
                // Salt ignores a 'state' argument, so that it cannot change the module.
            }
            default -> {
                if (Requisites.ALL.contains(key)) {
                    addRequisite(chunk, key, value, where);
                } else {
                    chunk.args.put(key, value);
                }
            }
        }
    }

    private void addRequisite(ChunkDraft chunk, String kind, Object value, String where) {
        List<Object> entries = chunk.written.computeIfAbsent(kind, unused -> new ArrayList<>());
        if (value instanceof List<?> list) {
            entries.addAll(list);
        } else if (value instanceof Map<?, ?> map && kind.endsWith("_in")) {
            // Salt accepts a plain mapping for the _in forms: each key/value pair is one entry.
            map.forEach((state, target) -> entries.add(HighStateCompiler.singleton(
                    String.valueOf(state), target)));
        } else {
            errors.add("The " + kind + " statement of " + where + " must be a list, got: " + value);
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
            errors.add("The order of ID '" + draft.id + "' in SLS '" + draft.sls + "' must be an"
                    + " integer, 'first' or 'last', got: " + value);
            return 0;
        }
        if (order > Integer.MAX_VALUE || order < Integer.MIN_VALUE) {
            errors.add("The order of ID '" + draft.id + "' in SLS '" + draft.sls
                    + "' is out of range: " + value);
            return 0;
        }
        return (int) order;
    }
}
