package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.FleetOptions;
import org.qfleet.simulator.SimulatedFleet;

/**
 * The file, cmd and pkg states applied to a simulated host through bin/qfleet and the real
 * shim: test mode predicts without changing anything, a run changes the host, a rerun
 * changes nothing, and failures fail their states. File states land below the simulated
 * host's root directory, never in this machine's /etc.
 */
class Dom0StatesFleetTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private SimulatedFleet fleet;
    private Path root;

    @BeforeEach
    void startFleet() throws Exception {
        fleet = SimulatedFleet.start(work.resolve("sim"), 1);
        root = fleet.hosts().get(0).stateFile().getParent().resolve("root");
        Files.createDirectories(root.resolve("etc/default"));
        Files.writeString(root.resolve("etc/default/grub"), "GRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX=\"quiet\"\n");
        Files.createDirectories(root.resolve("etc/qfleet"));
        Files.writeString(root.resolve("etc/qfleet/notes.txt"), "remember\n");
        Files.writeString(root.resolve("etc/qfleet/old.conf"), "obsolete\n");
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void fileStatesPredictApplyAndConverge() throws Exception {
        Map<String, String> before = rootFiles();

        JsonNode predicted = apply("files", true);
        assertEquals(0, predicted.get("retcode").asInt(), predicted.toString());
        for (JsonNode state : states(predicted)) {
            assertTrue(state.get("result").isNull(), "test mode result of " + state);
        }
        assertEquals(before, rootFiles(), "test mode changed files");
        assertEquals("--- \n+++ \n@@ -1,2 +1,3 @@\n GRUB_TIMEOUT=3\n GRUB_CMDLINE_LINUX=\"quiet\"\n"
                + "+GRUB_DISABLE_OS_PROBER=true\n",
                state(predicted, "grub-os-prober").get("changes").get("diff").asText(),
                "append predicted on top of the predicted replace");

        JsonNode applied = apply("files", false);
        assertEquals(0, applied.get("retcode").asInt(), applied.toString());
        Path policy = root.resolve("etc/qubes/policy.d/30-x.policy");
        assertEquals("qubes.Gpg * work vault allow\n", Files.readString(policy));
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(policy)));
        assertEquals("# policy for lab-01\n", Files.readString(root.resolve("etc/qubes/policy.d/31-host.policy")));
        assertTrue(Files.isDirectory(root.resolve("etc/qfleet/data")));
        assertEquals(Path.of("/etc/qubes/policy.d/30-x.policy"),
                Files.readSymbolicLink(root.resolve("etc/qfleet/link")));
        assertEquals("GRUB_TIMEOUT=3\nGRUB_CMDLINE_LINUX=\"quiet\"\nGRUB_DISABLE_OS_PROBER=true\n",
                Files.readString(root.resolve("etc/default/grub")));
        assertEquals("# managed by qfleet\nremember\n", Files.readString(root.resolve("etc/qfleet/notes.txt")));
        assertFalse(Files.exists(root.resolve("etc/qfleet/old.conf")));
        JsonNode managed = state(applied, "/etc/qubes/policy.d/30-x.policy");
        assertEquals("New file", managed.get("changes").get("diff").asText());
        assertEquals("0640", managed.get("changes").get("mode").asText());
        assertEquals("--- \n+++ \n@@ -1,2 +1,2 @@\n-GRUB_TIMEOUT=5\n+GRUB_TIMEOUT=3\n GRUB_CMDLINE_LINUX=\"quiet\"\n",
                state(applied, "grub-timeout").get("changes").get("diff").asText());

        JsonNode rerun = apply("files", false);
        assertEquals(0, rerun.get("retcode").asInt(), rerun.toString());
        for (JsonNode state : states(rerun)) {
            assertEquals(JSON.createObjectNode(), state.get("changes"), "rerun changes of " + state);
            assertTrue(state.get("result").asBoolean(), "rerun result of " + state);
        }
        assertEquals("File /etc/qubes/policy.d/30-x.policy is in the correct state",
                state(rerun, "/etc/qubes/policy.d/30-x.policy").get("comment").asText());
    }

    @Test
    void commandStatesRunOnceAndOnWatch() throws Exception {
        JsonNode predicted = apply("commands", true);
        assertEquals(0, predicted.get("retcode").asInt(), predicted.toString());
        JsonNode greetPrediction = state(predicted, "greet");
        assertTrue(greetPrediction.get("result").isNull());
        assertEquals(JSON.createObjectNode(), greetPrediction.get("changes"));
        assertTrue(greetPrediction.get("comment").asText().endsWith("would have been executed"),
                greetPrediction.toString());
        assertFalse(Files.exists(root.resolve("etc/qfleet/hello")), "test mode ran a command");

        JsonNode applied = apply("commands", false);
        assertEquals(0, applied.get("retcode").asInt(), applied.toString());
        assertEquals("built\n", Files.readString(root.resolve("etc/qfleet/built")));
        assertEquals("hello from /tmp\n", Files.readString(root.resolve("etc/qfleet/hello")));
        assertEquals("reloaded\n", Files.readString(root.resolve("etc/qfleet/reloads")),
                "cmd.wait runs once through watch, and the unwatched one never");
        JsonNode greet = state(applied, "greet");
        assertEquals(0, greet.get("changes").get("retcode").asInt());
        assertTrue(greet.get("comment").asText().startsWith("Command \"echo"), greet.toString());
        assertEquals("", state(applied, "never").get("comment").asText());

        JsonNode rerun = apply("commands", false);
        assertEquals(0, rerun.get("retcode").asInt(), rerun.toString());
        for (JsonNode state : states(rerun)) {
            assertEquals(JSON.createObjectNode(), state.get("changes"), "rerun changes of " + state);
        }
        assertEquals("/etc/qfleet/built exists", state(rerun, "build-once").get("comment").asText());
        assertEquals("unless condition is true", state(rerun, "greet").get("comment").asText());
        assertEquals("reloaded\n", Files.readString(root.resolve("etc/qfleet/reloads")));
    }

    @Test
    void packageStatesInstallRemoveAndConverge() throws Exception {
        Path stateFile = fleet.hosts().get(0).stateFile();
        String packagesBefore = installedPackages(stateFile).toString();

        JsonNode predicted = apply("packages", true);
        assertEquals(0, predicted.get("retcode").asInt(), predicted.toString());
        JsonNode tools = state(predicted, "dom0-tools");
        assertTrue(tools.get("result").isNull());
        assertEquals("installed", tools.get("changes").get("split-gpg2-dom0").get("new").asText());
        assertEquals(packagesBefore, installedPackages(stateFile).toString(), "test mode changed packages");

        JsonNode applied = apply("packages", false);
        assertEquals(0, applied.get("retcode").asInt(), applied.toString());
        JsonNode installed = installedPackages(stateFile);
        assertTrue(installed.has("qubes-usb-proxy-dom0"), installed.toString());
        assertTrue(installed.has("split-gpg2-dom0"), installed.toString());
        assertTrue(installed.has("qubes-input-proxy-sender"), installed.toString());
        assertFalse(installed.has("qubes-template-debian-12-xfce"), installed.toString());
        assertEquals("4.2.0-202501150000.noarch", state(applied, "qubes-template-debian-12-xfce")
                .get("changes").get("qubes-template-debian-12-xfce").get("old").asText());
        assertEquals("1.1.1-1.fc37.noarch", state(applied, "dom0-tools").get("changes")
                .get("split-gpg2-dom0").get("new").asText());

        JsonNode rerun = apply("packages", false);
        assertEquals(0, rerun.get("retcode").asInt(), rerun.toString());
        for (JsonNode state : states(rerun)) {
            assertEquals(JSON.createObjectNode(), state.get("changes"), "rerun changes of " + state);
        }
        assertEquals("All specified packages are already installed",
                state(rerun, "dom0-tools").get("comment").asText());
    }

    @Test
    void failuresFailTheirStates() throws Exception {
        JsonNode applied = apply("failures", false);
        assertNotEquals(0, applied.get("retcode").asInt(), applied.toString());
        JsonNode file = state(applied, "/etc/none/x.conf");
        assertFalse(file.get("result").asBoolean());
        assertEquals("Parent directory not present", file.get("comment").asText());
        JsonNode boom = state(applied, "boom");
        assertFalse(boom.get("result").asBoolean());
        assertEquals(3, boom.get("changes").get("retcode").asInt());
        assertEquals("boom", boom.get("changes").get("stderr").asText());
        JsonNode missing = state(applied, "no-such-package");
        assertFalse(missing.get("result").asBoolean());
        assertTrue(missing.get("comment").asText().contains("Unable to find a match: no-such-package"),
                missing.toString());
        assertFalse(Files.exists(root.resolve("etc/none")));

        assertEquals("File exists where the symlink /etc/qfleet/notes.txt should be; set force: True"
                + " to replace it", state(applied, "/etc/qfleet/notes.txt").get("comment").asText());
        assertEquals("/etc/qfleet/missing.conf: file not found",
                state(applied, "/etc/qfleet/missing.conf").get("comment").asText());
        assertEquals("Specified location /etc/default/grub exists and is a file",
                state(applied, "/etc/default/grub").get("comment").asText());
        assertTrue(state(applied, "/etc/none/appended.conf").get("comment").asText()
                .startsWith("Directory /etc/none is not present"), applied.toString());
        assertEquals("One or more requisite failed: failures.boom",
                state(applied, "after-boom").get("comment").asText());
        for (String id : List.of("/etc/qfleet/notes.txt", "/etc/qfleet/missing.conf", "/etc/default/grub",
                "/etc/none/appended.conf", "after-boom")) {
            assertFalse(state(applied, id).get("result").asBoolean(), id);
        }
        assertTrue(Files.isRegularFile(root.resolve("etc/qfleet/notes.txt")));
    }

    @Test
    void packageToolFailuresFailTheirStates() throws Exception {
        fleet.close();
        fleet = SimulatedFleet.start(work.resolve("sim-faulty"), 1,
                FleetOptions.defaults().withFaults(List.of("lab-01:fail:qubes-dom0-update")));
        Path stateFile = fleet.hosts().get(0).stateFile();

        JsonNode applied = apply("package-failures", false);

        assertNotEquals(0, applied.get("retcode").asInt(), applied.toString());
        for (String id : List.of("qubes-template-debian-12-xfce", "dom0-updates")) {
            JsonNode state = state(applied, id);
            assertFalse(state.get("result").asBoolean(), state.toString());
            assertTrue(state.get("comment").asText().contains("Got empty response from qubesd"),
                    state.toString());
            assertEquals(JSON.createObjectNode(), state.get("changes"), state.toString());
        }
        assertTrue(installedPackages(stateFile).has("qubes-template-debian-12-xfce"));
    }

    private JsonNode apply(String sls, boolean test) throws Exception {
        Path formulas = Path.of(getClass().getResource("/formulas/dom0-states").toURI());
        List<String> args = new ArrayList<>(List.of("-c", fleet.configFile().toString(), "--file-root",
                formulas.toString(), "*", "state.apply", sls, "--out", "json"));
        if (test) {
            args.add("test=True");
        }
        QfleetProcess.Outcome outcome = QfleetProcess.run(work, args.toArray(String[]::new));
        JsonNode host = JSON.readTree(outcome.stdout()).get("lab-01");
        if (host == null) {
            throw new AssertionError("no result for lab-01: " + outcome.stdout() + outcome.stderr());
        }
        assertEquals(JSON.createArrayNode(), host.get("errors"), outcome.stdout() + outcome.stderr());
        return host;
    }

    private static List<JsonNode> states(JsonNode host) {
        List<JsonNode> states = new ArrayList<>();
        Iterator<JsonNode> values = host.get("return").elements();
        values.forEachRemaining(states::add);
        return states;
    }

    private static JsonNode state(JsonNode host, String id) {
        return states(host).stream().filter(state -> state.get("__id__").asText().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no state " + id + " in " + host));
    }

    private static JsonNode installedPackages(Path stateFile) throws Exception {
        return JSON.readTree(Files.readString(stateFile)).get("dom0_packages").get("installed");
    }

    /** Returns every regular file below the host's root with its content, by relative path. */
    private Map<String, String> rootFiles() throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(path).toString(), Files.readString(path));
            }
        }
        return files;
    }
}
