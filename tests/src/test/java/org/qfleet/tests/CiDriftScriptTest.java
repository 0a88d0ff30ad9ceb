package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the drift-check script of docs/ci.md, as printed there, on the JSON report of a real
 * {@code test=True} run against a simulated fleet where lab-01 has drifted and lab-02 rejects
 * the login. The script must name both hosts and fail, not stop with a Python traceback.
 */
class CiDriftScriptTest {

    @TempDir
    Path work;

    /** Returns the Python program between {@code <<'PY'} and {@code PY} in the drift check of docs/ci.md. */
    private static String driftScript() throws Exception {
        String page = Files.readString(QfleetProcess.repositoryRoot().resolve("docs/ci.md"));
        String opening = "python3 - drift.json <<'PY'\n";
        int start = page.indexOf(opening);
        assertTrue(start >= 0, "docs/ci.md has no line: " + opening);
        int end = page.indexOf("\nPY\n", start);
        assertTrue(end > start, "docs/ci.md: the drift script has no closing PY line");
        return page.substring(start + opening.length(), end + 1);
    }

    @Test
    void scriptReportsDriftAndUnreachableHost() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2, "lab-02:auth-refused")) {
            Path formulas = work.resolve("formulas");
            Files.createDirectories(formulas);
            Files.writeString(formulas.resolve("drift.sls"), "sys-net:\n  qvm.prefs:\n    - memory: 777\n");
            Path report = work.resolve("drift.json");
            QfleetProcess.Outcome run = QfleetProcess.run(work, "-c", fleet.config.toString(),
                    "--file-root", formulas.toString(), "*", "state.sls", "drift", "test=True",
                    "--out", "json", "--out-file", report.toString());
            assertEquals(20, run.exitCode(), "qfleet stderr:\n" + run.stderr());

            Path script = work.resolve("drift-check.py");
            Files.writeString(script, driftScript());
            Path stdout = work.resolve("script-stdout.txt");
            Path stderr = work.resolve("script-stderr.txt");
            Process process = new ProcessBuilder("python3", script.toString(), report.toString())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the drift script did not finish in 60 s");
            String output = Files.readString(stdout, StandardCharsets.UTF_8);
            String errors = Files.readString(stderr, StandardCharsets.UTF_8);
            String text = "exit " + process.exitValue() + "\nstdout:\n" + output + "\nstderr:\n" + errors;

            assertEquals(1, process.exitValue(), text);
            assertFalse(errors.contains("Traceback"), text);
            assertTrue(output.contains("lab-01: qvm_|-sys-net_|-sys-net_|-prefs would change"), text);
            assertTrue(output.contains("lab-02: not checked (retcode 254)"), text);
        }
    }
}
