package org.qfleet.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code bin/qfleet} launcher as a user would, and captures what it prints. */
final class QfleetProcess {

    /** The maximum time a single qfleet run in these tests may take, in seconds. */
    static final long RUN_LIMIT_SECONDS = 180;

    record Outcome(int exitCode, String stdout, String stderr) {
    }

    /** Returns the repository's top folder: the parent of this module. */
    static Path repositoryRoot() {
        Path moduleDir = Path.of("").toAbsolutePath();
        return moduleDir.getFileName().toString().equals("tests") ? moduleDir.getParent() : moduleDir;
    }

    static Outcome run(Path workDir, String... args) throws IOException, InterruptedException {
        return run(workDir, RUN_LIMIT_SECONDS, args);
    }

    /** Runs qfleet and fails the test when it takes longer than {@code limitSeconds}. */
    static Outcome run(Path workDir, long limitSeconds, String... args) throws IOException, InterruptedException {
        return run(workDir, Map.of(), limitSeconds, args);
    }

    /** Runs qfleet with {@code environment} added to its environment. */
    static Outcome run(Path workDir, Map<String, String> environment, long limitSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(repositoryRoot().resolve("bin/qfleet").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        builder.environment().remove("QFLEET_CONFIG");
        builder.environment().put("NO_COLOR", "1");
        // Keep the job cache of test runs out of the user's home folder.
        builder.environment().put("QFLEET_JOBS_DIR", workDir.resolve("jobs").toString());
        builder.environment().putAll(environment);
        Path stdout = Files.createTempFile(workDir, "qfleet-stdout", ".txt");
        Path stderr = Files.createTempFile(workDir, "qfleet-stderr", ".txt");
        builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process process = builder.start();
        if (!process.waitFor(limitSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("qfleet did not finish within " + limitSeconds + " s: " + command
                    + "\nstdout so far:\n" + Files.readString(stdout) + "\nstderr so far:\n" + Files.readString(stderr));
        }
        return new Outcome(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private QfleetProcess() {
    }
}
