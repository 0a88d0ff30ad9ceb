package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qfleet jobs list} and {@code jobs merge} on a job cache where one job's {@code job.json}
 * is not valid JSON, as after a hand edit or a truncated CI artifact. The cache contains two real
 * runs against a simulated host, and the newer one is damaged.
 */
class DamagedJobCacheTest {

    @TempDir
    static Path work;

    private static FaultFleet fleet;
    private static Path jobs;
    private static String goodJid;
    private static Path damagedFile;

    @BeforeAll
    static void recordTwoJobs() throws Exception {
        fleet = FaultFleet.start(work, 1);
        Path formulas = work.resolve("formulas");
        Files.createDirectories(formulas);
        Files.writeString(formulas.resolve("check.sls"), "sys-net:\n  qvm.exists: []\n");
        jobs = work.resolve("jobs-damaged");
        for (int run = 0; run < 2; run++) {
            QfleetProcess.Outcome outcome = QfleetProcess.run(work, "-c", fleet.config.toString(),
                    "--file-root", formulas.toString(), "--jobs-dir", jobs.toString(), "*", "state.sls", "check");
            assertEquals(0, outcome.exitCode(), "run " + run + " stderr:\n" + outcome.stderr());
        }
        List<String> jids;
        try (Stream<Path> entries = Files.list(jobs)) {
            jids = entries.map(path -> path.getFileName().toString()).sorted().toList();
        }
        assertEquals(2, jids.size(), "jobs recorded: " + jids);
        goodJid = jids.get(0);
        damagedFile = jobs.resolve(jids.get(1)).resolve("job.json");
        Files.writeString(damagedFile, "{\"jid\": \"" + jids.get(1) + "\",\n  \"function\": ");
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static String text(QfleetProcess.Outcome outcome) {
        return "exit " + outcome.exitCode() + "\nstdout:\n" + outcome.stdout() + "\nstderr:\n" + outcome.stderr();
    }

    @Test
    void listSkipsDamagedJob() throws Exception {
        QfleetProcess.Outcome outcome = QfleetProcess.run(work, "jobs", "list", "--jobs-dir", jobs.toString());
        assertEquals(0, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains(goodJid), text(outcome));
        assertTrue(outcome.stderr().contains(damagedFile + " is not a valid job file: line 2"), text(outcome));
        assertTrue(outcome.stderr().contains("Delete the folder " + damagedFile.getParent()), text(outcome));
        assertFalse(outcome.stderr().contains("internal error"), text(outcome));
    }

    @Test
    void mergeRejectsDamagedJob() throws Exception {
        QfleetProcess.Outcome outcome = QfleetProcess.run(work, "jobs", "merge", "--jobs-dir", jobs.toString());
        assertEquals(2, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stderr().contains(damagedFile + " is not a valid job file: line 2"), text(outcome));
        assertTrue(outcome.stderr().contains("name the jobs to merge as JIDs"), text(outcome));
        assertFalse(outcome.stderr().contains("internal error"), text(outcome));
    }

    @Test
    void mergeOfNamedGoodJob() throws Exception {
        QfleetProcess.Outcome outcome = QfleetProcess.run(work, "jobs", "merge", "--jobs-dir", jobs.toString(),
                goodJid);
        assertEquals(0, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains("sys-net"), text(outcome));
    }

    @Test
    void mergeOfFolderNamedTwice() throws Exception {
        Path sameFolder = jobs.resolve("..").resolve(jobs.getFileName());
        QfleetProcess.Outcome outcome = QfleetProcess.run(work, "jobs", "merge", "--jobs-dir", jobs.toString(),
                "--jobs-dir", sameFolder.toString(), goodJid);
        assertEquals(0, outcome.exitCode(), text(outcome));
        assertFalse(outcome.stderr().contains("is in jobs"), text(outcome));
        assertTrue(outcome.stdout().contains("sys-net"), text(outcome));
    }
}
