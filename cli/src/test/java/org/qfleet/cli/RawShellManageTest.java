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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * A raw shell command runs in dom0, so it runs only on hosts whose roster entry lets qfleet
 * change dom0: no {@code manage} list, or one that matches {@code dom0}.
 */
class RawShellManageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private SimulatedFleet fleet;

    @BeforeEach
    void startFleet() throws IOException {
        fleet = SimulatedFleet.start(work.resolve("sim"), 3);
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private JsonNode runRaw() throws IOException {
        String roster = Files.readString(fleet.rosterFile())
                .replace("lab-01:\n", "lab-01:\n  manage: [work, 'sys-*']\n")
                .replace("lab-02:\n", "lab-02:\n  manage: [work, dom0]\n");
        Path rosterFile = work.resolve("roster");
        Files.writeString(rosterFile, roster);
        Path config = work.resolve("qfleet.yaml");
        Files.writeString(config, "roster_file: " + rosterFile + "\nknown_hosts: " + fleet.knownHostsFile() + "\n");
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int exitCode = Main.run("-c", config.toString(), "--jobs-dir", work.resolve("jobs").toString(),
                    "--out", "json", "-r", "*", "echo", "hello");
            capture.flush();
            assertEquals(ExitCodes.HOSTS_FAILED, exitCode, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
        return JSON.readTree(buffer.toString(StandardCharsets.UTF_8));
    }

    @Test
    void manageWithoutDom0RejectsRawShell() throws Exception {
        JsonNode report = runRaw();

        JsonNode rejected = report.path("lab-01");
        assertEquals(1, rejected.path("retcode").asInt(), report.toString());
        assertTrue(rejected.path("errors").path(0).asText().contains(
                "raw shell commands run in dom0, which this host's roster entry does not allow (manage: work, sys-*)"),
                report.toString());
    }

    @Test
    void rawShellRunsWhereDom0Allowed() throws Exception {
        JsonNode report = runRaw();

        assertEquals("hello\n", report.path("lab-02").path("return").path("stdout").asText(), report.toString());
        assertEquals("hello\n", report.path("lab-03").path("return").path("stdout").asText(), report.toString());
    }
}
