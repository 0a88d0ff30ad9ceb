package org.qfleet.states.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/** The {@code plan} request for one host and run, protocol 1. */
public final class Plan {

    /** The protocol version the shim must understand. */
    public static final int PROTOCOL = 1;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The probe reads that take one field of a listing that several steps share. */
    private static final Set<String> LISTING_READS = Set.of("prefs", "features", "lines");

    private final String jid;
    private final String host;
    private final boolean test;
    private final boolean failhard;
    private final List<PlanChunk> chunks;
    private final List<List<String>> prefetch;
    private final List<String> absent;

    /** Creates a plan without the global failhard option. */
    public Plan(String jid, String host, boolean test, List<PlanChunk> chunks) {
        this(jid, host, test, false, chunks);
    }

    /**
     * @param failhard Salt's global {@code failhard} option: the first failed chunk stops the
     *     run, except in test mode
     * @param chunks in execution order; every requisite must refer to an earlier chunk, except
     *     {@code prereq}, whose targets come later
     * @throws IllegalArgumentException when a requisite refers to a chunk that is not earlier in
     *     the list, or a {@code prereq} to a chunk that is not later
     */
    public Plan(String jid, String host, boolean test, boolean failhard, List<PlanChunk> chunks) {
        this(jid, host, test, failhard, chunks, List.of(), List.of());
        checkRequisitesPointBack(this.chunks);
    }

    private Plan(String jid, String host, boolean test, boolean failhard, List<PlanChunk> chunks,
            List<List<String>> prefetch, List<String> absent) {
        this.jid = jid;
        this.host = host;
        this.test = test;
        this.failhard = failhard;
        this.chunks = List.copyOf(chunks);
        this.prefetch = prefetch.stream().map(List::copyOf).toList();
        this.absent = List.copyOf(absent);
    }

    /**
     * Returns this plan with probe commands that the shim runs at the same time before the first
     * chunk, memoising their results for the chunks' own probes. The shim runs only the reading
     * forms of the dom0 tools among them and skips the rest.
     */
    public Plan withPrefetch(List<List<String>> probes) {
        return new Plan(jid, host, test, failhard, chunks, probes, absent);
    }

    /**
     * Returns this plan with the qubes that the host's facts did not list, among those that its
     * steps create. Until a change touches one of them, the shim takes the existence probe of a
     * step that creates it as failed without running it, which saves one dom0 call per new qube.
     */
    public Plan withAbsent(List<String> qubes) {
        return new Plan(jid, host, test, failhard, chunks, prefetch, qubes);
    }

    /** Returns the qubes that steps of this plan create, each once, in plan order. */
    public List<String> createdQubes() {
        LinkedHashSet<String> qubes = new LinkedHashSet<>();
        for (PlanChunk chunk : chunks) {
            for (Step step : chunk.steps()) {
                if (step.creates() != null) {
                    qubes.add(step.creates());
                }
            }
        }
        return List.copyOf(qubes);
    }

    /**
     * Returns the probe commands of the steps about the given existing qubes that read a
     * listing, such as {@code qvm-prefs VM} or {@code qvm-tags VM list}, each once, in plan order. A qube that an
     * earlier chunk creates is not among them, because its listing would fail when read early.
     */
    public List<List<String>> listingProbes(Predicate<String> qubeExists) {
        LinkedHashSet<List<String>> probes = new LinkedHashSet<>();
        for (PlanChunk chunk : chunks) {
            for (Step step : chunk.steps()) {
                Probe probe = step.probe();
                if (probe != null && step.vm() != null && qubeExists.test(step.vm())
                        && LISTING_READS.contains(probe.read())) {
                    probes.add(probe.argv());
                }
            }
        }
        return List.copyOf(probes);
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
        if (failhard) {
            root.put("failhard", true);
        }
        if (!prefetch.isEmpty()) {
            root.set("prefetch", JSON.valueToTree(prefetch));
        }
        if (!absent.isEmpty()) {
            root.set("absent", JSON.valueToTree(absent));
        }
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
        if (chunk.outcome() != null) {
            node.set("outcome", outcomeNode(chunk.outcome()));
        }
        if (chunk.testOutcome() != null) {
            node.set("test_outcome", outcomeNode(chunk.testOutcome()));
        }
        if (chunk.modWatch() != null) {
            node.set("mod_watch", outcomeNode(chunk.modWatch()));
        }
        if (chunk.modWatchSteps() != null) {
            ObjectNode modWatch = node.putObject("mod_watch");
            ArrayNode watchSteps = modWatch.putArray("steps");
            for (Step step : chunk.modWatchSteps().steps()) {
                watchSteps.add(stepNode(step));
            }
            if (chunk.modWatchSteps().commentOk() != null) {
                modWatch.put("comment_ok", chunk.modWatchSteps().commentOk());
            }
        }
        if (chunk.failhard()) {
            node.put("failhard", true);
        }
        return node;
    }

    private static ObjectNode outcomeNode(Outcome outcome) {
        ObjectNode node = JSON.createObjectNode();
        node.set("result", JSON.valueToTree(outcome.result()));
        node.set("changes", JSON.valueToTree(outcome.changes()));
        node.put("comment", outcome.comment());
        if (outcome.warnings() != null) {
            node.set("warnings", JSON.valueToTree(outcome.warnings()));
        }
        return node;
    }

    private static ObjectNode stepNode(Step step) {
        ObjectNode node = JSON.createObjectNode();
        node.put("group", step.group());
        node.put("key", step.key());
        node.put("vm", step.vm());
        if (step.action() != null) {
            node.set(step.action().kind(), JSON.valueToTree(step.action().spec()));
            return node;
        }
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
        if (step.createAlone() != null) {
            node.set("create_alone", JSON.valueToTree(step.createAlone()));
        }
        if (step.setAtCreation()) {
            node.put("set_at_creation", true);
        }
        if (step.report() != null) {
            node.set("report", JSON.valueToTree(step.report()));
        }
        if (step.ignoreFailure()) {
            node.put("ignore_failure", true);
        }
        if (!step.verify()) {
            node.put("verify", false);
        }
        return node;
    }

    private static void checkRequisitesPointBack(List<PlanChunk> chunks) {
        Set<String> earlier = new HashSet<>();
        Set<String> later = new HashSet<>();
        for (PlanChunk chunk : chunks) {
            later.add(chunk.tag());
        }
        for (PlanChunk chunk : chunks) {
            later.remove(chunk.tag());
            for (Map.Entry<String, List<String>> requisite : chunk.requisites().entrySet()) {
                boolean prereq = requisite.getKey().equals("prereq");
                for (String tag : requisite.getValue()) {
                    if (prereq && !later.contains(tag)) {
                        throw new IllegalArgumentException("chunk " + chunk.tag() + " has prereq on "
                                + tag + ", which is not a later chunk of the plan");
                    }
                    if (!prereq && !earlier.contains(tag)) {
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
