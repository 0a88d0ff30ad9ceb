package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power, removal and clone states and qvm.vm applied through the real shim to a fresh
 * simulated host: each argument form, the test-mode prediction (which must leave the host as it
 * was), the rerun that changes nothing, and a failure with the command's error output.
 */
class QvmLifecycleSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private SimulatedQubesHost host;

    @BeforeEach
    void startHost() throws Exception {
        host = SimulatedQubesHost.start(work.resolve("sim"));
    }

    @AfterEach
    void stopHost() {
        host.close();
    }

    private String power(String qube) throws Exception {
        return host.show().path("vms").path(qube).path("state").asText();
    }

    private static JsonNode change(String from, String to) {
        return JSON.createObjectNode().set("state", JSON.createObjectNode().put("old", from).put("new", to));
    }

    @Test
    void startStartsThenHolds() throws Exception {
        String sls = "work:\n  qvm.start: []\n";

        JsonNode first = host.apply(sls, false).get("work");
        JsonNode second = host.apply(sls, false).get("work");

        assertTrue(first.get("result").asBoolean(), first.toString());
        assertEquals(change("Halted", "Running"), first.get("changes"));
        assertEquals("Ran: qvm-start work", first.get("comment").asText());
        assertEquals("Running", power("work"));
        assertTrue(second.get("result").asBoolean(), second.toString());
        assertEquals(JSON.createObjectNode(), second.get("changes"));
        assertEquals("Qube work is already running", second.get("comment").asText());
    }

    @Test
    void startTestModeWritesNothing() throws Exception {
        JsonNode before = host.stateFile();

        JsonNode result = host.apply("work:\n  qvm.start:\n    - flags: [quiet]\n", true).get("work");

        assertTrue(result.get("result").isNull(), result.toString());
        assertEquals(change("Halted", "Running"), result.get("changes"));
        assertEquals("Would run: qvm-start --quiet work", result.get("comment").asText());
        assertEquals(before, host.stateFile());
    }

    @Test
    void startResumesPausedQube() throws Exception {
        host.tool("qvm-start", "work");
        host.tool("qvm-pause", "work");

        JsonNode result = host.apply("work:\n  qvm.start: []\n", false).get("work");

        assertEquals(change("Paused", "Running"), result.get("changes"));
        assertEquals("Ran: qvm-unpause work", result.get("comment").asText());
        assertEquals("Running", power("work"));
    }

    @Test
    void startFailureShowsStderr() throws Exception {
        host.failTool("qvm-start");

        JsonNode result = host.apply("work:\n  qvm.start: []\n", false).get("work");

        assertFalse(result.get("result").asBoolean(), result.toString());
        assertEquals("qvm-start work failed with exit code 1: qvm-start: error: Got empty response"
                + " from qubesd. See journalctl in dom0 for details.", result.get("comment").asText());
        assertEquals("Halted", power("work"));
    }

    @Test
    void startOfMissingQubeFails() throws Exception {
        JsonNode result = host.apply("ghost:\n  qvm.start: []\n", false).get("ghost");

        assertFalse(result.get("result").asBoolean(), result.toString());
        assertTrue(result.get("comment").asText().startsWith("qvm-check ghost exited with code 1,"
                + " expected 0: qvm-check: ghost: non-existent!\n[state] skipped because an earlier step"
                + " failed"), result.toString());
    }

    @Test
    void shutdownOfUsedNetvmNeedsForce() throws Exception {
        host.tool("qvm-start", "work");

        JsonNode refused = host.apply("sys-firewall:\n  qvm.shutdown: []\n", false).get("sys-firewall");
        JsonNode forced = host.apply("sys-firewall:\n  qvm.shutdown:\n    - flags: [force]\n", false)
                .get("sys-firewall");
        JsonNode rerun = host.apply("sys-firewall:\n  qvm.shutdown:\n    - flags: [force]\n", false)
                .get("sys-firewall");

        assertFalse(refused.get("result").asBoolean(), refused.toString());
        assertTrue(refused.get("comment").asText().startsWith("qvm-shutdown --wait sys-firewall failed with exit code 1:"),
                refused.toString());
        assertTrue(refused.get("comment").asText().contains("There are other VMs connected to this VM: work"),
                refused.toString());
        assertEquals(change("Running", "Halted"), forced.get("changes"));
        assertEquals("Ran: qvm-shutdown --wait --force sys-firewall", forced.get("comment").asText());
        assertEquals("Halted", power("sys-firewall"));
        assertEquals(JSON.createObjectNode(), rerun.get("changes"));
        assertEquals("Qube sys-firewall is already halted", rerun.get("comment").asText());
    }

    @Test
    void shutdownFormsAndTestMode() throws Exception {
        host.tool("qvm-start", "work");
        host.tool("qvm-start", "personal");
        host.tool("qvm-pause", "personal");
        JsonNode before = host.stateFile();

        Map<String, JsonNode> predicted = host.apply("""
                work:
                  qvm.shutdown:
                    - flags: [kill]
                personal:
                  qvm.shutdown: []
                ghost:
                  qvm.shutdown: []
                """, true);

        assertEquals(before, host.stateFile());
        assertTrue(predicted.get("work").get("result").isNull());
        assertEquals("Would run: qvm-kill work", predicted.get("work").get("comment").asText());
        assertEquals(change("Paused", "Halted"), predicted.get("personal").get("changes"));
        assertEquals("Would run: qvm-unpause personal\nWould run: qvm-shutdown --wait personal",
                predicted.get("personal").get("comment").asText());
        assertTrue(predicted.get("ghost").get("result").asBoolean());
        assertEquals("Qube ghost is already halted", predicted.get("ghost").get("comment").asText());

        Map<String, JsonNode> applied = host.apply("""
                work:
                  qvm.shutdown:
                    - flags: [kill]
                personal:
                  qvm.shutdown: []
                """, false);

        assertEquals(change("Running", "Halted"), applied.get("work").get("changes"));
        assertEquals("Halted", power("work"));
        assertEquals("Halted", power("personal"));
    }

    @Test
    void killStopsAndHolds() throws Exception {
        host.tool("qvm-start", "work");
        JsonNode before = host.stateFile();

        JsonNode predicted = host.apply("work:\n  qvm.kill: []\n", true).get("work");
        assertEquals(before, host.stateFile());
        JsonNode killed = host.apply("work:\n  qvm.kill: []\n", false).get("work");
        JsonNode rerun = host.apply("work:\n  qvm.kill: []\n", false).get("work");

        assertEquals("Would run: qvm-kill work", predicted.get("comment").asText());
        assertEquals(change("Running", "Halted"), killed.get("changes"));
        assertEquals("Halted", power("work"));
        assertEquals("Qube work is already halted", rerun.get("comment").asText());
        assertEquals(JSON.createObjectNode(), rerun.get("changes"));
    }

    @Test
    void pauseAndUnpause() throws Exception {
        host.tool("qvm-start", "work");
        JsonNode before = host.stateFile();

        JsonNode predicted = host.apply("work:\n  qvm.pause: []\n", true).get("work");
        assertEquals(before, host.stateFile());
        JsonNode paused = host.apply("work:\n  qvm.pause: []\n", false).get("work");
        JsonNode pausedAgain = host.apply("work:\n  qvm.pause: []\n", false).get("work");
        assertEquals("Paused", power("work"));
        JsonNode resumed = host.apply("work:\n  qvm.unpause: []\n", false).get("work");
        JsonNode resumedAgain = host.apply("work:\n  qvm.unpause: []\n", false).get("work");

        assertEquals(change("Running", "Paused"), predicted.get("changes"));
        assertEquals("Ran: qvm-pause work", paused.get("comment").asText());
        assertEquals("Qube work is already paused", pausedAgain.get("comment").asText());
        assertEquals(change("Paused", "Running"), resumed.get("changes"));
        assertEquals("Qube work is not paused", resumedAgain.get("comment").asText());
        assertEquals("Running", power("work"));
    }

    @Test
    void pauseOfHaltedQubeFails() throws Exception {
        JsonNode result = host.apply("personal:\n  qvm.pause: []\n", false).get("personal");

        assertFalse(result.get("result").asBoolean(), result.toString());
        assertEquals("qvm-pause personal failed with exit code 1: Error: Failed to pause: personal:"
                + " Domain not running (either powered off or paused): 'personal'", result.get("comment").asText());
    }

    @Test
    void runningAndHaltedOnlyCheck() throws Exception {
        Map<String, JsonNode> results = host.apply("""
                running-work:
                  qvm.running:
                    - name: work
                halted-work:
                  qvm.halted:
                    - name: work
                """, false);

        JsonNode running = results.get("running-work");
        assertFalse(running.get("result").asBoolean(), running.toString());
        assertEquals("qvm-check --running work exited with code 1, expected 0: qvm-check: None of"
                + " qubes: running", running.get("comment").asText());
        assertTrue(results.get("halted-work").get("result").asBoolean());
        assertEquals("Qube work is halted", results.get("halted-work").get("comment").asText());
        assertEquals("Halted", power("work"));
    }

    @Test
    void absentRemovesThenHolds() throws Exception {
        host.tool("qvm-start", "untrusted");
        JsonNode before = host.stateFile();

        JsonNode predicted = host.apply("untrusted:\n  qvm.absent: []\n", true).get("untrusted");
        assertEquals(before, host.stateFile());
        JsonNode removed = host.apply("untrusted:\n  qvm.absent: []\n", false).get("untrusted");
        JsonNode rerun = host.apply("untrusted:\n  qvm.absent: []\n", false).get("untrusted");

        JsonNode report = JSON.createObjectNode().set("untrusted",
                JSON.createObjectNode().put("old", "exists").put("new", "removed"));
        assertTrue(predicted.get("result").isNull());
        assertEquals(report, predicted.get("changes"));
        assertEquals(report, removed.get("changes"));
        assertEquals("Ran: qvm-shutdown --wait --force untrusted\nRan: qvm-remove --force untrusted",
                removed.get("comment").asText());
        assertFalse(host.show().path("vms").has("untrusted"));
        assertEquals("Qube untrusted does not exist", rerun.get("comment").asText());
        assertEquals(JSON.createObjectNode(), rerun.get("changes"));
    }

    @Test
    void absentOfQubeInUseFails() throws Exception {
        JsonNode result = host.apply("default-dvm:\n  qvm.absent: []\n", false).get("default-dvm");

        assertFalse(result.get("result").asBoolean(), result.toString());
        assertTrue(result.get("comment").asText().contains("qvm-remove --force default-dvm failed with exit code 1:"),
                result.toString());
        assertTrue(result.get("comment").asText().contains("Domain is in use: 'default-dvm'"), result.toString());
        assertTrue(host.show().path("vms").has("default-dvm"));
    }

    @Test
    void cloneCopiesSetsLabelThenHolds() throws Exception {
        String sls = """
                work-copy:
                  qvm.clone:
                    - source: work
                    - label: orange
                    - flags: [shutdown]
                """;
        JsonNode before = host.stateFile();

        JsonNode predicted = host.apply(sls, true).get("work-copy");
        assertEquals(before, host.stateFile());
        JsonNode cloned = host.apply(sls, false).get("work-copy");
        JsonNode rerun = host.apply(sls, false).get("work-copy");

        assertTrue(predicted.get("result").isNull());
        assertEquals("work", predicted.at("/changes/work-copy/new/source").asText());
        assertEquals("orange", predicted.at("/changes/label/new").asText());
        assertEquals("work", cloned.at("/changes/work-copy/new/source").asText());
        assertEquals("blue", cloned.at("/changes/label/old").asText());
        assertEquals("orange", cloned.at("/changes/label/new").asText());
        JsonNode copy = host.show().path("vms").path("work-copy");
        assertEquals("orange", copy.path("label").asText());
        assertEquals("AppVM", copy.path("class").asText());
        assertEquals(JSON.createObjectNode(), rerun.get("changes"));
        assertEquals("Qube work-copy already exists; it is not cloned again", rerun.get("comment").asText());
    }

    @Test
    void cloneOfMissingSourceFails() throws Exception {
        JsonNode result = host.apply("copy:\n  qvm.clone:\n    - source: ghost\n", false).get("copy");

        assertFalse(result.get("result").asBoolean(), result.toString());
        assertTrue(result.get("comment").asText().startsWith("qvm-clone ghost copy failed with exit code 2:"),
                result.toString());
        assertTrue(result.get("comment").asText().contains("no such domain: 'ghost'"), result.toString());
    }

    @Test
    void vmPassActionFailureIsIgnored() throws Exception {
        JsonNode result = host.apply("""
                work:
                  qvm.vm:
                    - actions:
                      - {pause: pass}
                      - prefs
                      - start
                    - pause: []
                    - prefs:
                      - memory: 600
                    - start: []
                """, false).get("work");

        assertTrue(result.get("result").asBoolean(), result.toString());
        assertTrue(result.get("comment").asText().contains("[qvm.pause] failed, and its failure is ignored"),
                result.toString());
        assertEquals("600", result.at("/changes/qvm.prefs/memory/new").asText());
        assertEquals("Running", result.at("/changes/qvm.start/state/new").asText());
        assertEquals("Running", power("work"));
    }

    @Test
    void vmFailureSkipsLaterActions() throws Exception {
        JsonNode result = host.apply("""
                work:
                  qvm.vm:
                    - actions: [pause, prefs]
                    - pause: []
                    - prefs:
                      - memory: 600
                """, false).get("work");

        assertFalse(result.get("result").asBoolean(), result.toString());
        assertTrue(result.get("comment").asText().contains("[qvm.prefs] skipped because an earlier step failed"),
                result.toString());
        assertFalse(host.show().path("vms").path("work").path("properties").has("memory"));
    }

    @Test
    void vmDefaultOrderAndRerun() throws Exception {
        String sls = """
                scratch:
                  qvm.vm:
                    - start: []
                    - prefs:
                      - memory: 500
                    - present:
                      - label: gray
                """;

        JsonNode first = host.apply(sls, false).get("scratch");
        JsonNode second = host.apply(sls, false).get("scratch");

        assertTrue(first.get("result").asBoolean(), first.toString());
        assertEquals("[\"qvm.present\",\"qvm.prefs\",\"qvm.start\"]",
                JSON.writeValueAsString(JSON.valueToTree(iterable(first.get("changes").fieldNames()))));
        assertEquals("Running", power("scratch"));
        assertEquals(JSON.createObjectNode(), second.get("changes"), second.toString());
        assertEquals("Qube scratch is in the desired state", second.get("comment").asText());
    }

    private static java.util.List<String> iterable(java.util.Iterator<String> names) {
        java.util.List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
