package org.qfleet.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the shim's Python unittest suite, which drives the real shim against fake qvm-* tools. */
class ShimUnittestTest {

    private static final long SUITE_TIMEOUT_SECONDS = 300;

    @Test
    void pythonSuitePasses(@TempDir Path temp) throws IOException, InterruptedException {
        Path moduleDir = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path testDir = moduleDir.resolve("src/test/python");
        Path output = temp.resolve("unittest.log");
        ProcessBuilder builder = new ProcessBuilder(
                "/usr/bin/python3", "-m", "unittest", "discover", "-s", testDir.toString(), "-v")
                .directory(moduleDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Keep __pycache__ out of src/main/resources, where Maven would package it.
        builder.environment().put("PYTHONDONTWRITEBYTECODE", "1");

        Process process = builder.start();
        boolean finished = process.waitFor(SUITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(output, StandardCharsets.UTF_8);

        assertTrue(finished, "the Python suite did not finish within " + SUITE_TIMEOUT_SECONDS + " s:\n" + log);
        assertEquals(0, process.exitValue(), "the Python suite failed:\n" + log);
        assertFalse(log.contains("\nRan 0 tests"), "the Python suite found no tests:\n" + log);
    }
}
