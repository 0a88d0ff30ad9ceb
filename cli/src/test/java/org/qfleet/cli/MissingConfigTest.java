package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without any configuration file qfleet looks for ./roster, and its error tells the user so. */
class MissingConfigTest {

    @TempDir
    Path dir;

    private String runInFolder(Path workDir) throws Exception {
        String classPath = System.getProperty("java.class.path");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java,
                "-Duser.home=" + dir.resolve("home"), "-cp", classPath, "org.qfleet.cli.Main",
                "*", "state.apply")).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().remove("QFLEET_CONFIG");
        builder.environment().put("QFLEET_JOBS_DIR", dir.resolve("jobs").toString());
        Process process = builder.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "qfleet did not finish within 60 s");
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(ExitCodes.USAGE, process.exitValue(), output);
        return output;
    }

    @Test
    void missingRosterMentionsConfigSearch() throws Exception {
        String output = runInFolder(Files.createDirectories(dir.resolve("empty")));

        assertTrue(output.contains(dir.resolve("empty").resolve("roster") + " not found"), output);
        assertTrue(output.contains("No configuration file was found"), output);
        assertTrue(output.contains("-c FILE"), output);
    }

    @Test
    void rosterFolderIsNamedAsFolder() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.createDirectories(work.resolve("roster"));

        String output = runInFolder(work);

        assertTrue(output.contains("is a folder, not a file"), output);
        assertTrue(output.contains("No configuration file was found"), output);
        assertFalse(output.contains("Check its permissions"), output);
    }
}
