package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The hint to put {@code --} before a raw-shell command whose options qfleet read as its own.
 * Every case fails while parsing, so no configuration is read and no host is contacted.
 */
class RawShellOptionHintTest {

    private static final String HINT = "qfleet: with -r, the options after TARGET are read as qfleet's own until"
            + " '--'. Put '--' before the command, such as: qfleet -r '*' -- sh -c 'echo hi'\n";

    @Test
    void repeatedOptionAfterTarget() {
        String stderr = runFailing("-c", "qfleet.yaml", "-r", "*", "sh", "-c", "echo hi");

        assertTrue(stderr.startsWith("qfleet: option '--config' (FILE) should be specified only once\n"), stderr);
        assertTrue(stderr.contains(HINT), stderr);
    }

    @Test
    void unknownOptionAfterTarget() {
        String stderr = runFailing("-r", "*", "ls", "--color");

        assertTrue(stderr.startsWith("qfleet: Unknown option: '--color'\n"), stderr);
        assertTrue(stderr.contains(HINT), stderr);
    }

    @Test
    void invalidOptionValueAfterTarget() {
        String stderr = runFailing("-r", "*", "ls", "-la");

        assertTrue(stderr.startsWith("qfleet: invalid log level 'a'"), stderr);
        assertTrue(stderr.contains(HINT), stderr);
    }

    @Test
    void unknownOptionBeforeTargetHasNoHint() {
        String stderr = runFailing("--bogus", "-r", "*", "ls");

        assertTrue(stderr.startsWith("qfleet: Unknown option: '--bogus'\n"), stderr);
        assertFalse(stderr.contains("Put '--'"), stderr);
    }

    @Test
    void optionErrorWithoutRawShellHasNoHint() {
        String stderr = runFailing("-c", "qfleet.yaml", "*", "state.apply", "-c", "other.yaml");

        assertTrue(stderr.startsWith("qfleet: option '--config' (FILE) should be specified only once\n"), stderr);
        assertFalse(stderr.contains("Put '--'"), stderr);
    }

    /** Runs qfleet in this JVM, checks that it exits with the usage code and returns standard error. */
    private static synchronized String runFailing(String... args) {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream errCapture = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(errCapture);
            exitCode = Main.run(args);
        } finally {
            System.setErr(originalErr);
        }
        String stderr = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.USAGE, exitCode, stderr);
        return stderr;
    }
}
