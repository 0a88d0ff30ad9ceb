package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A highstate of a host that no top file entry matches fails with one state, as Salt's does, so a
 * drift check whose top file misses a host fails on that host instead of passing with nothing run.
 */
class UnmatchedTopTest {

    private static final String NO_STATES = "no_|-states_|-states_|-None";

    @TempDir
    Path work;

    @Test
    void unmatchedHostFailsHighstate() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2)) {
            Path formulas = FaultFleet.oneSlsTree(work.resolve("formulas"), "tagged",
                    "sys-net:\n  qvm.tags:\n    - add:\n      - audited\n");
            Files.writeString(formulas.resolve("top.sls"), "base:\n  'lab-01':\n    - tagged\n");

            FaultFleet.Run run = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply", "test=True");

            assertEquals(20, run.outcome().exitCode(), run.text());
            assertEquals(0, run.host("lab-01").path("retcode").asInt(), run.text());
            JsonNode unmatched = run.host("lab-02");
            assertEquals(2, unmatched.path("retcode").asInt(), run.text());
            JsonNode state = unmatched.path("return").path(NO_STATES);
            assertFalse(state.path("result").asBoolean(true), run.text());
            assertEquals("No States", state.path("name").asText(), run.text());
            assertTrue(state.path("comment").asText().startsWith(
                    "No Top file or master_tops data matches found. The top file assigns no SLS to lab-02"), run.text());
            assertEquals(1, unmatched.path("return").size(), run.text());
        }
    }

    @Test
    void unmatchedHostShownInHighstateOutput() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1)) {
            Path formulas = FaultFleet.oneSlsTree(work.resolve("formulas"), "tagged",
                    "sys-net:\n  qvm.tags:\n    - add:\n      - audited\n");
            Files.writeString(formulas.resolve("top.sls"), "base:\n  'web-*':\n    - tagged\n");

            QfleetProcess.Outcome outcome = QfleetProcess.run(work, "-c", fleet.config.toString(),
                    "--file-root", formulas.toString(), "*", "state.apply");

            String text = outcome.stdout();
            assertEquals(20, outcome.exitCode(), text + outcome.stderr());
            assertTrue(text.contains("ID: states"), text);
            assertTrue(text.contains("Function: no.None"), text);
            assertTrue(text.contains("Result: False"), text);
        }
    }
}
