package org.qfleet.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The qfleet-sim command run as real processes: start in the background, show, stop. */
class SimMainTest {

    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    /** Output of one qfleet-sim run. */
    record Outcome(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "stderr:\n" + stderr;
        }
    }

    private static Outcome simMain(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), SimMain.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("qfleet-sim " + String.join(" ", args) + " timed out after "
                    + TIMEOUT_SECONDS + " s");
        }
        return new Outcome(process.exitValue(), stdout.join(), stderr.join());
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void startShowStopInBackground() throws Exception {
        Path sim = dir.resolve("sim");
        Optional<ProcessHandle> server = Optional.empty();
        try {
            Outcome start = simMain("start", "--hosts", "2", "--dir", sim.toString());
            assertEquals(0, start.exitCode(), start.toString());
            assertTrue(start.stdout().startsWith("lab-01 127.0.0.1:"), start.toString());
            assertTrue(start.stdout().contains("\nlab-02 127.0.0.1:"), start.toString());
            assertTrue(start.stdout().contains("bin/qfleet -c " + sim.resolve("qfleet.yaml")), start.toString());
            assertTrue(start.stdout().contains("\nRoster: " + sim.resolve("roster") + "\n"), start.toString());
            server = SimMain.runningFleet(sim);
            assertTrue(server.isPresent(), "no live fleet process for " + sim.resolve("sim.pid"));

            Outcome again = simMain("start", "--hosts", "2", "--dir", sim.toString());
            assertEquals(1, again.exitCode(), again.toString());
            assertTrue(again.stderr().contains("already running"), again.toString());
            assertTrue(again.stderr().contains("qfleet-sim stop --dir " + sim), again.toString());

            Outcome show = simMain("show", "--dir", sim.toString(), "lab-02");
            assertEquals(0, show.exitCode(), show.toString());
            JsonNode state = new ObjectMapper().readTree(show.stdout());
            assertEquals("lab-02", state.path("host").asText());
            assertEquals("sys-net", state.path("vms").path("sys-firewall").path("properties").path("netvm").asText());
            assertEquals("fedora-41-xfce", state.path("global").path("default_template").asText());

            Outcome unknown = simMain("show", "--dir", sim.toString(), "lab-09");
            assertEquals(1, unknown.exitCode(), unknown.toString());
            assertTrue(unknown.stderr().contains("unknown host 'lab-09'"), unknown.toString());
            assertTrue(unknown.stderr().contains("known hosts: lab-01, lab-02"), unknown.toString());

            Outcome stop = simMain("stop", "--dir", sim.toString());
            assertEquals(0, stop.exitCode(), stop.toString());
            assertTrue(stop.stdout().startsWith("Stopped the simulated fleet"), stop.toString());
            assertFalse(server.get().isAlive());
            assertFalse(Files.exists(sim.resolve("sim.pid")));

            Outcome idle = simMain("stop", "--dir", sim.toString());
            assertEquals(0, idle.exitCode(), idle.toString());
            assertTrue(idle.stdout().startsWith("No simulated fleet is running"), idle.toString());
        } finally {
            if (server.isPresent() && server.get().isAlive()) {
                server.get().destroy();
                server.get().onExit().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Outcome noCommand = simMain();
        assertEquals(2, noCommand.exitCode(), noCommand.toString());

        Outcome badHosts = simMain("start", "--hosts", "zero", "--dir", dir.toString());
        assertEquals(2, badHosts.exitCode(), badHosts.toString());
        assertTrue(badHosts.stderr().contains("--hosts"), badHosts.toString());

        Outcome startHelp = simMain("start", "--help");
        assertEquals(0, startHelp.exitCode(), startHelp.toString());
        assertTrue(startHelp.stdout().contains("--profile=PROFILE"), startHelp.toString());
        assertTrue(startHelp.stdout().contains("--port-base=PORT"), startHelp.toString());
    }

    /** Runs a simulated tool of one host as a local process, with the environment an exec gets. */
    private static Outcome tool(Path sim, String host, String... argv) throws Exception {
        List<String> command = new ArrayList<>(List.of(argv));
        command.set(0, sim.resolve("bin").resolve(argv[0]).toString());
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(SimulatedFleet.execEnvironment(sim.toAbsolutePath(), host));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process = builder.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " timed out");
        }
        return new Outcome(process.exitValue(), stdout.join(), stderr.join());
    }

    @Test
    void runForegroundUntilSignal() throws Exception {
        Path sim = dir.resolve("sim");
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), SimMain.class.getName(),
                "run", "--hosts", "2", "--dir", sim.toString(), "--profile", "empty",
                "--fault", "lab-02:fail:qvm-prefs"));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try {
                    String line;
                    while ((line = out.readLine()) != null) {
                        synchronized (lines) {
                            lines.add(line);
                        }
                        if (line.startsWith("Roster: ")) {
                            return;
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            reader.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).startsWith("lab-01 127.0.0.1:"), lines.toString());
            assertEquals("Roster: " + sim.toAbsolutePath().resolve("roster"), lines.get(2));
            assertTrue(Files.exists(sim.resolve("ready")));

            assertEquals("dom0\n", tool(sim, "lab-01", "qvm-ls", "--raw-list").stdout());
            Outcome failing = tool(sim, "lab-02", "qvm-prefs", "dom0", "label");
            assertEquals(1, failing.exitCode(), failing.toString());

            process.destroy();
            assertTrue(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "run did not stop on SIGTERM");
            assertFalse(Files.exists(sim.resolve("ready")), "run left its ready file behind");
        } finally {
            process.destroyForcibly();
            process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void faultCommandSetsAndClears() throws Exception {
        Path sim = dir.resolve("sim");
        SimulatedFleet.start(sim, 2).close();

        Outcome set = simMain("fault", "--dir", sim.toString(), "lab-01", "fail", "qvm-prefs");
        assertEquals(0, set.exitCode(), set.toString());
        assertEquals("Faults of lab-01: fail:qvm-prefs\n", set.stdout());
        Outcome failing = tool(sim, "lab-01", "qvm-prefs", "work", "label");
        assertEquals(1, failing.exitCode(), failing.toString());
        assertEquals("qvm-prefs: error: Got empty response from qubesd. See journalctl in dom0 for details.\n",
                failing.stderr());

        Outcome added = simMain("fault", "--dir", sim.toString(), "--add", "lab-01", "slow", "0.5", "qvm-ls");
        assertEquals("Faults of lab-01: fail:qvm-prefs, slow:0.5:qvm-ls\n", added.stdout(), added.toString());

        Outcome cleared = simMain("fault", "--dir", sim.toString(), "lab-01", "none");
        assertEquals("Cleared the faults of lab-01.\n", cleared.stdout(), cleared.toString());
        assertEquals("blue\n", tool(sim, "lab-01", "qvm-prefs", "work", "label").stdout());

        Outcome badKind = simMain("fault", "--dir", sim.toString(), "lab-01", "explode");
        assertEquals(2, badKind.exitCode(), badKind.toString());
        assertTrue(badKind.stderr().contains("unknown fault kind 'explode'"), badKind.toString());
        Outcome badHost = simMain("fault", "--dir", sim.toString(), "lab-07", "hang");
        assertEquals(1, badHost.exitCode(), badHost.toString());
        assertTrue(badHost.stderr().contains("unknown host 'lab-07'"), badHost.toString());
    }

    @Test
    void importNamesMissingInput() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("capture"));

        Outcome missing = simMain("import", "--output", dir.resolve("p.json").toString(), empty.toString());

        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.stderr().contains(empty.resolve("qvm-ls.txt") + " is missing"), missing.toString());

        Files.writeString(empty.resolve("qvm-ls.txt"), "work|AppVM|blue|Halted\nbroken|AppVM\n");
        Outcome bad = simMain("import", "--output", dir.resolve("p.json").toString(), empty.toString());
        assertEquals(1, bad.exitCode(), bad.toString());
        assertTrue(bad.stderr().contains("qvm-ls.txt:2: expected 4 cells"), bad.toString());
    }

    @Test
    void startRejectsInvalidFault() throws Exception {
        Outcome bad = simMain("start", "--hosts", "2", "--dir", dir.resolve("sim").toString(),
                "--fault", "lab-03:fail");
        assertEquals(2, bad.exitCode(), bad.toString());
        assertTrue(bad.stderr().contains("unknown host 'lab-03'"), bad.toString());
    }
}
