package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grain targets after a grain is removed from the roster. A run caches each host's grains in
 * the job cache, and later runs target by them. The cached copy must not keep a roster grain
 * alive: once the roster drops {@code group: canary} from lab-02, {@code -G group:canary} must
 * stop matching lab-02 even before lab-02 is reached again.
 */
class RemovedRosterGrainTest {

    @TempDir
    Path work;

    private static String text(QfleetProcess.Outcome outcome) {
        return "exit " + outcome.exitCode() + "\nstdout:\n" + outcome.stdout() + "\nstderr:\n" + outcome.stderr();
    }

    @Test
    void removedGrainStopsMatching() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2)) {
            String plainRoster = Files.readString(fleet.roster);
            assertTrue(plainRoster.contains("lab-02:\n"), plainRoster);
            Files.writeString(fleet.roster, plainRoster.replace("lab-02:\n", "lab-02:\n  grains:\n    group: canary\n"));
            Path formulas = work.resolve("formulas");
            Files.createDirectories(formulas);
            Files.writeString(formulas.resolve("check.sls"), "sys-net:\n  qvm.exists: []\n");
            Path jobs = work.resolve("jobs-grains");

            QfleetProcess.Outcome run = QfleetProcess.run(work, "-c", fleet.config.toString(), "--file-root",
                    formulas.toString(), "--jobs-dir", jobs.toString(), "-G", "group:canary", "state.sls", "check");
            assertEquals(0, run.exitCode(), text(run));
            assertTrue(run.stdout().contains("lab-02:"), text(run));

            Files.writeString(fleet.roster, plainRoster);
            QfleetProcess.Outcome listing = QfleetProcess.run(work, "-c", fleet.config.toString(),
                    "--jobs-dir", jobs.toString(), "-H", "-G", "group:canary");
            assertEquals(2, listing.exitCode(), text(listing));
            assertFalse(listing.stdout().contains("lab-02"), text(listing));
            assertTrue(listing.stderr().contains("Grain target 'group:canary' matched no host ID"), text(listing));
        }
    }

    @Test
    void gatheredGrainStillMatches() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2)) {
            Path formulas = work.resolve("formulas");
            Files.createDirectories(formulas);
            Files.writeString(formulas.resolve("check.sls"), "sys-net:\n  qvm.exists: []\n");
            Path jobs = work.resolve("jobs-facts");

            QfleetProcess.Outcome run = QfleetProcess.run(work, "-c", fleet.config.toString(), "--file-root",
                    formulas.toString(), "--jobs-dir", jobs.toString(), "lab-01", "state.sls", "check");
            assertEquals(0, run.exitCode(), text(run));

            QfleetProcess.Outcome listing = QfleetProcess.run(work, "-c", fleet.config.toString(),
                    "--jobs-dir", jobs.toString(), "-H", "-G", "nodename:lab-01");
            assertEquals(0, listing.exitCode(), text(listing));
            assertTrue(listing.stdout().contains("lab-01:"), text(listing));
            assertFalse(listing.stdout().contains("lab-02:"), text(listing));
        }
    }
}
