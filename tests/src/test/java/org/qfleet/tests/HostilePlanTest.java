package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.shim.Shim;
import org.qfleet.simulator.SimulatedHost;

/**
 * Plans that try to reach further than allowed: a qube outside the roster's manage list, a plan
 * fed straight to the shim, an unknown protocol, and test mode, which must change nothing.
 */
class HostilePlanTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void compilerRejectsQubeOutsideManage() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1)) {
            String roster = Files.readString(fleet.roster);
            Files.writeString(fleet.roster, roster.stripTrailing() + "\n  manage: ['work', 'personal']\n");
            Path formulas = work.resolve("formulas");
            write(formulas.resolve("top.sls"), "base:\n  '*':\n    - reach\n");
            write(formulas.resolve("reach.sls"), "work:\n  qvm.prefs:\n    - label: blue\n"
                    + "vault:\n  qvm.prefs:\n    - netvm: sys-firewall\n");
            Map<String, JsonNode> before = fleet.snapshot();

            FaultFleet.Run run = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply");

            assertEquals(20, run.outcome().exitCode(), run.text());
            String errors = run.host("lab-01").path("errors").toString();
            assertTrue(errors.contains("with ID 'vault' in SLS 'reach' changes qube 'vault'"), run.text());
            assertTrue(errors.contains("manage: work, personal"), run.text());
            assertEquals(Map.of("lab-01", 1), fleet.shimExecs(), "only the facts exec may run");
            assertEquals(before, fleet.snapshot());
        }
    }

    @Test
    void shimRejectsForgedPlanOnItsOwn() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1)) {
            SimulatedHost host = fleet.fleet.hosts().get(0);
            Map<String, JsonNode> before = fleet.snapshot();
            // The step claims to set a feature of work; its command removes vault.
            String forged = "{\"protocol\": 1, \"kind\": \"plan\", \"jid\": \"1\", \"host\": \"lab-01\", \"test\": false,"
                    + " \"chunks\": [{\"tag\": \"qvm_|-work_|-work_|-features\", \"id\": \"work\", \"sls\": \"x\","
                    + " \"name\": \"work\", \"steps\": [{\"group\": null, \"key\": \"gui\", \"vm\": \"work\","
                    + " \"probe\": {\"argv\": [\"qvm-features\", \"work\"], \"read\": \"features\", \"field\": \"gui\"},"
                    + " \"expect\": {\"value\": \"1\"}, \"change\": [[\"qvm-remove\", \"--force\", \"vault\"]]}]}]}";

            ShimOutcome rejected = runShim(fleet, host, Shim.bootstrapCommand(List.of("work")), forged);

            assertEquals(2, rejected.exitCode(), rejected.text());
            assertEquals(1, rejected.lines().size(), rejected.text());
            assertEquals("error", rejected.lines().get(0).path("type").asText());
            assertTrue(rejected.lines().get(0).path("message").asText().contains("changes qube 'vault'"),
                    rejected.text());
            assertEquals(before, fleet.snapshot());

            ShimOutcome unlimited = runShim(fleet, host, Shim.bootstrapCommand(), forged);

            assertEquals(0, unlimited.exitCode(), unlimited.text());
            assertFalse(fleet.snapshot().get("lab-01").path("vms").has("vault"),
                    "without --manage the forged plan runs, which shows that the limit is what stopped it");
        }
    }

    @Test
    void shimRejectsUnknownProtocol() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1)) {
            SimulatedHost host = fleet.fleet.hosts().get(0);
            Map<String, JsonNode> before = fleet.snapshot();
            for (String protocol : List.of("2", "0", "\"1\"", "null")) {
                String plan = "{\"protocol\": " + protocol + ", \"kind\": \"plan\", \"test\": false, \"chunks\": [{"
                        + "\"tag\": \"t\", \"id\": \"vault\", \"sls\": \"x\", \"name\": \"vault\", \"steps\": [{"
                        + "\"group\": null, \"key\": \"x\", \"vm\": \"vault\", \"probe\": {\"argv\": [\"false\"],"
                        + " \"read\": \"exit\"}, \"expect\": {\"exit\": 0},"
                        + " \"change\": [[\"qvm-remove\", \"--force\", \"vault\"]]}]}]}";

                ShimOutcome outcome = runShim(fleet, host, Shim.bootstrapCommand(), plan);

                assertEquals(2, outcome.exitCode(), outcome.text());
                assertTrue(outcome.lines().get(0).path("message").asText().contains("protocol " + protocol
                        + " is not supported"), outcome.text());
            }
            assertEquals(before, fleet.snapshot());
        }
    }

    @Test
    void testModeChangesNothing() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2)) {
            Map<String, JsonNode> before = fleet.snapshot();
            Map<String, String> filesBefore = hostFiles(fleet);

            FaultFleet.Run whonix = fleet.runJson("--file-root", FaultFleet.whonixFormulas(), "*", "state.apply",
                    "test=True");
            assertEquals(0, whonix.outcome().exitCode(), whonix.text());

            Path library = QfleetProcess.repositoryRoot().resolve("formulas");
            if (Files.isDirectory(library)) {
                List<String> formulas;
                try (Stream<Path> folders = Files.list(library)) {
                    formulas = folders.filter(folder -> Files.exists(folder.resolve("init.sls")))
                            .map(folder -> folder.getFileName().toString()).sorted().toList();
                }
                for (String formula : formulas) {
                    FaultFleet.Run run = fleet.runJson("--file-root", library.toString(), "*", "state.sls", formula,
                            "test=True");
                    assertTrue(run.document() != null, formula + ":\n" + run.text());
                    assertEquals(before, fleet.snapshot(), "test=True of " + formula + " changed a host");
                }
            }

            assertEquals(before, fleet.snapshot());
            assertEquals(filesBefore, hostFiles(fleet));
        }
    }

    /** Returns the SHA-256 of every file under the hosts' root folders, where file states write. */
    private static Map<String, String> hostFiles(FaultFleet fleet) throws Exception {
        Map<String, String> hashes = new TreeMap<>();
        for (SimulatedHost host : fleet.fleet.hosts()) {
            Path root = host.stateFile().getParent().resolve("root");
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
                    hashes.put(file.toString(), HexFormat.of().formatHex(digest));
                }
            }
        }
        return hashes;
    }

    private record ShimOutcome(int exitCode, List<JsonNode> lines, String stderr) {
        String text() {
            return "exit " + exitCode + ", lines " + lines + ", stderr " + stderr;
        }
    }

    /** Runs the shim with {@code command} locally, in the simulated host's environment, as the SSH server does. */
    private static ShimOutcome runShim(FaultFleet fleet, SimulatedHost host, String command, String request)
            throws IOException, InterruptedException {
        Path hostDir = host.stateFile().getParent();
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command);
        Map<String, String> env = builder.environment();
        env.put("PATH", fleet.fleet.dir().resolve("bin") + ":/usr/bin:/bin");
        env.put("QUBES_SIM_STATE", host.stateFile().toString());
        env.put("QUBES_SIM_HOST", host.id());
        env.put("QUBES_SIM_FAULTS", hostDir.resolve("faults.json").toString());
        env.put("QUBES_SIM_ROOT", hostDir.resolve("root").toString());
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(Shim.stdinFor(request.getBytes(StandardCharsets.UTF_8)));
        }
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the shim did not end");
        List<JsonNode> lines = new java.util.ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return new ShimOutcome(process.exitValue(), lines, stderr);
    }
}
