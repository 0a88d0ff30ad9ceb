package org.qfleet.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.shim.Shim;

/** Host profiles, hardware facts and fixed ports, seen through a real SSH client and the real shim. */
class HostProfilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private SimulatedFleet fleet;
    private SshExec ssh;

    private void start(int hosts, FleetOptions options) throws Exception {
        fleet = SimulatedFleet.start(dir.resolve("sim"), hosts, options);
        ssh = new SshExec(fleet);
    }

    @AfterEach
    void stop() throws Exception {
        if (ssh != null) {
            ssh.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    private String stdout(int host, String command) throws IOException {
        SshExec.Result result = ssh.run(fleet.hosts().get(host), command);
        assertEquals(0, result.exitStatus(), command + "\n" + result);
        return result.stdout();
    }

    @Test
    void emptyProfileHasOnlyDom0() throws Exception {
        start(1, FleetOptions.defaults().withProfile("empty"));

        assertEquals("dom0\n", stdout(0, "qvm-ls --raw-list"));
        assertEquals("", stdout(0, "qubes-prefs default_netvm"));
    }

    @Test
    void hardwareFileSetsFactsPerHost() throws Exception {
        Path hardware = dir.resolve("hardware.json");
        Files.writeString(hardware, """
                {"memory_mb": 32768, "cpus": 8, "qubes_release": "4.2.3",
                 "kernel_cmdline": "root=/dev/mapper/qubes_dom0-root ro iommu=force",
                 "pci_devices": [{"slot": "00:14.3", "class": "0280", "vendor": "8086", "device": "a370",
                                  "class_name": "Network controller", "vendor_name": "Intel Corporation",
                                  "device_name": "Wireless-AC 9560", "revision": "10"}],
                 "hosts": {"lab-02": {"hostname": "laptop-2", "memory_mb": 8192}}}
                """);
        start(2, FleetOptions.defaults().withHardwareFile(hardware));

        assertEquals("00:14.3 \"0280\" \"8086\" \"a370\" -r10 \"\" \"\"\n", stdout(0, "lspci -mm -n"));
        assertTrue(stdout(0, "xl info").contains("\ntotal_memory           : 32768\n"));
        assertTrue(stdout(1, "xl info").contains("\ntotal_memory           : 8192\n"));
        assertEquals("8\n", stdout(0, "qubes-prefs no_cpus"));
        assertEquals("root=/dev/mapper/qubes_dom0-root ro iommu=force\n", stdout(0, "cat \"$QUBES_SIM_ROOT/proc/cmdline\""));
        assertEquals("Qubes release 4.2.3 (R4.2)\n", stdout(0, "cat \"$QUBES_SIM_ROOT/etc/qubes-release\""));
        assertEquals("lab-01\n", stdout(0, "hostname"));
        assertEquals("laptop-2\n", stdout(1, "hostname"));
        assertEquals("laptop-2\n", stdout(1, "cat \"$QUBES_SIM_ROOT/etc/hostname\""));
    }

    @Test
    void invalidHardwareFileNamed() throws Exception {
        Path hardware = dir.resolve("hardware.json");
        Files.writeString(hardware, "{\"memory\": 1024}");

        IOException error = assertThrows(IOException.class, () -> SimulatedFleet.start(dir.resolve("sim"), 1,
                FleetOptions.defaults().withHardwareFile(hardware)));

        assertTrue(error.getMessage().contains(hardware + ": memory is not a hardware fact"), error.getMessage());

        Files.writeString(hardware, "{\"pci_devices\": [{\"slot\": \"00:02.0\", \"class\": \"NET\", "
                + "\"vendor\": \"8086\", \"device\": \"1234\"}]}");
        IOException badClass = assertThrows(IOException.class, () -> SimulatedFleet.start(dir.resolve("sim"), 1,
                FleetOptions.defaults().withHardwareFile(hardware)));
        assertTrue(badClass.getMessage().contains("pci_devices[0].class must be 4 lower-case hex digits"),
                badClass.getMessage());
    }

    @Test
    void portBaseFixesPorts() throws Exception {
        int base;
        try (ServerSocket probe = new ServerSocket(0)) {
            base = probe.getLocalPort();
        }
        // NOTE: another process may take base or base + 1 between the probe and the start.
        start(2, FleetOptions.defaults().withPortBase(base));

        assertEquals(base, fleet.hosts().get(0).port());
        assertEquals(base + 1, fleet.hosts().get(1).port());
        assertEquals("lab-02\n", stdout(1, "hostname"));
    }

    /** Copies the sample output of a real dom0's tools from the test resources into a directory. */
    private Path sampleTwinOutput() throws IOException {
        Path twin = dir.resolve("twin");
        List<String> files = List.of("qvm-ls.txt", "qubes-prefs.txt", "prefs/debian-12-work.txt", "prefs/sys-net.txt",
                "prefs/sys-firewall.txt", "prefs/sys-vpn.txt", "prefs/work.txt", "prefs/vault.txt",
                "features/debian-12-work.txt", "features/work.txt", "tags/work.txt", "tags/sys-vpn.txt");
        for (String file : files) {
            Path target = twin.resolve(file);
            Files.createDirectories(target.getParent());
            try (InputStream in = HostProfilesTest.class.getResourceAsStream("twin/" + file)) {
                Files.copy(in, target);
            }
        }
        return twin;
    }

    @Test
    void importedTwinTakesFormula() throws Exception {
        Path profile = dir.resolve("twin.json");
        int exit = SimMain.commandLine().execute("import", "--output", profile.toString(), sampleTwinOutput().toString());
        assertEquals(0, exit);
        start(1, FleetOptions.defaults().withProfile(profile.toString()));

        assertEquals("debian-12-work|TemplateVM|Halted\ndom0|AdminVM|Running\nsys-firewall|AppVM|Running\n"
                + "sys-net|AppVM|Running\nsys-vpn|AppVM|Running\nvault|AppVM|Halted\nwork|AppVM|Halted\n",
                stdout(0, "qvm-ls --raw-data --fields name,class,state"));
        assertEquals("sys-vpn\n", stdout(0, "qvm-prefs work netvm"));
        assertEquals("2000\n", stdout(0, "qvm-prefs work memory"));
        assertEquals("1024\n", stdout(0, "qvm-prefs debian-12-work memory"));
        assertEquals("created-by-dom0\nwork-laptop\n", stdout(0, "qvm-tags work"));
        assertEquals("on\n", stdout(0, "qvm-service work cups"));
        assertEquals("debian-12-work\n", stdout(0, "qubes-prefs default_template"));
        assertTrue(stdout(0, "xl info").contains("\ntotal_memory           : 32768\n"));

        List<JsonNode> first = applyPlan(twinFormulaPlan());
        assertEquals(List.of(true, true), results(first));
        JsonNode mailChanges = first.get(0).path("changes");
        assertEquals("sys-vpn", mailChanges.path("qvm.prefs").path("netvm").path("new").asText(), mailChanges.toString());
        assertEquals("800", first.get(1).path("changes").path("qvm.prefs").path("memory").path("new").asText());

        List<JsonNode> second = applyPlan(twinFormulaPlan());
        assertEquals(List.of(true, true), results(second));
        for (JsonNode result : second) {
            assertEquals(0, result.path("changes").size(), "a second run changes nothing: " + result);
        }
        JsonNode mail = JSON.readTree(fleet.hosts().get(0).showJson()).path("vms").path("mail");
        assertEquals("debian-12-work", mail.path("properties").path("template").asText());
        assertEquals("sys-vpn", mail.path("properties").path("netvm").asText());
        assertTrue(mail.path("tags").toString().contains("work-laptop"), mail.toString());
    }

    /**
     * Returns the plan that qfleet compiles from a formula with two qvm states: a qube "mail" based on
     * the twin's own template and VPN qube, and more memory for the existing "work".
     */
    private static Map<String, Object> twinFormulaPlan() {
        Map<String, Object> create = Map.of("group", "qvm.present", "key", "mail", "vm", "mail",
                "creates", "mail",
                "probe", Map.of("argv", List.of("qvm-check", "--quiet", "mail"), "read", "exit"),
                "expect", Map.of("exit", 0),
                "change", List.of(List.of("qvm-create", "--class", "AppVM", "--template", "debian-12-work",
                        "--label", "purple", "mail")));
        Map<String, Object> netvm = Map.of("group", "qvm.prefs", "key", "netvm", "vm", "mail",
                "probe", Map.of("argv", List.of("qvm-prefs", "mail"), "read", "prefs", "field", "netvm",
                        "vm_valued", true),
                "expect", Map.of("value", "sys-vpn"),
                "change", List.of(List.of("qvm-prefs", "mail", "netvm", "sys-vpn")));
        Map<String, Object> tag = Map.of("group", "qvm.tags", "key", "work-laptop", "vm", "mail",
                "probe", Map.of("argv", List.of("qvm-tags", "mail", "list"), "read", "lines", "field", "work-laptop"),
                "expect", Map.of("present", true),
                "change", List.of(List.of("qvm-tags", "mail", "add", "work-laptop")));
        Map<String, Object> memory = Map.of("group", "qvm.prefs", "key", "memory", "vm", "work",
                "probe", Map.of("argv", List.of("qvm-prefs", "work"), "read", "prefs", "field", "memory"),
                "expect", Map.of("value", "800"),
                "change", List.of(List.of("qvm-prefs", "work", "memory", "800")));
        List<Object> chunks = new ArrayList<>();
        chunks.add(Map.of("tag", "qvm_|-mail_|-mail_|-vm", "id", "mail", "sls", "twin.mail", "state", "qvm",
                "fun", "vm", "name", "mail", "requisites", Map.of(), "steps", List.of(create, netvm, tag)));
        chunks.add(Map.of("tag", "qvm_|-work_|-work_|-prefs", "id", "work", "sls", "twin.work", "state", "qvm",
                "fun", "prefs", "name", "work", "requisites", Map.of(), "steps", List.of(memory)));
        return Map.of("protocol", 1, "kind", "plan", "jid", "20261204170000000000", "host", "lab-01",
                "test", false, "chunks", chunks);
    }

    /** Sends a plan through the real shim over SSH and returns its result lines. */
    private List<JsonNode> applyPlan(Map<String, Object> plan) throws Exception {
        byte[] stdin = Shim.stdinFor(JSON.writeValueAsBytes(plan));
        SshExec.Result run = ssh.run(fleet.hosts().get(0), Shim.bootstrapCommand(), stdin, SshExec.TIMEOUT);
        assertEquals(0, run.exitStatus(), run.toString());
        List<JsonNode> results = new ArrayList<>();
        for (String line : run.stdout().split("\n")) {
            JsonNode node = JSON.readTree(line.getBytes(StandardCharsets.UTF_8));
            if (node.path("type").asText().equals("result")) {
                results.add(node);
            }
        }
        assertFalse(results.isEmpty(), run.toString());
        return results;
    }

    private static List<Boolean> results(List<JsonNode> lines) {
        return lines.stream().map(line -> line.path("result").asBoolean()).toList();
    }
}
