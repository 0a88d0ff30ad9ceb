package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qvm.firewall, qvm.devices, qvm.run and the value forms of qvm.prefs, qvm.features and
 * qvm.service applied through the real shim to a fresh simulated host.
 */
class QvmSettingsSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String FIREWALL = """
            work:
              qvm.firewall:
                - set:
                  - accept example.com tcp 443
                  - action=accept dsthost=10.1.2.3 proto=udp dstports=53
                  - {action: drop, proto: icmp, icmptype: 8, comment: no ping}
                  - action=accept specialtarget=dns
                - policy: drop
            """;

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

    @Test
    void firewallSetsRulesThenHolds() throws Exception {
        JsonNode first = host.apply(FIREWALL, false).get("work");
        JsonNode second = host.apply(FIREWALL, false).get("work");

        assertTrue(first.get("result").asBoolean(), first.toString());
        assertEquals("action=accept", first.at("/changes/rules/old").asText());
        assertEquals(String.join("\n",
                "action=accept proto=tcp dsthost=example.com dstports=443-443",
                "action=accept proto=udp dst4=10.1.2.3/32 dstports=53-53",
                "action=drop proto=icmp icmptype=8 comment=no ping",
                "action=accept specialtarget=dns",
                "action=drop"), first.at("/changes/rules/new").asText());
        JsonNode rules = host.stateFile().path("vms").path("work").path("firewall");
        assertEquals(5, rules.size(), rules.toString());
        assertEquals("no ping", rules.get(2).path("comment").asText());
        assertEquals("drop", rules.get(4).path("action").asText());
        assertTrue(second.get("result").asBoolean(), second.toString());
        assertEquals(JSON.createObjectNode(), second.get("changes"));
        assertEquals("Firewall rules of qube work are already set", second.get("comment").asText());
    }

    @Test
    void firewallTestModeWritesNothing() throws Exception {
        JsonNode before = host.stateFile();

        JsonNode result = host.apply(FIREWALL, true).get("work");

        assertTrue(result.get("result").isNull(), result.toString());
        assertTrue(result.get("comment").asText().startsWith("Would run: qvm-firewall work reset\n"
                + "Would run: qvm-firewall work add --before 0 action=drop\n"), result.toString());
        assertEquals(before, host.stateFile());
    }

    @Test
    void firewallFailureShowsStderr() throws Exception {
        JsonNode result = host.apply("ghost:\n  qvm.firewall:\n    - policy: drop\n", false).get("ghost");

        assertFalse(result.get("result").asBoolean(), result.toString());
        assertTrue(result.get("comment").asText().startsWith("qvm-firewall ghost reset failed with exit code 2:"),
                result.toString());
        assertTrue(result.get("comment").asText().contains("no such domain: 'ghost'"), result.toString());
    }

    @Test
    void devicesReattachWithOptionsThenHold() throws Exception {
        String sls = """
                sys-usb:
                  qvm.devices:
                    - attach:
                      - pci:dom0:00_14.0:
                        - no-strict-reset: true
                    - detach:
                      - 3c:00.0
                """;
        JsonNode before = host.stateFile();

        JsonNode predicted = host.apply(sls, true).get("sys-usb");
        assertEquals(before, host.stateFile());
        JsonNode first = host.apply(sls, false).get("sys-usb");
        JsonNode second = host.apply(sls, false).get("sys-usb");

        assertTrue(predicted.get("result").isNull(), predicted.toString());
        assertEquals("sys-usb (no-strict-reset=True)", predicted.at("/changes/dom0:00_14.0/new").asText());
        assertTrue(first.get("result").asBoolean(), first.toString());
        assertEquals("sys-usb (no-strict-reset=True)", first.at("/changes/dom0:00_14.0/new").asText());
        assertEquals("sys-usb", first.at("/changes/dom0:3c_00.0/old").asText());
        assertEquals("", first.at("/changes/dom0:3c_00.0/new").asText());
        JsonNode assigned = host.stateFile().path("vms").path("sys-usb").path("devices").path("pci");
        assertEquals("True", assigned.path("00_14.0").path("no-strict-reset").asText(), assigned.toString());
        assertFalse(assigned.has("3c_00.0"), assigned.toString());
        assertEquals(JSON.createObjectNode(), second.get("changes"), second.toString());
        assertEquals("PCI devices of qube sys-usb are already set", second.get("comment").asText());
    }

    @Test
    void devicesOfAnotherQubeFail() throws Exception {
        host.tool("qvm-prefs", "work", "virt_mode", "hvm");

        JsonNode result = host.apply("work:\n  qvm.devices:\n    - attach: ['02:00.0']\n", false).get("work");

        assertFalse(result.get("result").asBoolean(), result.toString());
        assertTrue(result.get("comment").asText().contains("qvm-device pci attach --persistent work dom0:02_00.0"
                + " failed with exit code 1: Error: Device dom0:02_00.0 is already assigned to sys-net"),
                result.toString());
    }

    @Test
    void prefsPcidevsOfConvergedHostHold() throws Exception {
        Map<String, JsonNode> results = host.apply("""
                sys-net:
                  qvm.prefs:
                    - pcidevs: ['00:1f.6', '02:00.0']
                sys-usb:
                  qvm.prefs:
                    - pcidevs: []
                    - pci_strictreset: false
                """, false);

        for (JsonNode result : results.values()) {
            assertTrue(result.get("result").asBoolean(), result.toString());
            assertEquals(JSON.createObjectNode(), result.get("changes"), result.toString());
        }
    }

    @Test
    void storedValueFormsRerunWithoutChanges() throws Exception {
        String sls = """
                work-prefs:
                  qvm.prefs:
                    - name: work
                    - memory: "400"
                    - maxmem: 4000
                    - netvm: none
                    - default-dispvm: ''
                    - include_in_backups: "false"
                    - kernelopts: '*default*'
                personal-prefs:
                  qvm.prefs:
                    - name: personal
                    - netvm: ''
                    - default_dispvm: none
                    - audiovm: ''
                work-features:
                  qvm.features:
                    - name: work
                    - set:
                      - answer: 1
                      - flag: true
                    - enable: [servicevm]
                    - disable: [gui]
                work-services:
                  qvm.service:
                    - name: work
                    - disable: [cups]
                    - enable: [crond]
                """;

        Map<String, JsonNode> first = host.apply(sls, false);
        Map<String, JsonNode> second = host.apply(sls, false);

        for (JsonNode result : first.values()) {
            assertTrue(result.get("result").asBoolean(), result.toString());
        }
        JsonNode vm = host.show().path("vms").path("work");
        assertEquals("400", vm.path("properties").path("memory").asText());
        assertEquals("", vm.path("properties").path("netvm").asText());
        assertEquals("1", vm.path("features").path("answer").asText());
        assertEquals("", vm.path("features").path("service.cups").asText());
        for (JsonNode result : second.values()) {
            assertTrue(result.get("result").asBoolean(), result.toString());
            assertEquals(JSON.createObjectNode(), result.get("changes"), "changed on rerun: " + result);
        }
    }

    @Test
    void runReportsOutputAndRunsEveryTime() throws Exception {
        host.editState(state -> {
            ObjectNode rules = JSON.createObjectNode();
            rules.set("default", JSON.createObjectNode().put("stdout", "").put("stderr", "").put("exit_code", 0));
            rules.putArray("rules").add(JSON.createObjectNode().put("match", "work cat /etc/hostname")
                    .put("stdout", "work\n").put("stderr", "").put("exit_code", 0))
                    .add(JSON.createObjectNode().put("match", "work false*")
                    .put("stdout", "").put("stderr", "it failed\n").put("exit_code", 3));
            state.set("qvm_run", rules);
        });
        String sls = "work:\n  qvm.run:\n    - cmd: cat /etc/hostname\n    - user: root\n";

        JsonNode first = host.apply(sls, false).get("work");
        JsonNode second = host.apply(sls, false).get("work");

        assertTrue(first.get("result").asBoolean(), first.toString());
        assertEquals(0, first.at("/changes/retcode").asInt());
        assertEquals("work", first.at("/changes/stdout").asText());
        assertEquals("Command \"qvm-run --pass-io --user=root work 'cat /etc/hostname'\" run",
                first.get("comment").asText());
        assertEquals(0, second.at("/changes/retcode").asInt());
        JsonNode log = host.stateFile().path("qvm_run_log");
        assertEquals(2, log.size(), log.toString());
        assertEquals("root", log.get(0).path("user").asText());
        assertEquals("Running", host.show().path("vms").path("work").path("state").asText());

        JsonNode failed = host.apply("work:\n  qvm.run:\n    - cmd: false now\n", false).get("work");
        assertFalse(failed.get("result").asBoolean(), failed.toString());
        assertEquals(3, failed.at("/changes/retcode").asInt());
        assertEquals("it failed", failed.at("/changes/stderr").asText());
    }

    @Test
    void runTestModeRunsNothing() throws Exception {
        JsonNode before = host.stateFile();

        JsonNode result = host.apply("work:\n  qvm.run:\n    - cmd: touch /tmp/x\n", true).get("work");

        assertTrue(result.get("result").isNull(), result.toString());
        assertTrue(result.get("comment").asText().contains("would have been executed"), result.toString());
        assertEquals(before, host.stateFile());
    }
}
