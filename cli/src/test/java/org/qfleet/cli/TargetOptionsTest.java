package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.roster.Shard;
import org.qfleet.simulator.SimulatedFleet;
import org.yaml.snakeyaml.Yaml;

/**
 * The targeting, roster and configuration options of the real qfleet command, run in this JVM
 * with standard output and standard error captured. Only the last test contacts hosts.
 */
class TargetOptionsTest {

    private static final String ROSTER = """
            lab-01: {host: 10.9.0.1, grains: {role: web}, passwd: hunter2}
            lab-02: {host: 10.9.0.2, grains: {role: db}, priv_passwd: key-pass}
            lab-03: {host: 10.9.0.3, grains: {role: web}, thin_dir: /tmp/salt}
            db-01: 10.9.1.1
            """;

    @TempDir
    Path work;

    private record Outcome(int exitCode, String stdout, String stderr) {
    }

    @Test
    void showConfigNeedsNoTarget() throws Exception {
        Path config = writeConfig("""
                roster_file: no-such-roster
                roster_defaults: {user: admin, passwd: fleet-secret}
                nodegroups: {webs: 'G@role:web'}
                state_output: terse
                returners: {webhook: {url: 'https://hooks.example.org/x', api_key: k-123}}
                """);

        Outcome outcome = run("-c", config.toString(), "--show-config");

        assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
        Map<String, Object> shown = new Yaml().load(outcome.stdout());
        assertEquals(config.toString(), shown.get("config_file"));
        assertEquals(work.resolve("no-such-roster").toString(), shown.get("roster_file"));
        assertEquals(Map.of("user", "admin", "passwd", "***"), shown.get("roster_defaults"));
        assertEquals(Map.of("webs", "G@role:web"), shown.get("nodegroups"));
        assertEquals("terse", shown.get("state_output"));
        assertEquals(Map.of("webhook", Map.of("url", "https://hooks.example.org/x", "api_key", "***")),
                shown.get("returners"));
        assertFalse(outcome.stdout().contains("fleet-secret"), outcome.stdout());
        assertFalse(outcome.stdout().contains("k-123"), outcome.stdout());
    }

    @Test
    void configSourcesInProcessOrder() throws Exception {
        Path home = work.resolve("home");
        Path cwd = work.resolve("cwd");
        Path fromEnvironment = work.resolve("env.yaml");
        Files.createDirectories(home.resolve(".config/qfleet"));
        Files.createDirectories(cwd);
        Files.writeString(home.resolve(".config/qfleet/qfleet.yaml"), "max_procs: 4\n");
        Files.writeString(cwd.resolve("qfleet.yaml"), "max_procs: 3\n");
        Files.writeString(fromEnvironment, "max_procs: 2\n");

        assertEquals(2, shownMaxProcs(cwd, home, fromEnvironment));
        assertEquals(3, shownMaxProcs(cwd, home, null));
        Files.delete(cwd.resolve("qfleet.yaml"));
        assertEquals(4, shownMaxProcs(cwd, home, null));
    }

    /** Runs {@code qfleet --show-config} as a java process in {@code cwd} and returns the max_procs it prints. */
    private int shownMaxProcs(Path cwd, Path home, Path qfleetConfig) throws Exception {
        Path javaBinary = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(javaBinary.toString(), "-Duser.home=" + home, "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "--show-config")
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("show-config.out").toFile());
        builder.environment().remove("QFLEET_CONFIG");
        if (qfleetConfig != null) {
            builder.environment().put("QFLEET_CONFIG", qfleetConfig.toString());
        }
        Process process = builder.start();
        boolean finished = process.waitFor(60, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        assertTrue(finished, "qfleet --show-config did not finish within 60 s");
        String output = Files.readString(work.resolve("show-config.out"));
        assertEquals(0, process.exitValue(), output);
        Map<String, Object> shown = new Yaml().load(output);
        return (Integer) shown.get("max_procs");
    }

    @Test
    void showConfigAppliesFlags() throws Exception {
        Path config = writeConfig("roster_file: roster\nmax_procs: 3\nfile_roots: [salt]\n");

        Outcome outcome = run("-c", config.toString(), "--max-procs", "9", "--roster-file",
                work.resolve("other").toString(), "--file-root", work.resolve("formulas").toString(),
                "--show-config");

        Map<String, Object> shown = new Yaml().load(outcome.stdout());
        assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
        assertEquals(9, shown.get("max_procs"));
        assertEquals(work.resolve("other").toString(), shown.get("roster_file"));
        assertEquals(List.of(work.resolve("formulas").toString()), shown.get("file_roots"));
    }

    @Test
    void missingTargetIsUsageError() throws Exception {
        Outcome outcome = run("-c", writeConfig("roster_file: roster\n").toString());

        assertEquals(ExitCodes.USAGE, outcome.exitCode());
        assertTrue(outcome.stderr().contains("qfleet: missing TARGET and FUNCTION."), outcome.stderr());
    }

    @Test
    void missingFunctionIsUsageError() throws Exception {
        Outcome outcome = run("-c", writeConfig("roster_file: roster\n").toString(), "lab-*");

        assertEquals(ExitCodes.USAGE, outcome.exitCode());
        assertTrue(outcome.stderr().contains("qfleet: missing FUNCTION."), outcome.stderr());
    }

    @Test
    void hostsListsConnectionWithoutSecrets() throws Exception {
        Path config = rosterConfig("roster_defaults: {port: 2222}\n");

        Outcome outcome = run("-c", config.toString(), "-H", "-L", "lab-01,lab-02");

        assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
        Map<String, Map<String, Map<String, Object>>> shown = new Yaml().load(outcome.stdout());
        Map<String, Map<String, Object>> hosts = shown.get(work.resolve("roster").toString());
        assertEquals(List.of("lab-01", "lab-02"), List.copyOf(hosts.keySet()));
        assertEquals("10.9.0.1", hosts.get("lab-01").get("host"));
        assertEquals(2222, hosts.get("lab-01").get("port"));
        assertEquals("root", hosts.get("lab-01").get("user"));
        assertEquals("***", hosts.get("lab-01").get("passwd"));
        assertEquals("***", hosts.get("lab-02").get("priv_passwd"));
        assertFalse(outcome.stdout().contains("hunter2"), outcome.stdout());
        assertFalse(outcome.stdout().contains("key-pass"), outcome.stdout());
    }

    @Test
    void hostsDefaultsToEveryHost() throws Exception {
        Outcome outcome = run("-c", rosterConfig("").toString(), "-H");

        assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
        assertEquals(List.of("lab-01", "lab-02", "lab-03", "db-01"), listedIds(outcome));
    }

    @Test
    void ignoredRosterKeyNoticeOnStderr() throws Exception {
        Outcome outcome = run("-c", rosterConfig("").toString(), "-H", "lab-03");

        assertTrue(outcome.stderr().contains("qfleet: note: " + work.resolve("roster") + ", line 3: host 'lab-03':"
                + " key 'thin_dir' is ignored"), outcome.stderr());
    }

    @Test
    void hostsListsTimeoutAsGiven() throws Exception {
        Files.writeString(work.resolve("roster"), "lab-01: {host: 10.9.0.1, timeout: 5}\n"
                + "lab-02: {host: 10.9.0.2, timeout: 2.5}\n");

        Outcome outcome = run("-c", writeConfig("roster_file: roster\n").toString(), "-H");

        assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
        Map<String, Map<String, Map<String, Object>>> shown = new Yaml().load(outcome.stdout());
        Map<String, Map<String, Object>> hosts = shown.get(work.resolve("roster").toString());
        assertEquals(5, hosts.get("lab-01").get("timeout"), outcome.stdout());
        assertEquals(2.5, hosts.get("lab-02").get("timeout"), outcome.stdout());
    }

    @Test
    void builtInDom0GroupMatchesEveryHost() throws Exception {
        Path config = rosterConfig("");

        Outcome outcome = run("-c", config.toString(), "-H", "-N", "dom0");

        assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
        assertEquals(List.of("lab-01", "lab-02", "lab-03", "db-01"), listedIds(outcome));
    }

    @Test
    void configuredGroupsReplaceDom0() throws Exception {
        Path config = rosterConfig("nodegroups: {pair: 'lab-02,db-01'}\n");

        Outcome outcome = run("-c", config.toString(), "-H", "-N", "dom0");

        assertEquals(ExitCodes.USAGE, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stderr().contains("Nodegroup 'dom0' is not defined"), outcome.stderr());
    }

    @Test
    void eachTargetTypeSelects() throws Exception {
        Path config = rosterConfig("nodegroups: {webs: 'G@role:web', pair: 'lab-02,db-01'}\n");
        Map<List<String>, List<String>> cases = Map.of(
                List.of("lab-0[13]"), List.of("lab-01", "lab-03"),
                List.of("-E", "lab-0[23]"), List.of("lab-02", "lab-03"),
                List.of("-L", "db-01 lab-01"), List.of("lab-01", "db-01"),
                List.of("-G", "role:web"), List.of("lab-01", "lab-03"),
                List.of("-N", "pair"), List.of("lab-02", "db-01"),
                List.of("-C", "N@webs and not E@lab-03 or db-*"), List.of("lab-01", "db-01"));
        for (Map.Entry<List<String>, List<String>> entry : cases.entrySet()) {
            List<String> args = new ArrayList<>(List.of("-c", config.toString(), "-H"));
            args.addAll(entry.getKey());

            Outcome outcome = run(args.toArray(String[]::new));

            assertEquals(ExitCodes.OK, outcome.exitCode(), entry.getKey() + ": " + outcome.stderr());
            assertEquals(entry.getValue(), listedIds(outcome), entry.getKey().toString());
        }
    }

    @Test
    void grainTargetSaysFactsAreNotCached() throws Exception {
        Path jobs = Files.createDirectories(work.resolve("no-jobs"));

        Outcome outcome = run("-c", rosterConfig("").toString(), "--jobs-dir", jobs.toString(), "-H", "-G", "role:db");

        assertTrue(outcome.stderr().contains("grain targets match the roster's grains only"), outcome.stderr());
    }

    @Test
    void grainTargetMatchesCachedGrains() throws Exception {
        Path jobs = work.resolve("jobs");
        Path hosts = Files.createDirectories(jobs.resolve("20261204120000000000").resolve("hosts"));
        Files.writeString(jobs.resolve("20261204120000000000").resolve("job.json"), "{\"jid\": \"20261204120000000000\"}");
        Files.writeString(hosts.resolve("lab-02.json"),
                "{\"id\": \"lab-02\", \"detail\": {\"grains\": {\"id\": \"lab-02\", \"site\": \"attic\"}}}");

        Outcome outcome = run("-c", rosterConfig("").toString(), "--jobs-dir", jobs.toString(), "-H", "-G",
                "site:attic");

        assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stdout().contains("lab-02"), outcome.stdout());
        assertFalse(outcome.stdout().contains("lab-01"), outcome.stdout());
    }

    @Test
    void targetMatchingNothingExitsWithUsage() throws Exception {
        Outcome outcome = run("-c", rosterConfig("").toString(), "-E", "web", "state.apply");

        assertEquals(ExitCodes.USAGE, outcome.exitCode());
        assertTrue(outcome.stderr().contains("qfleet: Regular expression target 'web' matched no host ID in roster "
                + work.resolve("roster")), outcome.stderr());
    }

    @Test
    void combinedTypeFlagsRejected() throws Exception {
        Outcome outcome = run("-c", rosterConfig("").toString(), "-E", "-L", "lab-01", "state.apply");

        assertEquals(ExitCodes.USAGE, outcome.exitCode());
        assertTrue(outcome.stderr().contains("the target type options -E, -L cannot be combined"), outcome.stderr());
    }

    @Test
    void shardsSplitTargetsStably() throws Exception {
        Path config = rosterConfig("");
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (int i = 1; i <= 3; i++) {
            Outcome outcome = run("-c", config.toString(), "-H", "--shard", i + "/3");
            assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
            List<String> ids = listedIds(outcome);
            for (String id : ids) {
                assertEquals(i, Shard.partOf(id, 3), id);
            }
            seen.addAll(ids);
            total += ids.size();
        }
        assertEquals(Set.of("lab-01", "lab-02", "lab-03", "db-01"), seen);
        assertEquals(4, total);
    }

    @Test
    void invalidShardRejected() throws Exception {
        Outcome outcome = run("-c", rosterConfig("").toString(), "--shard", "4/3", "*", "state.apply");

        assertEquals(ExitCodes.USAGE, outcome.exitCode());
        assertTrue(outcome.stderr().contains("--shard: invalid shard '4/3'"), outcome.stderr());
    }

    @Test
    void rosterUrlFetchesAndFallsBack() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/roster", exchange -> {
            byte[] body = "{\"web-01\": {\"host\": \"10.9.2.1\", \"user\": \"ops\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/roster";
        Path config = writeConfig("roster_url: http://127.0.0.1:1/unused\nroster_retries: 0\n"
                + "roster_cache_dir: cache\n");
        Outcome fetched;
        try {
            fetched = run("-c", config.toString(), "--roster-url", url, "-H");
        } finally {
            server.stop(0);
        }

        Outcome fallback = run("-c", config.toString(), "--roster-url", url, "-H");

        assertEquals(ExitCodes.OK, fetched.exitCode(), fetched.stderr());
        assertEquals(List.of("web-01"), listedIds(fetched));
        assertEquals(ExitCodes.OK, fallback.exitCode(), fallback.stderr());
        assertEquals(List.of("web-01"), listedIds(fallback));
        assertTrue(fallback.stderr().startsWith("qfleet: warning: Roster URL " + url + " is unavailable: "),
                fallback.stderr());
        assertTrue(fallback.stderr().contains("Using the last good copy, fetched "), fallback.stderr());
    }

    @Test
    void rosterUrlAndFileFlagsConflict() throws Exception {
        Outcome outcome = run("-c", rosterConfig("").toString(), "--roster-file", "r", "--roster-url",
                "https://inventory.example.org/r", "-H");

        assertEquals(ExitCodes.USAGE, outcome.exitCode());
        assertTrue(outcome.stderr().contains("--roster-file and --roster-url cannot be combined"), outcome.stderr());
    }

    @Test
    void listAndShardLimitRealRun() throws Exception {
        try (SimulatedFleet fleet = SimulatedFleet.start(work.resolve("sim"), 3)) {
            Path config = work.resolve("fleet.yaml");
            Files.writeString(config, "roster_file: " + fleet.rosterFile() + "\nknown_hosts: "
                    + fleet.knownHostsFile() + "\n");
            List<String> ids = new ArrayList<>();
            new Yaml().<Map<String, Object>>load(Files.readString(fleet.rosterFile())).keySet().forEach(ids::add);
            String jobs = work.resolve("jobs").toString();

            Outcome listed = run("-c", config.toString(), "--jobs-dir", jobs, "--out", "json", "-L",
                    ids.get(0) + "," + ids.get(2), "-r", "echo", "hi");
            int part = Shard.partOf(ids.get(0), 3);
            Outcome sharded = run("-c", config.toString(), "--jobs-dir", jobs, "--out", "json", "--shard",
                    part + "/3", "-r", "*", "echo", "hi");

            assertEquals(ExitCodes.OK, listed.exitCode(), listed.stderr());
            assertEquals(Set.of(ids.get(0), ids.get(2)), fieldNames(listed.stdout()));
            assertEquals(ExitCodes.OK, sharded.exitCode(), sharded.stderr());
            Set<String> expected = new HashSet<>();
            ids.stream().filter(id -> Shard.partOf(id, 3) == part).forEach(expected::add);
            assertTrue(expected.size() < ids.size(), "shard " + part + "/3 holds every host, so it tests nothing");
            assertEquals(expected, fieldNames(sharded.stdout()));
        }
    }

    private static Set<String> fieldNames(String json) throws IOException {
        Set<String> names = new HashSet<>();
        JsonNode document = new ObjectMapper().readTree(json);
        document.fieldNames().forEachRemaining(names::add);
        names.removeIf(name -> name.startsWith("_") || name.equals("summary") || name.equals("jid"));
        return names;
    }

    private List<String> listedIds(Outcome outcome) {
        Map<String, Map<String, Object>> shown = new Yaml().load(outcome.stdout());
        Map<String, Object> hosts = shown.values().iterator().next();
        return hosts == null ? List.of() : List.copyOf(hosts.keySet());
    }

    private Path rosterConfig(String extra) throws IOException {
        Files.writeString(work.resolve("roster"), ROSTER);
        return writeConfig("roster_file: roster\n" + extra);
    }

    private Path writeConfig(String text) throws IOException {
        Path config = work.resolve("qfleet.yaml");
        Files.writeString(config, text);
        return config;
    }

    /** Runs qfleet in this JVM with standard output and standard error captured. */
    private static synchronized Outcome run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream outCapture = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream errCapture = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(outCapture);
            System.setErr(errCapture);
            int exitCode = Main.run(args);
            return new Outcome(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
