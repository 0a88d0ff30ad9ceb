package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.qfleet.states.MessageValues;

/**
 * Resolves requisites between chunks to the chunks they refer to, rejects references to
 * states that do not exist and cycles, and computes the execution order.
 */
final class RequisiteGraph {

    /** The number of cycle edges an error lists; a glob can put thousands of edges on cycles. */
    static final int MAX_CYCLE_EDGES = 20;

    private final List<ChunkDraft> declared;
    private final List<ChunkDraft> sorted;
    private final List<String> errors;
    /** Chunks by ID and by name, each list in sorted order, so exact references need no scan. */
    private final Map<String, List<ChunkDraft>> byIdOrName = new HashMap<>();
    /** SLS name to the SLS files that include it directly. */
    private final Map<String, Set<String>> includedFrom;

    /**
     * @param declared the chunks in declaration order, the order in which {@code require_in}
     *     entries are added to their targets
     * @param sorted the same chunks sorted by order, the order in which matches are listed
     */
    RequisiteGraph(List<ChunkDraft> declared, List<ChunkDraft> sorted, List<String> errors,
            Map<String, Set<String>> includedFrom) {
        this.includedFrom = includedFrom;
        this.declared = declared;
        this.sorted = sorted;
        this.errors = errors;
        for (ChunkDraft chunk : sorted) {
            byIdOrName.computeIfAbsent(chunk.id, unused -> new ArrayList<>()).add(chunk);
            if (!chunk.name.equals(chunk.id)) {
                byIdOrName.computeIfAbsent(chunk.name, unused -> new ArrayList<>()).add(chunk);
            }
        }
    }

    void resolve() {
        for (ChunkDraft chunk : declared) {
            for (String kind : chunk.written.keySet()) {
                if (!Requisites.SUPPORTED.contains(kind)) {
                    errors.add(chunk.lines.prefix(kind) + "The requisite " + MessageValues.quote(kind) + " in state ["
                            + MessageValues.escape(chunk.name) + "] (ID " + MessageValues.quote(chunk.id) + ") in SLS ["
                            + chunk.sls + "] is not supported;"
                            + " supported requisites: " + String.join(", ", Requisites.SUPPORTED));
                }
            }
        }
        if (!errors.isEmpty()) {
            return;
        }
        copyUsedArguments();
        for (ChunkDraft chunk : declared) {
            Requisites.IN_FORMS.forEach((inKind, kind) -> addIncoming(chunk, inKind, kind));
        }
        for (ChunkDraft chunk : declared) {
            if (!Requisites.WITH_MOD_WATCH.contains(chunk.state)) {
                // Salt appends the watch list to the require list of a state without mod_watch.
                moveEntries(chunk, Requisites.WATCH, Requisites.REQUIRE);
                moveEntries(chunk, Requisites.WATCH_ANY, Requisites.REQUIRE_ANY);
            }
        }
        for (ChunkDraft chunk : sorted) {
            for (String kind : Requisites.RESOLVED) {
                for (Object entry : chunk.written.getOrDefault(kind, List.of())) {
                    for (ChunkDraft target : targets(chunk, kind, entry)) {
                        chunk.resolved.computeIfAbsent(kind, unused -> new LinkedHashSet<>()).add(target);
                    }
                }
            }
        }
        for (ChunkDraft chunk : sorted) {
            for (ChunkDraft target : chunk.resolved.getOrDefault(Requisites.PREREQ, new LinkedHashSet<>())) {
                target.resolved.computeIfAbsent(Requisites.PREREQUIRED, unused -> new LinkedHashSet<>())
                        .add(chunk);
            }
            if (chunk.resolved.containsKey(Requisites.LISTEN)
                    && !Requisites.WITH_MOD_WATCH.contains(chunk.state)) {
                errors.add(chunk.lines.prefix(Requisites.LISTEN) + "The requisite 'listen' in state ["
                        + MessageValues.escape(chunk.name) + "] (ID " + MessageValues.quote(chunk.id)
                        + ") in SLS [" + chunk.sls + "] runs the state's mod_watch, but '"
                        + chunk.state + "' states have no mod_watch; use onchanges instead");
            }
        }
        for (ChunkDraft chunk : sorted) {
            for (String kind : Requisites.ORDERING) {
                if (kind.equals(Requisites.PREREQ)) {
                    addPrereqTargetRequirements(chunk);
                    continue;
                }
                for (ChunkDraft target : chunk.resolved.getOrDefault(kind, new LinkedHashSet<>())) {
                    chunk.required.putIfAbsent(target, kind);
                }
            }
        }
        if (errors.isEmpty()) {
            reportCycles();
        }
    }

    /**
     * Puts the requirements of each prereq target before the chunk with the prereq, because
     * Salt's test run of the target runs them first.
     */
    private static void addPrereqTargetRequirements(ChunkDraft chunk) {
        for (ChunkDraft target : chunk.resolved.getOrDefault(Requisites.PREREQ, new LinkedHashSet<>())) {
            for (String kind : Requisites.ORDERING) {
                if (kind.equals(Requisites.PREREQ)) {
                    continue;
                }
                for (ChunkDraft required : target.resolved.getOrDefault(kind, new LinkedHashSet<>())) {
                    if (required != chunk) {
                        chunk.required.putIfAbsent(required, Requisites.PREREQ);
                    }
                }
            }
        }
    }

    private static void moveEntries(ChunkDraft chunk, String from, String to) {
        List<Object> entries = chunk.written.remove(from);
        if (entries != null) {
            chunk.written.computeIfAbsent(to, unused -> new ArrayList<>()).addAll(entries);
        }
    }

    /**
     * Applies {@code use} and {@code use_in}: a state that uses another takes each of its
     * arguments that it does not set itself. Requisites, name, names and order are never copied.
     * Unlike Salt, which ignores a {@code use} of a state that does not exist, this is an error.
     */
    private void copyUsedArguments() {
        Map<ChunkDraft, Set<String>> ownArguments = new HashMap<>();
        for (ChunkDraft chunk : declared) {
            ownArguments.put(chunk, Set.copyOf(chunk.args.keySet()));
        }
        for (ChunkDraft chunk : declared) {
            for (Object entry : chunk.written.getOrDefault(Requisites.USE_IN, List.of())) {
                for (ChunkDraft user : usedStates(chunk, Requisites.USE_IN, entry)) {
                    copyArguments(chunk, user, ownArguments.get(user));
                }
            }
        }
        for (ChunkDraft chunk : declared) {
            for (Object entry : chunk.written.getOrDefault(Requisites.USE, List.of())) {
                for (ChunkDraft used : usedStates(chunk, Requisites.USE, entry)) {
                    copyArguments(used, chunk, ownArguments.get(chunk));
                }
            }
        }
    }

    private static void copyArguments(ChunkDraft from, ChunkDraft to, Set<String> ownArguments) {
        from.args.forEach((key, value) -> {
            if (!ownArguments.contains(key)) {
                to.args.put(key, value);
            }
        });
    }

    /** Returns the states a {@code use} entry names: exactly by ID or name as Salt does, or by SLS. */
    private List<ChunkDraft> usedStates(ChunkDraft chunk, String kind, Object entry) {
        List<ChunkDraft> globbed = targets(chunk, kind, entry);
        if (globbed.isEmpty() || entry instanceof String || "sls".equals(IdDeclaration.argumentKey(entry))) {
            return globbed;
        }
        String value = String.valueOf(IdDeclaration.argumentValue(entry));
        List<ChunkDraft> exact = new ArrayList<>();
        for (ChunkDraft candidate : globbed) {
            if (candidate.id.equals(value) || candidate.name.equals(value)) {
                exact.add(candidate);
            }
        }
        if (exact.isEmpty()) {
            errors.add(chunk.lines.prefix(kind) + "The " + kind + " entry " + MessageValues.quote(entry) + " in state ["
                    + MessageValues.escape(chunk.name) + "] (ID " + MessageValues.quote(chunk.id) + ") in SLS ["
                    + chunk.sls + "] must name a state exactly; globs are"
                    + " not accepted for " + kind);
        }
        return exact;
    }

    /** Adds {@code <state>: <id>} of {@code chunk} to the {@code kind} list of each target of its {@code inKind} entries. */
    private void addIncoming(ChunkDraft chunk, String inKind, String kind) {
        for (Object entry : chunk.written.getOrDefault(inKind, List.of())) {
            String key = entry instanceof String ? "id" : IdDeclaration.argumentKey(entry);
            Object value = entry instanceof String ? entry : key == null ? null : IdDeclaration.argumentValue(entry);
            if (!"sls".equals(key) && value instanceof String pattern && Fnmatch.hasWildcards(pattern)) {
                // Salt 3006/3007 turns an _in entry into an extend of that literal ID.
                errors.add(chunk.lines.prefix(inKind) + "Cannot extend ID " + MessageValues.quote(pattern) + " in SLS '"
                        + HighStateCompiler.SALTENV + ":" + chunk.sls + "': the " + inKind + " entry of ID "
                        + MessageValues.quote(chunk.id) + " is a glob,"
                        + " which Salt takes as a literal ID; name each state instead");
                continue;
            }
            for (ChunkDraft target : targets(chunk, inKind, entry)) {
                Map<String, Object> reference = HighStateCompiler.singleton(chunk.state, chunk.id);
                List<Object> entries = target.written.computeIfAbsent(kind, unused -> new ArrayList<>());
                if (!entries.contains(reference)) {
                    entries.add(reference);
                }
            }
        }
    }

    /** Returns the chunks one requisite entry refers to, in sorted order, or records an error. */
    private List<ChunkDraft> targets(ChunkDraft chunk, String kind, Object entry) {
        String key;
        Object value;
        if (entry instanceof String id) {
            key = "id";
            value = id;
        } else if (IdDeclaration.argumentKey(entry) != null) {
            key = IdDeclaration.argumentKey(entry);
            value = IdDeclaration.argumentValue(entry);
        } else {
            errors.add(chunk.lines.prefix(kind) + "The " + kind + " entry " + MessageValues.quote(entry) + " in state ["
                    + MessageValues.escape(chunk.name) + "] (ID " + MessageValues.quote(chunk.id) + ") in SLS ["
                    + chunk.sls + "] must be a mapping with one key,"
                    + " such as 'qvm: sys-net', 'id: sys-net' or 'sls: qvm.sys-net'");
            return List.of();
        }
        if (key.contains(".")) {
            errors.add(chunk.lines.prefix(kind) + "Invalid requisite type " + MessageValues.quote(key) + " in "
                    + kind + " of state [" + MessageValues.escape(chunk.name) + "] (ID "
                    + MessageValues.quote(chunk.id) + ") in SLS [" + chunk.sls + "]: requisite types"
                    + " must not contain dots; did you mean '" + key.substring(0, key.indexOf('.'))
                    + "'?");
            return List.of();
        }
        if (!(value instanceof String || value instanceof Number)) {
            errors.add(chunk.lines.prefix(kind) + "The " + kind + " entry " + MessageValues.quote(entry) + " in state ["
                    + MessageValues.escape(chunk.name) + "] (ID " + MessageValues.quote(chunk.id) + ") in SLS ["
                    + chunk.sls + "] must name a state, got: " + MessageValues.quote(value));
            return List.of();
        }
        String pattern = String.valueOf(value);
        Predicate<String> matcher = Fnmatch.matcher(pattern);
        List<ChunkDraft> candidates = sorted;
        if (!key.equals("sls") && !Fnmatch.hasWildcards(pattern)) {
            candidates = byIdOrName.getOrDefault(pattern, List.of());
        }
        List<ChunkDraft> found = new ArrayList<>();
        for (ChunkDraft candidate : candidates) {
            if (matches(candidate, key, matcher)) {
                found.add(candidate);
            }
        }
        if (found.isEmpty()) {
            errors.add(chunk.lines.prefix(kind) + "Referenced state does not exist for requisite [" + kind + ": ("
                    + MessageValues.escape(key) + ": " + MessageValues.escape(pattern) + ")] in state ["
                    + MessageValues.escape(chunk.name) + "] in SLS [" + chunk.sls + "]");
        }
        return found;
    }

    private boolean matches(ChunkDraft candidate, String key, Predicate<String> matcher) {
        if (key.equals("sls")) {
            if (matcher.test(candidate.sls)) {
                return true;
            }
            // As in Salt 3007.1 and later, an SLS also stands for the files it includes directly.
            for (String includer : includedFrom.getOrDefault(candidate.sls, Set.of())) {
                if (matcher.test(includer)) {
                    return true;
                }
            }
            return false;
        }
        boolean named = matcher.test(candidate.name) || matcher.test(candidate.id);
        return named && (key.equals("id") || candidate.state.equals(key));
    }

    /** Reports every requisite edge that lies on a cycle, using Tarjan's strongly connected components. */
    private void reportCycles() {
        Tarjan tarjan = new Tarjan();
        for (ChunkDraft chunk : sorted) {
            if (!tarjan.index.containsKey(chunk)) {
                tarjan.visit(chunk);
            }
        }
        List<String> edges = new ArrayList<>();
        boolean selfReference = false;
        for (ChunkDraft chunk : sorted) {
            for (Map.Entry<ChunkDraft, String> edge : chunk.required.entrySet()) {
                ChunkDraft required = edge.getKey();
                boolean sameComponent = tarjan.component.get(chunk).equals(tarjan.component.get(required));
                boolean onCycle = chunk == required || sameComponent && tarjan.size(chunk) > 1;
                selfReference |= chunk == required;
                if (onCycle) {
                    edges.add("(" + chunk.describe() + ", '" + edge.getValue() + "', "
                            + required.describe() + ")");
                }
            }
        }
        if (!edges.isEmpty()) {
            String listed = String.join(", ", edges.subList(0, Math.min(edges.size(), MAX_CYCLE_EDGES)));
            if (edges.size() > MAX_CYCLE_EDGES) {
                listed += ", and " + (edges.size() - MAX_CYCLE_EDGES) + " more edges";
            }
            String hint = selfReference ? ". A state requires itself when its own ID or name matches"
                    + " its requisite, because requisites match both; rename one of them" : "";
            errors.add("Recursive requisites were found: " + listed + hint);
        }
    }

    /** Returns the chunks sorted by order, before requisites pull any ahead. */
    List<ChunkDraft> sorted() {
        return sorted;
    }

    /**
     * Returns the chunks in the order Salt's runtime calls them: in sorted order, each chunk
     * after the chunks it requires, which are called first, depth first, in the order of the
     * requisite kinds and entries. The {@code listener_} chunks of the states
     * with {@code listen} follow, in sorted order, as Salt's {@code call_listen} appends them.
     */
    List<ChunkDraft> executionOrder() {
        Set<ChunkDraft> placed = new LinkedHashSet<>();
        for (ChunkDraft chunk : sorted) {
            place(chunk, placed);
        }
        List<ChunkDraft> order = new ArrayList<>(placed);
        for (ChunkDraft chunk : sorted) {
            if (chunk.resolved.containsKey(Requisites.LISTEN)) {
                order.add(chunk.listener());
            }
        }
        return order;
    }

    /** Places {@code chunk} after its requirements, depth first, with an explicit stack so long chains fit. */
    private static void place(ChunkDraft chunk, Set<ChunkDraft> placed) {
        Deque<Map.Entry<ChunkDraft, Iterator<ChunkDraft>>> stack = new ArrayDeque<>();
        Set<ChunkDraft> entered = new HashSet<>();
        if (placed.contains(chunk)) {
            return;
        }
        stack.push(Map.entry(chunk, chunk.required.keySet().iterator()));
        entered.add(chunk);
        while (!stack.isEmpty()) {
            Map.Entry<ChunkDraft, Iterator<ChunkDraft>> top = stack.peek();
            if (top.getValue().hasNext()) {
                ChunkDraft required = top.getValue().next();
                if (!placed.contains(required) && entered.add(required)) {
                    stack.push(Map.entry(required, required.required.keySet().iterator()));
                }
            } else {
                stack.pop();
                placed.add(top.getKey());
            }
        }
    }

    private static final class Tarjan {

        final Map<ChunkDraft, Integer> index = new HashMap<>();
        final Map<ChunkDraft, Integer> lowLink = new HashMap<>();
        final Map<ChunkDraft, Integer> component = new HashMap<>();
        final Map<Integer, Integer> componentSize = new HashMap<>();
        final Deque<ChunkDraft> stack = new ArrayDeque<>();
        final Set<ChunkDraft> onStack = new LinkedHashSet<>();
        int counter;

        /** Runs Tarjan's algorithm from {@code root} with an explicit stack, so long chains fit. */
        void visit(ChunkDraft root) {
            Deque<Map.Entry<ChunkDraft, Iterator<ChunkDraft>>> calls = new ArrayDeque<>();
            enter(root, calls);
            while (!calls.isEmpty()) {
                Map.Entry<ChunkDraft, Iterator<ChunkDraft>> call = calls.peek();
                ChunkDraft chunk = call.getKey();
                if (call.getValue().hasNext()) {
                    ChunkDraft required = call.getValue().next();
                    if (!index.containsKey(required)) {
                        enter(required, calls);
                    } else if (onStack.contains(required)) {
                        lowLink.put(chunk, Math.min(lowLink.get(chunk), index.get(required)));
                    }
                    continue;
                }
                calls.pop();
                if (!calls.isEmpty()) {
                    ChunkDraft caller = calls.peek().getKey();
                    lowLink.put(caller, Math.min(lowLink.get(caller), lowLink.get(chunk)));
                }
                if (lowLink.get(chunk).equals(index.get(chunk))) {
                    closeComponent(chunk);
                }
            }
        }

        private void enter(ChunkDraft chunk, Deque<Map.Entry<ChunkDraft, Iterator<ChunkDraft>>> calls) {
            index.put(chunk, counter);
            lowLink.put(chunk, counter);
            counter++;
            stack.push(chunk);
            onStack.add(chunk);
            calls.push(Map.entry(chunk, chunk.required.keySet().iterator()));
        }

        private void closeComponent(ChunkDraft chunk) {
            int id = index.get(chunk);
            int size = 0;
            ChunkDraft member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.put(member, id);
                size++;
            } while (member != chunk);
            componentSize.put(id, size);
        }

        int size(ChunkDraft chunk) {
            return componentSize.get(component.get(chunk));
        }
    }
}
