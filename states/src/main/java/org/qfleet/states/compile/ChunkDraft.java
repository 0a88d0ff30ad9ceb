package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    /** The chunks this one requires, each with the requisite kind that refers to it first. */
    final Map<ChunkDraft, String> required = new LinkedHashMap<>();

    ChunkDraft(String state, String id, String sls) {
        this.state = state;
        this.id = id;
        this.sls = sls;
        this.name = id;
    }

    ChunkDraft copy() {
        ChunkDraft copy = new ChunkDraft(state, id, sls);
        copy.fun = fun;
        copy.name = name;
        copy.orderValue = orderValue;
        copy.nameOrder = nameOrder;
        copy.args.putAll(args);
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
     * Returns the finished low chunk. Its requisites are all {@code require}, because a
     * {@code watch} on a state without {@code mod_watch} runs as a {@code require}.
     */
    LowChunk toLowChunk() {
        Map<String, List<String>> requisites = new LinkedHashMap<>();
        if (!required.isEmpty()) {
            List<String> tags = new ArrayList<>();
            for (ChunkDraft chunk : required.keySet()) {
                tags.add(chunk.tag());
            }
            requisites.put(Requisites.REQUIRE, tags);
        }
        return new LowChunk(state, fun, id, name, sls, order, args, requisites);
    }
}
