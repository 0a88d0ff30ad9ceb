package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pillar that fails on one host of a simulated fleet of two: the pillar top file gives lab-02 an
 * SLS that does not exist. lab-01 must still apply its state, and lab-02's error must point at
 * the pillar roots and the pillar top file, not at the file roots.
 */
class PillarErrorFleetTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;

    private static FaultFleet fleet;
    private static Path pillar;
    private static QfleetProcess.Outcome outcome;
    private static JsonNode report;

    @BeforeAll
    static void applyWithBrokenPillar() throws Exception {
        fleet = FaultFleet.start(work, 2);
        Path formulas = work.resolve("formulas");
        Files.createDirectories(formulas);
        Files.writeString(formulas.resolve("check.sls"),
                "{{ pillar.get('check_qube', 'sys-net') }}:\n  qvm.exists: []\n");
        pillar = work.resolve("pillar");
        Files.createDirectories(pillar);
        Files.writeString(pillar.resolve("top.sls"),
                "base:\n  '*':\n    - common\n  'lab-02':\n    - lab02-extra\n");
        Files.writeString(pillar.resolve("common.sls"), "check_qube: sys-firewall\n");
        outcome = QfleetProcess.run(work, "-c", fleet.config.toString(), "--file-root", formulas.toString(),
                "--pillar-root", pillar.toString(), "*", "state.sls", "check", "--out", "json");
        report = JSON.readTree(outcome.stdout());
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static String text() {
        return "exit " + outcome.exitCode() + "\nstdout:\n" + outcome.stdout() + "\nstderr:\n" + outcome.stderr();
    }

    @Test
    void fleetExitsWithHostFailure() {
        assertEquals(20, outcome.exitCode(), text());
    }

    @Test
    void otherHostAppliesItsPillar() {
        JsonNode lab01 = report.path("lab-01");
        assertEquals(0, lab01.path("retcode").asInt(-1), text());
        assertTrue(lab01.path("return").toString().contains("sys-firewall"), text());
    }

    @Test
    void missingPillarSlsNamesPillarRoots() {
        JsonNode lab02 = report.path("lab-02");
        assertEquals(1, lab02.path("retcode").asInt(-1), text());
        String errors = lab02.path("errors").toString();
        assertTrue(errors.contains("pillar SLS 'lab02-extra' not found"), errors);
        assertTrue(errors.contains("in pillar roots [" + pillar + "]"), errors);
        assertTrue(errors.contains("check the name in the pillar top.sls or the pillar_roots setting"), errors);
        assertFalse(errors.contains("file roots"), errors);
    }
}
