package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults on single hosts of a simulated fleet, applied by the real qfleet command: each fault
 * fails its own host with a message that names it, and every other host succeeds.
 */
class FaultsTest {

    private static final int WHONIX_STATES = 6;

    @TempDir
    Path work;

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static void assertSucceeded(FaultFleet.Run run, String hostId) {
        JsonNode host = run.host(hostId);
        assertNotNull(host, run.text());
        assertEquals(0, host.path("retcode").asInt(), run.text());
        assertEquals(WHONIX_STATES, host.path("return").size(), run.text());
        host.path("return").forEach(state -> assertTrue(state.path("result").asBoolean(), run.text()));
    }

    private static String error(FaultFleet.Run run, String hostId) {
        return run.host(hostId).path("errors").toString();
    }

    /** Swaps the host key of {@code hostId} in known_hosts for the key of {@code otherId}. */
    private static void changeHostKey(FaultFleet fleet, String hostId, String otherId) throws IOException {
        List<String> lines = Files.readAllLines(fleet.knownHosts);
        String otherKey = keyOf(lines, fleet.fleet.hosts().stream().filter(h -> h.id().equals(otherId))
                .findFirst().orElseThrow().port());
        int port = fleet.fleet.hosts().stream().filter(h -> h.id().equals(hostId)).findFirst().orElseThrow().port();
        List<String> changed = new ArrayList<>();
        for (String line : lines) {
            changed.add(line.startsWith("[127.0.0.1]:" + port + " ") ? "[127.0.0.1]:" + port + " " + otherKey : line);
        }
        assertFalse(changed.equals(lines), "known_hosts has no line for port " + port + ": " + lines);
        Files.write(fleet.knownHosts, changed);
    }

    private static String keyOf(List<String> knownHosts, int port) {
        String prefix = "[127.0.0.1]:" + port + " ";
        return knownHosts.stream().filter(line -> line.startsWith(prefix)).findFirst()
                .map(line -> line.substring(prefix.length())).orElseThrow();
    }

    @Test
    void connectFaultsFailOnlyTheirHost() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 4, "lab-02:auth-refused", "lab-03:no-python3")) {
            changeHostKey(fleet, "lab-04", "lab-01");
            fleet.addToRoster(fleet.rosterEntry("lab-09", closedPort(), ""));
            Map<String, JsonNode> before = fleet.snapshot();

            FaultFleet.Run run = fleet.runJson("--file-root", FaultFleet.whonixFormulas(), "*", "state.apply");

            assertEquals(20, run.outcome().exitCode(), run.text());
            assertSucceeded(run, "lab-01");
            assertEquals(254, run.host("lab-02").path("retcode").asInt(), run.text());
            assertTrue(error(run, "lab-02").contains("authentication failed"), run.text());
            assertEquals(10, run.host("lab-03").path("retcode").asInt(), run.text());
            assertTrue(error(run, "lab-03").contains("python3 was not found on the host"), run.text());
            assertEquals(254, run.host("lab-04").path("retcode").asInt(), run.text());
            assertTrue(error(run, "lab-04").toLowerCase().contains("changed"), run.text());
            assertEquals(255, run.host("lab-09").path("retcode").asInt(), run.text());
            assertTrue(error(run, "lab-09").contains("lab-09"), run.text());
            Map<String, JsonNode> after = fleet.snapshot();
            for (String untouched : List.of("lab-02", "lab-03", "lab-04")) {
                assertEquals(before.get(untouched), after.get(untouched), untouched + " changed");
            }
            assertFalse(run.outcome().stderr().contains("\tat "), run.text());
        }
    }

    @Test
    void droppedConnectionKeepsFinishedStates() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2, "lab-02:drop-after:3000")) {
            FaultFleet.Run dropped = fleet.runJson("--file-root", FaultFleet.whonixFormulas(), "*", "state.apply");

            assertEquals(20, dropped.outcome().exitCode(), dropped.text());
            assertSucceeded(dropped, "lab-01");
            JsonNode lab02 = dropped.host("lab-02");
            assertEquals(255, lab02.path("retcode").asInt(), dropped.text());
            assertTrue(error(dropped, "lab-02").contains("connection closed"), dropped.text());
            int kept = lab02.path("return").size();
            assertTrue(kept >= 1, "kept " + kept + " states:\n" + dropped.text());
            assertTrue(kept < WHONIX_STATES, "kept " + kept + " states:\n" + dropped.text());
            lab02.path("return").forEach(state -> assertTrue(state.path("result").asBoolean(), dropped.text()));

            fleet.setFaults("lab-02");
            FaultFleet.Run rerun = fleet.runJson("--file-root", FaultFleet.whonixFormulas(), "*", "state.apply");

            assertEquals(0, rerun.outcome().exitCode(), rerun.text());
            assertSucceeded(rerun, "lab-02");
            Map<String, JsonNode> after = fleet.snapshot();
            assertEquals(withoutInstallTimes(after.get("lab-01").path("vms")),
                    withoutInstallTimes(after.get("lab-02").path("vms")));
        }
    }

    /**
     * Returns a copy of a host's qubes without the templates' {@code template-installtime}
     * features, which record the second each host installed the template.
     */
    private static JsonNode withoutInstallTimes(JsonNode vms) {
        JsonNode copy = vms.deepCopy();
        copy.forEach(qube -> {
            if (qube.path("features") instanceof ObjectNode features) {
                features.remove("template-installtime");
            }
        });
        return copy;
    }

    @Test
    void killedShimFailsHostAndKeepsResults() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2)) {
            // qvm-tags on lab-02 kills its parent, the shim, with SIGKILL. The Whonix formulas
            // first run it in their second state.
            Path bin = fleet.fleet.dir().resolve("bin");
            Path real = fleet.fleet.dir().resolve("real-tools");
            Files.createDirectories(real);
            Files.createSymbolicLink(real.resolve("qvm-tags"), bin.resolve("qubes_sim.py"));
            Files.delete(bin.resolve("qvm-tags"));
            Files.writeString(bin.resolve("qvm-tags"), "#!/bin/sh\n"
                    + "if [ \"$QUBES_SIM_HOST\" = lab-02 ]; then kill -KILL \"$PPID\"; exit 1; fi\n"
                    + "exec '" + real.resolve("qvm-tags") + "' \"$@\"\n");
            Files.setPosixFilePermissions(bin.resolve("qvm-tags"), PosixFilePermissions.fromString("rwxr-xr-x"));

            FaultFleet.Run run = fleet.runJson("--file-root", FaultFleet.whonixFormulas(), "*", "state.apply");

            assertEquals(20, run.outcome().exitCode(), run.text());
            assertSucceeded(run, "lab-01");
            JsonNode lab02 = run.host("lab-02");
            assertEquals(1, lab02.path("retcode").asInt(), run.text());
            assertTrue(error(run, "lab-02").contains("The shim on the host stopped before it finished"), run.text());
            assertTrue(error(run, "lab-02").contains("1 of " + WHONIX_STATES + " states reported a result"),
                    run.text());
            JsonNode template = lab02.path("return").path("qvm_|-template-whonix-gateway_|-whonix-gateway-17_|-"
                    + "template_installed");
            assertTrue(template.path("result").asBoolean(), run.text());
        }
    }

    @Test
    void hangingCommandFailsOnlyItsState() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2, "lab-02:hang:qvm-tags")) {
            long started = System.nanoTime();
            FaultFleet.Run run = fleet.runJson("--file-root", FaultFleet.whonixFormulas(), "--step-timeout", "3",
                    "*", "state.apply");
            long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

            assertEquals(20, run.outcome().exitCode(), run.text());
            assertSucceeded(run, "lab-01");
            JsonNode lab02 = run.host("lab-02");
            assertEquals(2, lab02.path("retcode").asInt(), run.text());
            assertEquals(WHONIX_STATES, lab02.path("return").size(), run.text());
            JsonNode gateway = lab02.path("return").path("qvm_|-whonix-gateway-17_|-whonix-gateway-17_|-vm");
            assertFalse(gateway.path("result").asBoolean(true), run.text());
            assertTrue(gateway.path("comment").asText().contains("timed out after 3 seconds"), run.text());
            assertTrue(elapsedSeconds < 90, "took " + elapsedSeconds + " s");
        }
    }

    @Test
    void slowHostIsCutOffAtTimeout() throws Exception {
        // Each qvm-prefs call on lab-02 outlasts the whole-host limit by itself.
        try (FaultFleet fleet = FaultFleet.start(work, 2, "lab-02:slow:30:qvm-prefs");
                ServerSocket silent = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            // lab-98 accepts the TCP connect and then never sends an SSH banner.
            fleet.addToRoster(fleet.rosterEntry("lab-98", silent.getLocalPort(), "  timeout: 120\n"));

            FaultFleet.Run run = fleet.runJson("--file-root", FaultFleet.whonixFormulas(), "--timeout", "20",
                    "*", "state.apply");

            assertEquals(20, run.outcome().exitCode(), run.text());
            assertSucceeded(run, "lab-01");
            for (String slow : List.of("lab-02", "lab-98")) {
                JsonNode host = run.host(slow);
                assertEquals(124, host.path("retcode").asInt(), run.text());
                assertTrue(error(run, slow).contains("whole-host time limit (--timeout 20 s)"), run.text());
                assertTrue(host.path("elapsed_s").asDouble() < 30, slow + " ran past --timeout:\n" + run.text());
            }
        }
    }

    @Test
    void slowRenderingIsCutOffAtTimeout() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1)) {
            // A billion loop iterations: Jinjava would render this for hours.
            Path formulas = FaultFleet.oneSlsTree(work.resolve("slow-formulas"), "slow",
                    "{% for a in range(1000) %}{% for b in range(1000) %}"
                            + "{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}\n"
                            + "work:\n  qvm.prefs:\n    - label: purple\n");
            Map<String, JsonNode> before = fleet.snapshot();

            FaultFleet.Run run = fleet.runJson("--file-root", formulas.toString(), "--timeout", "5", "*", "state.apply");

            assertEquals(20, run.outcome().exitCode(), run.text());
            JsonNode host = run.host("lab-01");
            assertEquals(124, host.path("retcode").asInt(), run.text());
            assertTrue(error(run, "lab-01").contains("(--timeout 5 s) ran out while rendering"), run.text());
            assertTrue(host.path("elapsed_s").asDouble() < 30, "rendering ran past --timeout:\n" + run.text());
            assertEquals(before, fleet.snapshot());
        }
    }

    @Test
    void formulaThatExhaustsMemoryFailsOnlyItsHost() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2)) {
            // On lab-02 only, a string of 900 million characters: far more than a 96 MB heap.
            Path formulas = FaultFleet.oneSlsTree(work.resolve("big-formulas"), "big",
                    "{% if grains['id'] == 'lab-02' %}"
                            + "{% set s = 'x' * 300000000 %}{% set t = s ~ s ~ s %}{% endif %}\n"
                            + "work:\n  qvm.prefs:\n    - label: purple\n");

            QfleetProcess.Outcome outcome = QfleetProcess.run(work, Map.of("QFLEET_JAVA_OPTS", "-Xmx96m"), 300,
                    "-c", fleet.config.toString(), "--file-root", formulas.toString(), "*", "state.apply");

            assertEquals(20, outcome.exitCode(), outcome.stdout() + outcome.stderr());
            assertTrue(outcome.stdout().contains("Rendering the formulas ran out of memory"), outcome.stdout());
            assertTrue(outcome.stdout().contains("Hosts succeeded:             1"), outcome.stdout());
            assertTrue(outcome.stdout().contains("Hosts failed:                1"), outcome.stdout());
            assertFalse(outcome.stderr().contains("OutOfMemoryError"), outcome.stderr());
        }
    }

    /** SIGTERM, as a service manager or CI runner sends it, ends the run as Ctrl-C does: with a report. */
    @Test
    void sigtermReportsFinishedHosts() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2);
                ServerSocket silent = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"))) {
            fleet.addToRoster(fleet.rosterEntry("lab-98", silent.getLocalPort(), "  timeout: 600\n"));
            Path jobs = work.resolve("jobs");
            Path stdout = work.resolve("stdout.txt");
            Path stderr = work.resolve("stderr.txt");
            ProcessBuilder builder = new ProcessBuilder(QfleetProcess.repositoryRoot().resolve("bin/qfleet").toString(),
                    "-c", fleet.config.toString(), "--jobs-dir", jobs.toString(), "--no-color",
                    "--file-root", FaultFleet.whonixFormulas(), "*", "state.apply", "test=True")
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            builder.environment().remove("QFLEET_CONFIG");
            Process process = builder.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (recordedHosts(jobs) < 2 && System.nanoTime() < deadline && process.isAlive()) {
                    Thread.sleep(100);
                }
                assertEquals(2, recordedHosts(jobs), "hosts recorded before SIGTERM; stderr:\n"
                        + Files.readString(stderr));
                Process kill = new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start();
                assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), "qfleet did not stop after SIGTERM");
            } finally {
                process.destroyForcibly();
            }
            String printed = Files.readString(stdout);
            assertEquals(130, process.exitValue(), printed + Files.readString(stderr));
            assertTrue(printed.contains("lab-01:\n"), printed);
            assertTrue(printed.contains("lab-02:\n"), printed);
            assertTrue(printed.contains("Hosts not finished:          1"), printed);
            assertTrue(Files.readString(stderr).contains("SIGTERM"), Files.readString(stderr));
        }
    }

    private static long recordedHosts(Path jobs) throws IOException {
        if (!Files.isDirectory(jobs)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(jobs)) {
            return files.filter(file -> file.getParent().getFileName().toString().equals("hosts"))
                    .filter(file -> file.getFileName().toString().endsWith(".json"))
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .count();
        }
    }
}
