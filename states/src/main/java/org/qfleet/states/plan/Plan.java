package org.qfleet.states.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code plan} request for one host and run, protocol 1. */
public final class Plan {

    /** The protocol version the shim must understand. */
    public static final int PROTOCOL = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String jid;
    private final String host;
    private final boolean test;
    private final List<PlanChunk> chunks;

    /**
     * @param chunks in execution order; every requisite must refer to an earlier chunk
     * @throws IllegalArgumentException when a requisite refers to a chunk that is not earlier in
     *     the list
     */
    public Plan(String jid, String host, boolean test, List<PlanChunk> chunks) {
        this.jid = jid;
        this.host = host;
        this.test = test;
        this.chunks = List.copyOf(chunks);
        checkRequisitesPointBack(this.chunks);
    }

    public List<PlanChunk> chunks() {
        return chunks;
    }

    /** Serialises the plan as the UTF-8 JSON request the shim reads from its standard input. */
    public byte[] toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("protocol", PROTOCOL);
        root.put("kind", "plan");
        root.put("jid", jid);
        root.put("host", host);
        root.put("test", test);
        ArrayNode array = root.putArray("chunks");
        for (PlanChunk chunk : chunks) {
            array.add(chunkNode(chunk));
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a plan of strings and numbers failed to serialise", e);
        }
    }

    private static ObjectNode chunkNode(PlanChunk chunk) {
        ObjectNode node = JSON.createObjectNode();
        node.put("tag", chunk.tag());
        node.put("id", chunk.id());
        node.put("sls", chunk.sls());
        node.put("state", chunk.state());
        node.put("fun", chunk.fun());
        node.put("name", chunk.name());
        node.put("order", chunk.order());
        node.set("requisites", JSON.valueToTree(chunk.requisites()));
        if (chunk.commentOk() != null) {
            node.put("comment_ok", chunk.commentOk());
        }
        ArrayNode steps = node.putArray("steps");
        for (Step step : chunk.steps()) {
            steps.add(stepNode(step));
        }
        return node;
    }

    private static ObjectNode stepNode(Step step) {
        ObjectNode node = JSON.createObjectNode();
        node.put("group", step.group());
        node.put("key", step.key());
        node.put("vm", step.vm());
        ObjectNode probe = node.putObject("probe");
        probe.set("argv", JSON.valueToTree(step.probe().argv()));
        probe.put("read", step.probe().read());
        if (step.probe().field() != null) {
            probe.put("field", step.probe().field());
        }
        if (step.probe().vmValued()) {
            probe.put("vm_valued", true);
        }
        ObjectNode expect = node.putObject("expect");
        expect.set(step.expect().key(), JSON.valueToTree(step.expect().value()));
        node.set("change", JSON.valueToTree(step.change()));
        if (step.creates() != null) {
            node.put("creates", step.creates());
        }
        if (step.report() != null) {
            node.set("report", JSON.valueToTree(step.report()));
        }
        return node;
    }

    private static void checkRequisitesPointBack(List<PlanChunk> chunks) {
        Set<String> earlier = new HashSet<>();
        for (PlanChunk chunk : chunks) {
            for (Map.Entry<String, List<String>> requisite : chunk.requisites().entrySet()) {
                for (String tag : requisite.getValue()) {
                    if (!earlier.contains(tag)) {
                        throw new IllegalArgumentException("chunk " + chunk.tag() + " has "
                                + requisite.getKey() + " on " + tag
                                + ", which is not an earlier chunk of the plan");
                    }
                }
            }
            earlier.add(chunk.tag());
        }
    }
}
