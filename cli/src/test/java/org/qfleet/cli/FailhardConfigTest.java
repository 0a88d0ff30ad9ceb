package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * Salt's global {@code failhard} setting in qfleet.yaml: on a host whose state fails, the
 * states after it do not run and report nothing, while the other hosts run everything.
 */
class FailhardConfigTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SLS = String.join("\n",
            "first:",
            "  test.succeed_without_changes: []",
            "broken:",
            "  test.configurable_test_state:",
            "    - result: {{ grains['id'] != 'lab-02' }}",
            "    - changes: False",
            "    - comment: broke on purpose",
            "last:",
            "  test.succeed_without_changes: []",
            "");

    @TempDir
    Path work;

    private SimulatedFleet fleet;

    @BeforeEach
    void startFleet() throws IOException {
        fleet = SimulatedFleet.start(work.resolve("sim"), 2);
        Path formulas = Files.createDirectories(work.resolve("formulas"));
        Files.writeString(formulas.resolve("demo.sls"), SLS);
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private Path writeConfig(String extra) throws IOException {
        Path config = work.resolve("qfleet.yaml");
        Files.writeString(config, "roster_file: " + fleet.rosterFile() + "\nknown_hosts: " + fleet.knownHostsFile()
                + "\nfile_roots: [" + work.resolve("formulas") + "]\n" + extra);
        return config;
    }

    private static JsonNode run(Path config) throws IOException {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int exitCode = Main.run(new String[] {"-c", config.toString(), "--out", "json", "--jobs-dir", config.resolveSibling("jobs").toString(),
                "*", "state.apply", "demo"});
            capture.flush();
            assertEquals(ExitCodes.HOSTS_FAILED, exitCode, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
        return JSON.readTree(buffer.toString(StandardCharsets.UTF_8));
    }

    private static List<String> ids(JsonNode host) {
        List<String> ids = new ArrayList<>();
        host.path("return").forEach(state -> ids.add(state.path("__id__").asText()));
        return ids;
    }

    @Test
    void failhardStopsTheFailingHostOnly() throws Exception {
        JsonNode report = run(writeConfig("failhard: true\n"));

        assertEquals(List.of("first", "broken"), ids(report.path("lab-02")), report.toString());
        assertEquals(List.of("first", "broken", "last"), ids(report.path("lab-01")), report.toString());
        assertEquals(2, report.path("lab-02").path("retcode").asInt(), report.toString());
    }

    @Test
    void withoutFailhardEveryStateRuns() throws Exception {
        JsonNode report = run(writeConfig(""));

        assertEquals(List.of("first", "broken", "last"), ids(report.path("lab-02")), report.toString());
    }

    @Test
    void failhardMustBeABoolean() throws Exception {
        Path config = writeConfig("failhard: often\n");

        UsageException error = org.junit.jupiter.api.Assertions.assertThrows(UsageException.class,
                () -> QfleetConfig.load(config));

        assertTrue(error.getMessage().contains("failhard: invalid value 'often'. Expected true or false."),
                error.getMessage());
    }
}
