package org.qfleet.states.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qfleet.states.catalog.StateCatalog;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.yaml.snakeyaml.Yaml;

class PlanTest {

    private static final String JID = "20261204153012345678";
    private static final String WHONIX = """
            sys-whonix:
              qvm.vm:
                - present:
                  - template: whonix-gateway-17
                  - label: black
                  - flags: [proxy]
                - prefs:
                  - netvm: sys-firewall
                  - memory: "500"
                - features:
                  - disable: [service.cups]
                  - default: [os]
                - tags:
                  - add: [anon-gateway]
                - require:
                  - qvm: sys-firewall
            sys-firewall:
              qvm.exists: []
            """;

    @Test
    void requestHeader() throws Exception {
        JsonNode plan = planJson(WHONIX, true);
        assertEquals(1, plan.get("protocol").asInt());
        assertEquals("plan", plan.get("kind").asText());
        assertEquals(JID, plan.get("jid").asText());
        assertEquals("lab-07", plan.get("host").asText());
        assertTrue(plan.get("test").asBoolean());
        assertEquals(2, plan.get("chunks").size());
    }

    @Test
    void chunkFields() throws Exception {
        JsonNode chunk = planJson(WHONIX, false).get("chunks").get(1);
        assertEquals("qvm_|-sys-whonix_|-sys-whonix_|-vm", chunk.get("tag").asText());
        assertEquals("sys-whonix", chunk.get("id").asText());
        assertEquals("qvm.sys-whonix", chunk.get("sls").asText());
        assertEquals("qvm", chunk.get("state").asText());
        assertEquals("vm", chunk.get("fun").asText());
        assertEquals("sys-whonix", chunk.get("name").asText());
        assertEquals(10000, chunk.get("order").asInt());
        assertEquals(json("{\"require\": [\"qvm_|-sys-firewall_|-sys-firewall_|-exists\"]}"),
                chunk.get("requisites"));
        assertEquals("Qube sys-whonix is in the desired state", chunk.get("comment_ok").asText());
    }

    @Test
    void stepFields() throws Exception {
        JsonNode steps = planJson(WHONIX, false).get("chunks").get(1).get("steps");
        assertEquals(json("""
                {"group": "qvm.present", "key": "sys-whonix", "vm": "sys-whonix",
                 "probe": {"argv": ["qvm-prefs", "sys-whonix"], "read": "exists"},
                 "expect": {"present": true},
                 "change": [["qvm-create", "sys-whonix", "--class=AppVM", "--template=whonix-gateway-17",
                             "--label=black", "--property=provides_network=True",
                             "--property", "netvm=sys-firewall", "--property", "memory=500"]],
                 "creates": "sys-whonix",
                 "create_alone": ["qvm-create", "sys-whonix", "--class=AppVM",
                                  "--template=whonix-gateway-17", "--label=black",
                                  "--property=provides_network=True"],
                 "report": {"old": null, "new": {"class": "AppVM", "template": "whonix-gateway-17",
                                                 "label": "black", "provides_network": "True"}}}"""),
                steps.get(0));
        assertEquals(json("""
                {"group": "qvm.prefs", "key": "netvm", "vm": "sys-whonix",
                 "probe": {"argv": ["qvm-prefs", "sys-whonix"], "read": "prefs", "field": "netvm",
                           "vm_valued": true},
                 "expect": {"value": "sys-firewall"},
                 "change": [["qvm-prefs", "sys-whonix", "netvm", "sys-firewall"]],
                 "set_at_creation": true}"""), steps.get(1));
        assertEquals(json("{\"value\": \"500\"}"), steps.get(2).get("expect"));
        assertFalse(steps.get(2).get("probe").has("vm_valued"));
        assertEquals(json("""
                {"group": "qvm.features", "key": "os", "vm": "sys-whonix",
                 "probe": {"argv": ["qvm-features", "sys-whonix"], "read": "features", "field": "os"},
                 "expect": {"value": null},
                 "change": [["qvm-features", "--unset", "sys-whonix", "os"]]}"""), steps.get(4));
        assertEquals(json("""
                {"group": "qvm.tags", "key": "anon-gateway", "vm": "sys-whonix",
                 "probe": {"argv": ["qvm-tags", "sys-whonix", "list"], "read": "lines",
                           "field": "anon-gateway"},
                 "expect": {"present": true},
                 "change": [["qvm-tags", "sys-whonix", "add", "anon-gateway"]]}"""), steps.get(5));
    }

    @Test
    void checkStepHasNoChange() throws Exception {
        JsonNode step = planJson(WHONIX, false).get("chunks").get(0).get("steps").get(0);
        assertTrue(step.get("group").isNull());
        assertEquals(json("[]"), step.get("change"));
        assertFalse(step.has("creates"));
        assertFalse(step.has("report"));
    }

    @Test
    void requisiteOnLaterChunkIsRejected() {
        PlanChunk first = new PlanChunk("qvm_|-a_|-a_|-exists", "a", "main", "qvm", "exists", "a", 10000,
                Map.of("require", List.of("qvm_|-b_|-b_|-exists")), null, List.of());
        PlanChunk second = new PlanChunk("qvm_|-b_|-b_|-exists", "b", "main", "qvm", "exists", "b", 10001,
                Map.of(), null, List.of());
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new Plan(JID, "lab-07", false, List.of(first, second)));
        assertEquals("chunk qvm_|-a_|-a_|-exists has require on qvm_|-b_|-b_|-exists, which is not an"
                + " earlier chunk of the plan", error.getMessage());
    }

    @Test
    void prereqMustPointToLaterChunk() {
        PlanChunk first = new PlanChunk("test_|-a_|-a_|-nop", "a", "main", "test", "nop", "a", 10000,
                Map.of(), null, List.of());
        PlanChunk second = new PlanChunk("test_|-b_|-b_|-nop", "b", "main", "test", "nop", "b", 10001,
                Map.of("prereq", List.of("test_|-a_|-a_|-nop")), null, List.of());
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new Plan(JID, "lab-07", false, List.of(first, second)));
        assertEquals("chunk test_|-b_|-b_|-nop has prereq on test_|-a_|-a_|-nop, which is not a later"
                + " chunk of the plan", error.getMessage());
    }

    @Test
    void outcomesAndFailhardAreWritten() throws Exception {
        Outcome run = new Outcome(true, Map.of("testing", Map.of("old", "Unchanged")), "Success!",
                List.of("careful"));
        Outcome watch = new Outcome(true, null, "Watch statement fired.", null);
        PlanChunk chunk = new PlanChunk("test_|-a_|-a_|-nop", "a", "main", "test", "nop", "a", 10000,
                Map.of(), null, List.of(), run, null, watch, true);
        JsonNode plan = new ObjectMapper().readTree(
                new Plan(JID, "lab-07", false, true, List.of(chunk)).toJson());
        assertTrue(plan.get("failhard").asBoolean());
        JsonNode written = plan.get("chunks").get(0);
        assertEquals(json("""
                {"result": true, "changes": {"testing": {"old": "Unchanged"}}, "comment": "Success!",
                 "warnings": ["careful"]}"""), written.get("outcome"));
        assertEquals(json("""
                {"result": true, "changes": null, "comment": "Watch statement fired."}"""),
                written.get("mod_watch"));
        assertFalse(written.has("test_outcome"));
        assertTrue(written.get("failhard").asBoolean());
    }

    private static JsonNode planJson(String yaml, boolean test) throws Exception {
        return new ObjectMapper().readTree(plan(yaml, test).toJson());
    }

    private static Plan plan(String yaml, boolean test) throws Exception {
        SlsSource source = new SlsSource() {
            @Override
            public Map<String, Object> render(String sls) {
                return new Yaml().load(yaml);
            }

            @Override
            public boolean exists(String sls) {
                return sls.equals("qvm.sys-whonix");
            }
        };
        StateCatalog catalog = new StateCatalog();
        List<PlanChunk> chunks = new ArrayList<>();
        for (LowChunk chunk : new HighStateCompiler(source).compile(List.of("qvm.sys-whonix"))) {
            chunks.add(catalog.compile(chunk));
        }
        return new Plan(JID, "lab-07", test, chunks);
    }

    @Test
    void listingProbesOfExistingQubes() throws Exception {
        Plan plan = plan(WHONIX, false);

        assertEquals(List.of(List.of("qvm-prefs", "sys-whonix"), List.of("qvm-features", "sys-whonix"),
                        List.of("qvm-tags", "sys-whonix", "list")),
                plan.listingProbes(name -> name.equals("sys-whonix")));
        assertEquals(List.of(), plan.listingProbes(name -> false), "a qube that does not exist yet");
    }

    @Test
    void prefetchIsWrittenOnlyWhenGiven() throws Exception {
        Plan plan = plan(WHONIX, false);
        JsonNode without = new ObjectMapper().readTree(plan.toJson());
        JsonNode with = new ObjectMapper().readTree(
                plan.withPrefetch(List.of(List.of("qvm-prefs", "sys-whonix"))).toJson());

        assertFalse(without.has("prefetch"));
        assertEquals(json("[[\"qvm-prefs\", \"sys-whonix\"]]"), with.get("prefetch"));
        assertEquals(without.get("chunks"), with.get("chunks"));
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }
}
