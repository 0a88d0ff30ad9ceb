package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/** An {@code include} glob pulls in every matching SLS of the file root, included files first. */
class IncludeGlobTest {

    @TempDir
    Path work;

    private SimulatedFleet fleet;

    @BeforeEach
    void startFleet() throws Exception {
        fleet = SimulatedFleet.start(work.resolve("sim"), 1);
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void includeGlobAppliesMatchingFiles() throws Exception {
        String formulas = Path.of(getClass().getResource("/formulas/include-glob").toURI()).toString();

        QfleetProcess.Outcome outcome = QfleetProcess.run(work, "-c", fleet.configFile().toString(),
                "--file-root", formulas, "*", "state.apply", "test=True");

        assertEquals(0, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        HighstateReport.HostSection host = HighstateReport.parse(outcome.stdout()).get("lab-01");
        List<String> ids = host.states().stream().map(HighstateReport.StateBlock::id).toList();
        assertEquals(List.of("archive", "mail", "notes"), ids, host.text());
    }
}
