package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * Fleet runs of the real qfleet command against a simulated fleet of two hosts over SSH, plus
 * one roster entry that cannot be reached. Report and job cache tests run qfleet in this JVM.
 * SIGINT and logging tests run it as a separate java process.
 */
class FleetRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROCESS_TIMEOUT_SECONDS = 120;
    private static final long HOSTS_FINISHED_TIMEOUT_SECONDS = 90;
    private static final long STOP_AFTER_INTERRUPT_SECONDS = 30;

    @TempDir
    Path work;

    private SimulatedFleet fleet;
    private Path config;
    private Path jobs;

    @BeforeEach
    void startFleet() throws IOException {
        fleet = SimulatedFleet.start(work.resolve("sim"), 2);
        jobs = work.resolve("jobs");
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    /** Writes a config whose roster is the fleet's plus {@code extraRoster}, and returns its path. */
    private Path writeConfig(String extraRoster) throws IOException {
        Path roster = work.resolve("roster");
        Files.writeString(roster, Files.readString(fleet.rosterFile()) + extraRoster);
        config = work.resolve("qfleet.yaml");
        Files.writeString(config, "roster_file: " + roster + "\nknown_hosts: " + fleet.knownHostsFile() + "\n"
                + "file_roots: [" + whonixFormulas() + "]\n");
        return config;
    }

    private static Path whonixFormulas() {
        return Path.of("..").toAbsolutePath().normalize().resolve("examples/whonix");
    }

    private String connectionRefusedHost() {
        return "lab-09:\n  host: 127.0.0.1\n  port: 1\n  user: qfleet\n  priv: " + fleet.clientKey() + "\n";
    }

    private record Outcome(int exitCode, String stdout) {
    }

    /** Runs qfleet in this JVM with standard output captured. */
    private static synchronized Outcome runInProcess(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int exitCode = Main.run(args);
            capture.flush();
            return new Outcome(exitCode, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    private static List<Path> jobFolders(Path jobsDir) throws IOException {
        if (!Files.isDirectory(jobsDir)) {
            return List.of();
        }
        try (Stream<Path> folders = Files.list(jobsDir)) {
            return folders.sorted().toList();
        }
    }

    private static List<String> recordedHosts(Path jobFolder) throws IOException {
        try (Stream<Path> files = Files.list(jobFolder.resolve("hosts"))) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".json") && !name.startsWith("."))
                    .map(name -> name.substring(0, name.length() - 5))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void jsonRunIsOneDocumentAndRecorded() throws Exception {
        writeConfig(connectionRefusedHost());

        Outcome outcome = runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "--out", "json",
                "*", "state.apply", "test=True");

        assertEquals(ExitCodes.HOSTS_FAILED, outcome.exitCode(), outcome.stdout());
        JsonNode document = JSON.readTree(outcome.stdout());
        assertEquals(List.of("lab-01", "lab-02", "lab-09"), fieldNames(document));
        assertEquals(0, document.path("lab-01").path("retcode").asInt(), outcome.stdout());
        assertEquals(255, document.path("lab-09").path("retcode").asInt(), outcome.stdout());
        assertTrue(document.path("lab-09").path("errors").path(0).asText().contains("127.0.0.1:1"), outcome.stdout());
        JsonNode sysWhonix = document.path("lab-02").path("return").path("qvm_|-sys-whonix_|-sys-whonix_|-vm");
        assertTrue(sysWhonix.path("result").isNull(), "test mode result: " + sysWhonix);
        assertTrue(document.path("lab-01").path("elapsed_s").asDouble() > 0, outcome.stdout());

        List<Path> folders = jobFolders(jobs);
        assertEquals(1, folders.size(), folders.toString());
        assertEquals(List.of("lab-01", "lab-02", "lab-09"), recordedHosts(folders.get(0)));
        JsonNode job = JSON.readTree(folders.get(0).resolve("job.json").toFile());
        assertEquals(20, job.path("exit_code").asInt());
        assertFalse(job.path("interrupted").asBoolean());
        assertEquals("state.apply", job.path("function").asText());
        assertEquals("*", job.path("target").asText());
    }

    @Test
    void jobsListKeepsColumnsForLongTargets() throws Exception {
        writeConfig(connectionRefusedHost());
        runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "*", "state.apply", "test=True");
        String longTarget = "lab-0[12] or lab-09 or G@role:workstation and not L@lab-03,lab-04,lab-05";
        runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "-C", longTarget, "state.apply",
                "test=True");

        Outcome list = runInProcess("jobs", "list", "--jobs-dir", jobs.toString());

        List<String> rows = list.stdout().lines().toList();
        assertEquals(3, rows.size(), list.stdout());
        assertTrue(rows.get(0).endsWith("EXIT         TARGET"), list.stdout());
        int hosts = rows.get(0).indexOf("HOSTS") + "HOSTS".length();
        for (String row : rows.subList(1, 3)) {
            assertEquals("3/3", row.substring(hosts - 3, hosts), list.stdout());
        }
        assertTrue(rows.get(2).endsWith(longTarget), list.stdout());
    }

    @Test
    void jobsShowReprintsARun() throws Exception {
        writeConfig(connectionRefusedHost());
        Outcome run = runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "--state-output", "terse",
                "--no-color", "*", "state.apply", "test=True");
        String jid = jobFolders(jobs).get(0).getFileName().toString();

        Outcome list = runInProcess("jobs", "list", "--jobs-dir", jobs.toString());
        Outcome show = runInProcess("jobs", "show", jid, "--jobs-dir", jobs.toString(), "--state-output", "terse",
                "--no-color");
        Outcome junit = runInProcess("jobs", "show", jid, "--jobs-dir", jobs.toString(), "--out", "junit");
        Outcome missing = runInProcess("jobs", "show", "12345", "--jobs-dir", jobs.toString());

        assertEquals(ExitCodes.HOSTS_FAILED, run.exitCode(), run.stdout());
        assertTrue(list.stdout().contains(jid), list.stdout());
        assertTrue(list.stdout().contains("3/3  20"), list.stdout());
        assertEquals(ExitCodes.HOSTS_FAILED, show.exitCode());
        String runHosts = run.stdout().substring(0, run.stdout().indexOf("\nFleet summary"));
        for (String host : List.of("lab-01", "lab-02", "lab-09")) {
            assertTrue(show.stdout().contains(section(runHosts, host)), host + " in:\n" + show.stdout());
        }
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(getClass().getResource("/junit.xsd")).newValidator()
                .validate(new StreamSource(new StringReader(junit.stdout())));
        assertEquals(ExitCodes.USAGE, missing.exitCode());
    }

    @Test
    void jobsMergeJoinsShards() throws Exception {
        writeConfig("");
        Path shardOne = work.resolve("shard-1");
        Path shardTwo = work.resolve("shard-2");
        runInProcess("-c", config.toString(), "--jobs-dir", shardOne.toString(), "lab-01", "state.apply", "test=True");
        runInProcess("-c", config.toString(), "--jobs-dir", shardTwo.toString(), "lab-02", "state.apply", "test=True");

        Outcome merged = runInProcess("jobs", "merge", "--jobs-dir", shardOne.toString(), "--jobs-dir",
                shardTwo.toString(), "--out", "json");

        assertEquals(ExitCodes.OK, merged.exitCode(), merged.stdout());
        assertEquals(List.of("lab-01", "lab-02"), fieldNames(JSON.readTree(merged.stdout())));
    }

    @Test
    void rawShellReportsOutputPerHost() throws Exception {
        writeConfig(connectionRefusedHost());

        Outcome echo = runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "--out", "json",
                "-r", "lab-0[12]", "echo", "it's $HOME");
        Outcome exit = runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "--no-color",
                "-r", "--", "*", "sh", "-c", "echo out; echo err >&2; exit 3");

        assertEquals(ExitCodes.OK, echo.exitCode(), echo.stdout());
        JsonNode document = JSON.readTree(echo.stdout());
        assertEquals("it's $HOME\n", document.path("lab-01").path("return").path("stdout").asText());
        assertEquals(0, document.path("lab-02").path("return").path("retcode").asInt());
        assertEquals(ExitCodes.HOSTS_FAILED, exit.exitCode(), exit.stdout());
        assertTrue(exit.stdout().contains("lab-01:\n    ----------\n    retcode:\n        3\n    stderr:\n        err\n"
                + "    stdout:\n        out\n"), exit.stdout());
        assertTrue(exit.stdout().contains("lab-09:\n    "), exit.stdout());
    }

    @Test
    void configOutputSettingsApplyUnlessOverridden() throws Exception {
        writeConfig("");
        Files.writeString(config, Files.readString(config) + "state_output: terse\ncolor: false\n");

        Outcome fromConfig = runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "lab-01",
                "state.apply", "test=True");
        Outcome overridden = runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "--state-output",
                "full", "--force-color", "lab-01", "state.apply", "test=True");

        assertTrue(fromConfig.stdout().contains("\n  Name: sys-whonix - Function: qvm.vm - Result: Differs"),
                fromConfig.stdout());
        assertFalse(fromConfig.stdout().contains("\033["), fromConfig.stdout());
        assertTrue(overridden.stdout().contains("      ID: sys-whonix"), overridden.stdout());
        assertTrue(overridden.stdout().contains("\033[1;33m"), overridden.stdout());
    }

    @Test
    void outFileGetsTheReport() throws Exception {
        writeConfig("");
        Path report = work.resolve("report.xml");

        Outcome outcome = runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "--out", "junit",
                "--out-file", report.toString(), "*", "state.apply", "test=True");

        assertEquals(ExitCodes.OK, outcome.exitCode());
        assertEquals("", outcome.stdout());
        assertTrue(Files.readString(report).contains("<testsuite name=\"lab-02\""), Files.readString(report));
    }

    @Test
    void invalidOptionIsUsageError() throws Exception {
        writeConfig("");

        assertEquals(ExitCodes.USAGE, runInProcess("-c", config.toString(), "--out", "xml", "*", "state.apply")
                .exitCode());
        assertEquals(ExitCodes.USAGE, runInProcess("-c", config.toString(), "--return", "webhook", "*", "state.apply")
                .exitCode());
        assertEquals(ExitCodes.USAGE, runInProcess("-c", config.toString(), "--state-verbose", "maybe", "*",
                "state.apply").exitCode());
        assertEquals(List.of(), jobFolders(jobs), "no job is recorded for a usage error");
    }

    /**
     * SIGINT to a real qfleet process while one host hangs in its SSH handshake: the process
     * exits 130, prints the hosts that finished, and the job cache has every one of them.
     */
    @Test
    void interruptKeepsFinishedHosts() throws Exception {
        try (SilentServer silent = new SilentServer()) {
            writeConfig("lab-99:\n  host: 127.0.0.1\n  port: " + silent.port() + "\n  user: qfleet\n  priv: "
                    + fleet.clientKey() + "\n  timeout: 600\n");
            Path stdout = work.resolve("stdout.txt");
            Path stderr = work.resolve("stderr.txt");
            Process process = javaProcess(stdout, stderr, "-c", config.toString(), "--jobs-dir", jobs.toString(),
                    "--no-color", "*", "state.apply", "test=True");
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HOSTS_FINISHED_TIMEOUT_SECONDS);
                while (recordedCount() < 2 && System.nanoTime() < deadline && process.isAlive()) {
                    Thread.sleep(100);
                }
                assertEquals(2, recordedCount(), "hosts recorded before the interrupt; stderr:\n"
                        + Files.readString(stderr));
                Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start();
                assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
                assertTrue(process.waitFor(STOP_AFTER_INTERRUPT_SECONDS, TimeUnit.SECONDS), "qfleet did not stop");
            } finally {
                process.destroyForcibly();
            }

            String printed = Files.readString(stdout);
            assertEquals(ExitCodes.INTERRUPTED, process.exitValue(), printed + Files.readString(stderr));
            assertTrue(printed.contains("lab-01:\n"), printed);
            assertTrue(printed.contains("lab-02:\n"), printed);
            assertFalse(printed.contains("lab-99:"), printed);
            assertTrue(printed.contains("Hosts not finished:          1"), printed);
            Path job = jobFolders(jobs).get(0);
            assertEquals(List.of("lab-01", "lab-02"), recordedHosts(job));
            JsonNode info = JSON.readTree(job.resolve("job.json").toFile());
            assertTrue(info.path("interrupted").asBoolean(), info.toString());
            assertEquals(130, info.path("exit_code").asInt(), info.toString());
        }
    }

    @Test
    void logFileHasHostLinesWithoutSecrets() throws Exception {
        writeConfig("lab-09:\n  host: 127.0.0.1\n  port: 1\n  user: qfleet\n  passwd: hunter2-not-logged\n"
                + "  priv: " + fleet.clientKey() + "\n");
        Path log = work.resolve("qfleet.log");
        Path stdout = work.resolve("stdout.txt");
        Path stderr = work.resolve("stderr.txt");

        Process process = javaProcess(stdout, stderr, "-c", config.toString(), "--jobs-dir", jobs.toString(),
                "-l", "debug", "--log-file", log.toString(), "*", "state.apply", "test=True");
        assertTrue(process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS), "qfleet did not finish");

        String text = Files.readString(log);
        assertEquals(ExitCodes.HOSTS_FAILED, process.exitValue(), Files.readString(stderr));
        for (String host : List.of("lab-01", "lab-02", "lab-09")) {
            assertTrue(text.contains("host " + host + ": started"), text);
            assertTrue(text.contains("host " + host + ": finished with retcode"), text);
        }
        assertTrue(text.contains("host lab-09: error: "), text);
        assertFalse(text.contains("hunter2"), text);
        assertFalse(Files.readString(stderr).contains("hunter2"));
        assertFalse(Files.readString(stdout).contains("hunter2"));
    }

    private int recordedCount() throws IOException {
        List<Path> folders = jobFolders(jobs);
        return folders.isEmpty() ? 0 : recordedHosts(folders.get(0)).size();
    }

    private Process javaProcess(Path stdout, Path stderr, String... args) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // A build started in the background inherits SIGINT as ignored, and exec keeps it ignored,
        // so qfleet could not see the test's Ctrl-C. python3 restores the default before exec.
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
                "org.qfleet.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        return builder.start();
    }

    private static String section(String report, String host) {
        int start = report.indexOf(host + ":\n");
        int end = report.indexOf("\nlab-", start + 1);
        return end < 0 ? report.substring(start) : report.substring(start, end);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A TCP server on 127.0.0.1 that accepts connections and never sends a byte, like a hung SSH server. */
    private static final class SilentServer implements AutoCloseable {

        private final ServerSocket socket;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentServer() throws IOException {
            socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        accepted.add(socket.accept());
                    } catch (IOException ex) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket connection : accepted) {
                connection.close();
            }
        }
    }
}
