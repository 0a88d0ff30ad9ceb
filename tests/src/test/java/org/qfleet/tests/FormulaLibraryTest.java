package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.FleetOptions;
import org.qfleet.simulator.SimulatedFleet;

/**
 * The formula library under {@code formulas/}, applied by the real qfleet command to one
 * simulated host: test mode predicts and writes nothing, the first run converges the host, and
 * the second run changes nothing.
 */
class FormulaLibraryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Formulas of the library, each a folder of {@code formulas/} with an {@code init.sls}. */
    private static final List<String> FORMULAS =
            List.of("default-qubes", "whonix", "sys-usb", "split-gpg", "updates", "mgmt-qube");

    @TempDir
    Path work;

    private SimulatedFleet fleet;

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    /**
     * Starts one host with the default Qubes install: templates, service qubes and app qubes, and
     * the simulator's default laptop hardware with its controllers already assigned.
     */
    private void startFreshInstall() throws Exception {
        fleet = SimulatedFleet.start(work.resolve("sim"), 1, FleetOptions.defaults().withFresh(true));
    }

    /**
     * Starts one host that has dom0 and two templates only, so that the formulas create every
     * qube. Its PCI devices come from hardware.json: network controllers in 00:19.0 and 03:00.0,
     * USB controllers in 00:14.0 and 00:1a.0, and rd.qubes.dom0_usb keeps 00:1a.0 in dom0.
     */
    private void startTemplatesOnly() throws Exception {
        fleet = SimulatedFleet.start(work.resolve("sim"), 1, FleetOptions.defaults().withFresh(true)
                .withProfile(resource("templates-only.json").toString())
                .withHardwareFile(resource("hardware.json")));
    }

    private Path resource(String name) throws Exception {
        return Path.of(getClass().getResource("/formula-library/" + name).toURI());
    }

    private static Path formulas() {
        return QfleetProcess.repositoryRoot().resolve("formulas");
    }

    /** Writes a pillar root whose top gives every host the library's pillar examples. */
    private Path pillarRoot(String... examples) throws IOException {
        Path root = Files.createDirectories(work.resolve("pillar"));
        StringBuilder top = new StringBuilder("base:\n  '*':\n");
        for (int i = 0; i < examples.length; i++) {
            Files.copy(formulas().resolve(examples[i]), root.resolve("example" + i + ".sls"));
            top.append("    - example").append(i).append('\n');
        }
        Files.writeString(root.resolve("top.sls"), top.toString());
        return root;
    }

    /** Runs qfleet with JSON output against the host and returns the host's document. */
    private JsonNode run(Path pillar, List<String> fileRoots, String... call) throws Exception {
        List<String> args = new ArrayList<>(List.of("-c", fleet.configFile().toString(), "--out", "json"));
        for (String root : fileRoots) {
            args.addAll(List.of("--file-root", root));
        }
        if (pillar != null) {
            args.addAll(List.of("--pillar-root", pillar.toString()));
        }
        args.add("lab-01");
        args.addAll(List.of(call));
        QfleetProcess.Outcome outcome = QfleetProcess.run(work, args.toArray(String[]::new));
        assertEquals(0, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        return JSON.readTree(outcome.stdout()).path("lab-01");
    }

    private JsonNode apply(Path pillar, String... call) throws Exception {
        return run(pillar, List.of(formulas().toString()), call);
    }

    /** Returns the host's qubes as {@code qfleet-sim show} prints them. */
    private JsonNode qubes() throws Exception {
        return JSON.readTree(fleet.hosts().get(0).showJson()).path("vms");
    }

    /** Returns the host's state file and every file under its root folder, by path. */
    private Map<String, String> hostFiles() throws IOException {
        Path hostDir = fleet.hosts().get(0).stateFile().getParent();
        Map<String, String> files = new LinkedHashMap<>();
        files.put("state.json", Files.readString(hostDir.resolve("state.json")));
        try (Stream<Path> paths = Files.walk(hostDir.resolve("root"))) {
            for (Path path : paths.sorted().toList()) {
                files.put(hostDir.relativize(path).toString(),
                        Files.isRegularFile(path) ? Files.readString(path) : "(folder)");
            }
        }
        return files;
    }

    /** Returns a file that a formula wrote in the host's dom0, or null when it does not exist. */
    private String dom0File(String path) throws IOException {
        Path file = fleet.hosts().get(0).stateFile().getParent().resolve("root").resolve(path.substring(1));
        return Files.exists(file) ? Files.readString(file) : null;
    }

    /** Returns the host's whole state file, with dom0's packages and the qubes-vm-update log. */
    private JsonNode hostState() throws IOException {
        return JSON.readTree(fleet.hosts().get(0).stateFile().toFile());
    }

    /** Returns the PCI assignments of a qube: device ID, such as 00_14.0, to its options. */
    private JsonNode pciDevices(String qube) throws IOException {
        return hostState().path("vms").path(qube).path("devices").path("pci");
    }

    private static Map<String, JsonNode> results(JsonNode host) {
        Map<String, JsonNode> results = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = host.path("return").fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            results.put(field.getValue().path("__id__").asText(), field.getValue());
        }
        return results;
    }

    /**
     * Checks the three runs every formula must pass: test mode predicts changes and writes
     * nothing, the first run succeeds, and the second run succeeds without changes. Returns the
     * first run's results by state ID.
     */
    private Map<String, JsonNode> assertConverges(Path pillar, String... call) throws Exception {
        Map<String, String> before = hostFiles();
        List<String> testCall = new ArrayList<>(List.of(call));
        testCall.add("test=True");
        Map<String, JsonNode> predicted = results(apply(pillar, testCall.toArray(String[]::new)));
        assertFalse(predicted.isEmpty(), "test mode ran no state");
        long predictedChanges = predicted.values().stream().filter(result -> result.path("result").isNull()).count();
        assertTrue(predictedChanges > 0, "test mode predicted no change on a host that needs them: " + predicted);
        for (JsonNode result : predicted.values()) {
            assertFalse(result.path("result").isBoolean() && !result.path("result").asBoolean(),
                    "test mode predicted a failure: " + result);
        }
        assertEquals(before, hostFiles(), "test mode changed the host");

        Map<String, JsonNode> first = results(apply(pillar, call));
        for (JsonNode result : first.values()) {
            assertTrue(result.path("result").asBoolean(), "state failed: " + result);
        }
        assertTrue(first.values().stream().anyMatch(result -> !result.path("changes").isEmpty()),
                "the first run changed nothing: " + first);

        Map<String, JsonNode> second = results(apply(pillar, call));
        assertEquals(first.keySet(), second.keySet());
        for (JsonNode result : second.values()) {
            assertTrue(result.path("result").asBoolean(), "state failed on rerun: " + result);
            assertTrue(result.path("changes").isEmpty(), "state changed on rerun: " + result);
        }
        return first;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }

    private static String property(JsonNode qube, String name) {
        return qube.path("properties").path(name).asText(null);
    }

    private static String feature(JsonNode qube, String name) {
        return qube.path("features").path(name).asText(null);
    }

    private static boolean hasTag(JsonNode qube, String tag) {
        for (JsonNode item : qube.path("tags")) {
            if (item.asText().equals(tag)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void defaultQubesTopCreatesEveryQube() throws Exception {
        startTemplatesOnly();
        Path tops = Files.createDirectories(work.resolve("tops/_tops/base"));
        Files.copy(formulas().resolve("default-qubes/init.top"), tops.resolve("default-qubes.top"));
        List<String> roots = List.of(formulas().toString(), work.resolve("tops").toString());

        Map<String, JsonNode> predicted = results(run(null, roots, "state.apply", "test=True"));
        assertEquals(List.of("sys-net", "sys-firewall", "default-dvm", "personal", "work", "untrusted", "vault",
                "qubes-prefs-clockvm", "qubes-prefs-default_netvm", "qubes-prefs-updatevm", "qubes-prefs-default_dispvm"),
                List.copyOf(predicted.keySet()));
        run(null, roots, "state.apply");
        Map<String, JsonNode> rerun = results(run(null, roots, "state.apply"));

        for (JsonNode result : rerun.values()) {
            assertTrue(result.path("changes").isEmpty(), "state changed on rerun: " + result);
        }
        JsonNode qubes = qubes();
        JsonNode sysNet = qubes.path("sys-net");
        assertEquals("AppVM", sysNet.path("class").asText());
        assertEquals("red", sysNet.path("label").asText());
        assertEquals("fedora-41-xfce", property(sysNet, "template"));
        assertEquals("", property(sysNet, "netvm"));
        assertEquals("True", property(sysNet, "provides_network"));
        assertEquals("hvm", property(sysNet, "virt_mode"));
        assertEquals("True", property(sysNet, "autostart"));
        assertEquals("400", property(sysNet, "memory"));
        assertEquals("1", feature(sysNet, "servicevm"));
        assertEquals("", feature(sysNet, "service.meminfo-writer"));
        assertEquals(List.of("00_19.0", "03_00.0"), fieldNames(pciDevices("sys-net")));
        JsonNode sysFirewall = qubes.path("sys-firewall");
        assertEquals("green", sysFirewall.path("label").asText());
        assertEquals("sys-net", property(sysFirewall, "netvm"));
        assertEquals("True", property(sysFirewall, "provides_network"));
        assertEquals("500", property(sysFirewall, "memory"));
        JsonNode dvm = qubes.path("default-dvm");
        assertEquals("True", property(dvm, "template_for_dispvms"));
        assertEquals("1", feature(dvm, "appmenus-dispvm"));
        assertEquals("yellow", qubes.path("personal").path("label").asText());
        assertEquals("blue", qubes.path("work").path("label").asText());
        assertEquals("red", qubes.path("untrusted").path("label").asText());
        assertEquals("black", qubes.path("vault").path("label").asText());
        assertEquals("", property(qubes.path("vault"), "netvm"));
        JsonNode global = JSON.readTree(fleet.hosts().get(0).showJson()).path("global");
        assertEquals("sys-net", global.path("clockvm").asText());
        assertEquals("sys-firewall", global.path("default_netvm").asText());
        assertEquals("sys-firewall", global.path("updatevm").asText());
        assertEquals("default-dvm", global.path("default_dispvm").asText());
    }

    @Test
    void defaultQubesConvergeWithTestModeFirst() throws Exception {
        startTemplatesOnly();

        Map<String, JsonNode> first = assertConverges(null, "state.apply", "default-qubes");

        assertEquals(11, first.size(), first.toString());
        assertEquals("AppVM", qubes().path("personal").path("class").asText());
    }

    @Test
    void netDevicesFromRosterGrain() throws Exception {
        startTemplatesOnly();
        Path roster = work.resolve("roster-with-grains");
        Files.writeString(roster, Files.readString(fleet.rosterFile())
                + "  grains:\n    pci_net_devs:\n      - '03:00.0'\n");

        QfleetProcess.Outcome outcome = QfleetProcess.run(work, "-c", fleet.configFile().toString(),
                "--roster-file", roster.toString(), "--file-root", formulas().toString(),
                "lab-01", "state.apply", "default-qubes.sys-net");

        assertEquals(0, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        assertEquals(List.of("03_00.0"), fieldNames(pciDevices("sys-net")));
    }

    @Test
    void disposableServiceQubesFromPillar() throws Exception {
        startTemplatesOnly();
        Path pillar = pillarRoot("default-qubes/pillar-examples/disposable-service-qubes.sls");

        assertConverges(pillar, "state.apply", "default-qubes");

        JsonNode qubes = qubes();
        for (String name : List.of("sys-net", "sys-firewall")) {
            JsonNode qube = qubes.path(name);
            assertEquals("DispVM", qube.path("class").asText(), name);
            assertEquals("default-dvm", property(qube, "template"), name);
            assertEquals("True", property(qube, "provides_network"), name);
        }
        assertEquals("sys-net", property(qubes.path("sys-firewall"), "netvm"));
    }

    @Test
    void customAppQubesOnFreshInstall() throws Exception {
        startFreshInstall();
        Path pillar = pillarRoot("default-qubes/pillar-examples/custom-app-qubes.sls");

        Map<String, JsonNode> first = assertConverges(pillar, "state.apply", "default-qubes");

        assertTrue(first.containsKey("banking"), first.toString());
        assertFalse(first.containsKey("personal"), first.toString());
        JsonNode banking = qubes().path("banking");
        assertEquals("green", banking.path("label").asText());
        assertEquals("debian-12-xfce", property(banking, "template"));
        assertEquals("800", property(banking, "memory"));
    }

    @Test
    void whonixInstallsTemplatesAndQubes() throws Exception {
        startFreshInstall();

        Map<String, JsonNode> first = assertConverges(null, "state.apply", "whonix");

        assertEquals(List.of("whonix-gateway-17-installed", "whonix-gateway-17", "whonix-workstation-17-installed",
                "whonix-workstation-17", "sys-whonix", "whonix-workstation-17-dvm", "anon-whonix",
                "/etc/qubes/policy.d/40-qfleet-whonix-updates.policy"),
                List.copyOf(first.keySet()));
        JsonNode qubes = qubes();
        JsonNode gateway = qubes.path("whonix-gateway-17");
        assertEquals("TemplateVM", gateway.path("class").asText());
        assertEquals("1", feature(gateway, "whonix-gw"));
        assertTrue(hasTag(gateway, "whonix-updatevm"), gateway.toString());
        JsonNode workstation = qubes.path("whonix-workstation-17");
        assertEquals("TemplateVM", workstation.path("class").asText());
        assertEquals("1", feature(workstation, "whonix-ws"));
        assertTrue(hasTag(workstation, "whonix-updatevm"), workstation.toString());
        JsonNode sysWhonix = qubes.path("sys-whonix");
        assertEquals("whonix-gateway-17", property(sysWhonix, "template"));
        assertEquals("black", sysWhonix.path("label").asText());
        assertEquals("sys-firewall", property(sysWhonix, "netvm"));
        assertEquals("True", property(sysWhonix, "provides_network"));
        assertEquals("1", feature(sysWhonix, "servicevm"));
        JsonNode dvm = qubes.path("whonix-workstation-17-dvm");
        assertEquals("whonix-workstation-17", property(dvm, "template"));
        assertEquals("True", property(dvm, "template_for_dispvms"));
        assertEquals("sys-whonix", property(dvm, "netvm"));
        assertTrue(hasTag(dvm, "anon-vm"), dvm.toString());
        JsonNode anonWhonix = qubes.path("anon-whonix");
        assertEquals("whonix-workstation-17", property(anonWhonix, "template"));
        assertEquals("sys-whonix", property(anonWhonix, "netvm"));
        assertEquals("whonix-workstation-17-dvm", property(anonWhonix, "default_dispvm"));
        assertTrue(hasTag(anonWhonix, "anon-vm"), anonWhonix.toString());
        String policy = dom0File("/etc/qubes/policy.d/40-qfleet-whonix-updates.policy");
        assertTrue(policy.contains("qubes.UpdatesProxy  *  @tag:whonix-updatevm  @default  allow target=sys-whonix\n"),
                policy);
    }

    @Test
    void whonixVersionFromPillar() throws Exception {
        startFreshInstall();
        Path pillar = pillarRoot("whonix/pillar-examples/whonix-18.sls");

        Map<String, JsonNode> predicted = results(apply(pillar, "state.apply", "whonix", "test=True"));

        assertTrue(predicted.containsKey("whonix-gateway-18-installed"), predicted.toString());
        assertTrue(predicted.containsKey("whonix-workstation-18-dvm"), predicted.toString());
        assertFalse(predicted.containsKey("whonix-gateway-17"), predicted.toString());
        JsonNode policy = predicted.get("/etc/qubes/policy.d/40-qfleet-whonix-updates.policy");
        assertTrue(policy != null, predicted.toString());
        assertTrue(policy.path("result").asBoolean(), "the missing policy file should already be absent: " + policy);
        assertTrue(policy.path("changes").isEmpty(), policy.toString());
    }

    @Test
    void usbQubeControllersFromFacts() throws Exception {
        startTemplatesOnly();

        assertConverges(null, "state.apply", "default-qubes,sys-usb");

        JsonNode sysUsb = qubes().path("sys-usb");
        assertEquals("red", sysUsb.path("label").asText());
        assertEquals("", property(sysUsb, "netvm"));
        assertEquals("hvm", property(sysUsb, "virt_mode"));
        assertEquals("True", property(sysUsb, "autostart"));
        assertEquals("300", property(sysUsb, "memory"));
        assertEquals("1", feature(sysUsb, "servicevm"));
        assertEquals(List.of("00_14.0"), fieldNames(pciDevices("sys-usb")));
        assertEquals("True", pciDevices("sys-usb").path("00_14.0").path("no-strict-reset").asText());
        assertTrue(hostState().path("dom0_packages").path("installed").has("qubes-input-proxy"));
        String policy = dom0File("/etc/qubes/policy.d/45-qfleet-input.policy");
        assertTrue(policy.contains("qubes.InputMouse     *  sys-usb  @adminvm  ask default_target=@adminvm\n"), policy);
        assertTrue(policy.contains("qubes.InputKeyboard  *  sys-usb  @adminvm  deny\n"), policy);
        assertTrue(policy.contains("qubes.InputTablet    *  sys-usb  @adminvm  ask default_target=@adminvm\n"), policy);
    }

    @Test
    void usbKeyboardPolicyFromPillar() throws Exception {
        startTemplatesOnly();
        Path pillar = pillarRoot("sys-usb/pillar-examples/usb-keyboard.sls");

        assertConverges(pillar, "state.apply", "default-qubes,sys-usb");

        assertEquals(List.of("00_14.0"), fieldNames(pciDevices("sys-usb")));
        String policy = dom0File("/etc/qubes/policy.d/45-qfleet-input.policy");
        assertTrue(policy.contains("qubes.InputMouse     *  sys-usb  @adminvm  allow\n"), policy);
        assertTrue(policy.contains("qubes.InputKeyboard  *  sys-usb  @adminvm  ask default_target=@adminvm\n"), policy);
    }

    @Test
    void usbInvalidActionNamesPillarKey() throws Exception {
        startTemplatesOnly();
        Path pillar = Files.createDirectories(work.resolve("pillar"));
        Files.writeString(pillar.resolve("top.sls"), "base:\n  '*':\n    - usb\n");
        Files.writeString(pillar.resolve("usb.sls"), "sys_usb:\n  keyboard_action: maybe\n");

        QfleetProcess.Outcome outcome = QfleetProcess.run(work, "-c", fleet.configFile().toString(),
                "--file-root", formulas().toString(), "--pillar-root", pillar.toString(),
                "lab-01", "state.apply", "sys-usb");

        assertEquals(20, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        assertTrue(outcome.stdout().contains("invalid pillar value sys_usb:keyboard_action: maybe"), outcome.stdout());
        assertFalse(qubes().has("sys-usb"), "a formula that did not render changed the host");
    }

    @Test
    void splitGpgKeyQubeAndClients() throws Exception {
        startFreshInstall();
        Path pillar = pillarRoot("split-gpg/pillar-examples/two-clients.sls");

        assertConverges(pillar, "state.apply", "split-gpg");

        JsonNode qubes = qubes();
        JsonNode vault = qubes.path("gpg-keys");
        assertEquals("AppVM", vault.path("class").asText());
        assertEquals("black", vault.path("label").asText());
        assertEquals("", property(vault, "netvm"));
        assertEquals("1", feature(qubes.path("work"), "service.split-gpg2-client"));
        assertEquals("1", feature(qubes.path("personal"), "service.split-gpg2-client"));
        assertEquals(null, feature(qubes.path("untrusted"), "service.split-gpg2-client"));
        String policy = dom0File("/etc/qubes/policy.d/30-qfleet-split-gpg.policy");
        assertTrue(policy.contains("qubes.Gpg2  *  work  @default  allow target=gpg-keys\n"), policy);
        assertTrue(policy.contains("qubes.Gpg2  *  personal  gpg-keys  allow\n"), policy);
        assertTrue(policy.endsWith("qubes.Gpg2  *  @anyvm  @anyvm  deny\n"), policy);
    }

    @Test
    void splitGpgDefaultsNameVaultGpg() throws Exception {
        startFreshInstall();

        Map<String, JsonNode> predicted = results(apply(null, "state.apply", "split-gpg", "test=True"));

        assertTrue(predicted.containsKey("vault-gpg"), predicted.toString());
        assertTrue(predicted.containsKey("work-split-gpg-client"), predicted.toString());
    }

    @Test
    void mgmtQubeTagsManagedQubes() throws Exception {
        startFreshInstall();
        Path pillar = pillarRoot("mgmt-qube/pillar-examples/manage-work.sls");

        assertConverges(pillar, "state.apply", "mgmt-qube");

        JsonNode qubes = qubes();
        JsonNode mgmt = qubes.path("sys-mgmt");
        assertEquals("black", mgmt.path("label").asText());
        assertEquals("sys-firewall", property(mgmt, "netvm"));
        assertTrue(hasTag(qubes.path("work"), "managed-by-mgmt"), qubes.path("work").toString());
        assertTrue(hasTag(qubes.path("untrusted"), "managed-by-mgmt"), qubes.path("untrusted").toString());
        assertFalse(hasTag(qubes.path("personal"), "managed-by-mgmt"), qubes.path("personal").toString());
        assertFalse(hasTag(qubes.path("vault"), "managed-by-mgmt"), qubes.path("vault").toString());
        String policy = dom0File("/etc/qubes/policy.d/30-qfleet-mgmt-qube.policy");
        assertTrue(policy.contains("admin.vm.List  *  sys-mgmt  @adminvm  allow target=@adminvm\n"), policy);
        assertTrue(policy.contains("admin.vm.property.Set  *  sys-mgmt  @tag:managed-by-mgmt  allow target=@adminvm\n"),
                policy);
        assertFalse(policy.contains("admin.vm.property.Set  *  sys-mgmt  @adminvm"), policy);
        assertFalse(policy.contains("admin.vm.tag.Set"), policy);
    }

    @Test
    void updatesTemplatesThatReportUpdates() throws Exception {
        startFreshInstall();
        QfleetProcess.Outcome marked = QfleetProcess.run(work, "-c", fleet.configFile().toString(), "-r",
                "lab-01", "qvm-features", "fedora-41-xfce", "updates-available", "1");
        assertEquals(0, marked.exitCode(), marked.stdout() + marked.stderr());

        Map<String, JsonNode> first = assertConverges(null, "state.apply", "updates");

        assertEquals(List.of("dom0-up-to-date", "update-debian-12-xfce", "update-fedora-41-xfce"),
                List.copyOf(first.keySet()));
        assertTrue(first.get("update-debian-12-xfce").path("changes").isEmpty(), first.toString());
        assertEquals("[\"fedora-41-xfce\"]", hostState().path("vm_update_log").toString());
        assertEquals("", feature(qubes().path("fedora-41-xfce"), "updates-available"));
    }

    @Test
    void updatesForcedForChosenTemplates() throws Exception {
        startFreshInstall();
        Path pillar = pillarRoot("updates/pillar-examples/debian-only.sls");

        Map<String, JsonNode> first = results(apply(pillar, "state.apply", "updates"));
        Map<String, JsonNode> second = results(apply(pillar, "state.apply", "updates"));

        assertEquals(List.of("update-debian-12-xfce"), List.copyOf(first.keySet()));
        assertTrue(first.get("update-debian-12-xfce").path("result").asBoolean(), first.toString());
        assertTrue(second.get("update-debian-12-xfce").path("result").asBoolean(), second.toString());
        assertEquals("[\"debian-12-xfce\",\"debian-12-xfce\"]", hostState().path("vm_update_log").toString());
    }

    @Test
    void everyFormulaRendersForAHost() throws Exception {
        startFreshInstall();
        Map<String, Integer> counts = new LinkedHashMap<>();

        for (String formula : FORMULAS) {
            JsonNode slsStates = apply(null, "state.show_sls", formula).path("return");
            JsonNode lowstate = apply(null, "state.show_lowstate", formula).path("return");
            assertTrue(slsStates.size() > 0, formula + " rendered no state");
            assertTrue(lowstate.size() >= slsStates.size(), formula + ": " + lowstate);
            counts.put(formula, lowstate.size());
        }

        System.out.println("States per formula on a default install: " + counts);
    }
}
