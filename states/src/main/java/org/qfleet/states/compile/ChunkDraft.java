package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** A low chunk while it is being compiled: its order and requisites are not final yet. */
final class ChunkDraft {

    final String state;
    final String id;
    final String sls;
    String fun;
    String name;
    Object orderValue;
    int nameOrder;
    int order;
    final Map<String, Object> args = new LinkedHashMap<>();
    /** Requisite kind to its entries as written: strings and one-key mappings. */
    final Map<String, List<Object>> written = new LinkedHashMap<>();
    /** Requisite kind to the chunks it refers to, resolved, in sorted order. */
    final Map<String, LinkedHashSet<ChunkDraft>> resolved = new LinkedHashMap<>();
    /** The chunks that run before this one, each with the requisite kind that refers to it first. */
    final Map<ChunkDraft, String> required = new LinkedHashMap<>();
    /** The lines of the ID and the arguments, for error messages. */
    StateLines lines = StateLines.NONE;

    ChunkDraft(String state, String id, String sls) {
        this.state = state;
        this.id = id;
        this.sls = sls;
        this.name = id;
    }

    /**
     * Returns the {@code listener_} chunk of a state with {@code listen}: its {@code mod_watch},
     * run at the end of the run when a listened state changed.
     */
    ChunkDraft listener() {
        ChunkDraft listener = new ChunkDraft(state, "listener_" + id, sls);
        listener.fun = "mod_watch";
        listener.name = name;
        listener.order = order;
        listener.args.putAll(args);
        listener.lines = lines;
        listener.resolved.put(Requisites.LISTEN, resolved.get(Requisites.LISTEN));
        return listener;
    }

    ChunkDraft copy() {
        ChunkDraft copy = new ChunkDraft(state, id, sls);
        copy.fun = fun;
        copy.name = name;
        copy.orderValue = orderValue;
        copy.nameOrder = nameOrder;
        copy.args.putAll(args);
        copy.lines = lines;
        written.forEach((kind, entries) -> copy.written.put(kind, new ArrayList<>(entries)));
        return copy;
    }

    double sortOrder() {
        return order + nameOrder / 10000.0;
    }

    /** The text Salt breaks order ties with: state, name and function run together. */
    String tieBreak() {
        return state + name + fun;
    }

    String tag() {
        return state + LowChunk.TAG_SEPARATOR + id + LowChunk.TAG_SEPARATOR + name
                + LowChunk.TAG_SEPARATOR + fun;
    }

    /** Describes the chunk for cycle errors, in the form Salt 3008 prints. */
    String describe() {
        return "{'SLS': '" + sls + "', 'ID': '" + id + "', 'NAME': '" + name + "'}";
    }

    /**
     * Returns the finished low chunk, with each resolved requisite kind as tags. Only the
     * {@code listener_} chunk carries {@code listen}, because the shim reads it as the mark of
     * a chunk that runs only after a change.
     */
    LowChunk toLowChunk() {
        boolean listener = "mod_watch".equals(fun) && id.startsWith("listener_");
        Map<String, List<String>> requisites = new LinkedHashMap<>();
        resolved.forEach((kind, chunks) -> {
            if (!chunks.isEmpty() && (listener || !kind.equals(Requisites.LISTEN))) {
                List<String> tags = new ArrayList<>();
                for (ChunkDraft chunk : chunks) {
                    tags.add(chunk.tag());
                }
                requisites.put(kind, tags);
            }
        });
        return new LowChunk(state, fun, id, name, sls, order, args, requisites, lines);
    }
}
