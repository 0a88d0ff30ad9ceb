package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Host IDs given to -L or -H as separate arguments, which the shell makes of an unquoted list.
 * qfleet runs in this JVM and every case stops before a host is contacted.
 */
class HostListArgumentsTest {

    @TempDir
    Path work;

    private Path config;

    private record Outcome(int exitCode, String stdout, String stderr) {
    }

    @BeforeEach
    void writeRoster() throws Exception {
        Files.writeString(work.resolve("roster"), "lab-01: 10.9.0.1\nlab-02: 10.9.0.2\nlab-03: 10.9.0.3\n");
        config = Files.writeString(work.resolve("qfleet.yaml"), "roster_file: roster\n");
    }

    @Test
    void listHostsRejectsExtraArguments() {
        Outcome outcome = run("-c", config.toString(), "-H", "-L", "lab-01", "lab-02");

        assertEquals(ExitCodes.USAGE, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stderr().contains("-H takes only TARGET, but got more arguments: 'lab-02'."),
                outcome.stderr());
        assertTrue(outcome.stderr().contains("such as: -H -L 'lab-01,lab-02'"), outcome.stderr());
        assertEquals("", outcome.stdout());
    }

    @Test
    void listHostsAcceptsOneListArgument() {
        Outcome outcome = run("-c", config.toString(), "-H", "-L", "lab-01,lab-02");

        assertEquals(ExitCodes.OK, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stdout().contains("lab-01:"), outcome.stdout());
        assertTrue(outcome.stdout().contains("lab-02:"), outcome.stdout());
        assertFalse(outcome.stdout().contains("lab-03:"), outcome.stdout());
    }

    @Test
    void splitListNamesHostNotFunction() {
        Outcome outcome = run("-c", config.toString(), "-L", "lab-01", "lab-02", "lab-03", "state.apply");

        assertEquals(ExitCodes.USAGE, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stderr().contains("'lab-02' is a host ID in the roster, not a function: with -L, the host"
                + " list must be one argument, comma-separated or quoted, such as: -L 'lab-01,lab-02,lab-03'"
                + " state.apply"), outcome.stderr());
        assertFalse(outcome.stderr().contains("unknown function"), outcome.stderr());
    }

    @Test
    void unknownFunctionStaysUnknownFunction() {
        Outcome outcome = run("-c", config.toString(), "-L", "lab-01", "state.aply");

        assertEquals(ExitCodes.USAGE, outcome.exitCode(), outcome.stderr());
        assertTrue(outcome.stderr().contains("unknown function 'state.aply'"), outcome.stderr());
        assertFalse(outcome.stderr().contains("host ID"), outcome.stderr());
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
