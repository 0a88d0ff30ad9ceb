package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One low chunk: a single state function call, as Salt's compiler produces it from high data.
 *
 * @param state the state module, such as {@code qvm}
 * @param fun the state function, such as {@code present}
 * @param id the state ID, the top-level key it was declared under
 * @param name the {@code name} argument, the ID when none was given, or one entry of {@code names}
 * @param sls the dotted name of the SLS file that declared it
 * @param order the order value before sorting: 10000 and up in definition order, 0 for
 *     {@code first}, and so on. Entries of {@code names} share their declaration's value.
 * @param args the arguments other than name, names, order and requisites, in declaration order
 * @param requisites requisite kind to the tags of the chunks it refers to, resolved. Every
 *     kind is {@code require} so far: {@code require_in} adds to its target's require, and a
 *     {@code watch} on a state without {@code mod_watch} runs as a require, as in Salt.
 * @param lines the lines of the ID and the arguments in the SLS file, for error messages
 */
public record LowChunk(
        String state,
        String fun,
        String id,
        String name,
        String sls,
        int order,
        Map<String, Object> args,
        Map<String, List<String>> requisites,
        StateLines lines) {

    /** The separator Salt puts between the parts of a state tag. */
    public static final String TAG_SEPARATOR = "_|-";

    public LowChunk {
        args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        Map<String, List<String>> copy = new LinkedHashMap<>();
        requisites.forEach((kind, tags) -> copy.put(kind, List.copyOf(tags)));
        requisites = Collections.unmodifiableMap(copy);
        lines = lines == null ? StateLines.NONE : lines;
    }

    /** Creates a chunk whose source records no lines. */
    public LowChunk(String state, String fun, String id, String name, String sls, int order,
            Map<String, Object> args, Map<String, List<String>> requisites) {
        this(state, fun, id, name, sls, order, args, requisites, StateLines.NONE);
    }

    /** Returns Salt's state tag, {@code <state>_|-<id>_|-<name>_|-<fun>}. */
    public String tag() {
        return state + TAG_SEPARATOR + id + TAG_SEPARATOR + name + TAG_SEPARATOR + fun;
    }

    /**
     * Returns the chunk as Salt's {@code state.show_lowstate} prints it. Each resolved requisite
     * is written back as {@code {state: id}} of the chunk it refers to, the form Salt itself
     * uses for {@code require_in}, so a requisite written by glob or by SLS appears expanded.
     */
    public Map<String, Object> toSaltLowstate() {
        Map<String, Object> low = new LinkedHashMap<>();
        low.put("state", state);
        low.put("name", name);
        low.put("__sls__", sls);
        low.put("__env__", "base");
        low.put("__id__", id);
        low.putAll(args);
        requisites.forEach((kind, tags) -> {
            List<Map<String, String>> written = new ArrayList<>();
            for (String tag : tags) {
                String[] parts = tag.split("_\\|-", -1);
                written.add(Map.of(parts[0], parts[1]));
            }
            low.put(kind, written);
        });
        low.put("order", order);
        low.put("fun", fun);
        return low;
    }
}
