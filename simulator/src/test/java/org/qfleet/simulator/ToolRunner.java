package org.qfleet.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the simulated tools as real processes against one host's state file. */
final class ToolRunner {

    private static final long TIMEOUT_SECONDS = 30;

    private final Path root;
    private final String hostId;

    private ToolRunner(Path root, String hostId) {
        this.root = root;
        this.hostId = hostId;
    }

    /** Installs the tools under {@code root/bin}; the host's state is seeded on first use. */
    static ToolRunner install(Path root, String hostId) throws IOException {
        SimulatedFleet.installTools(root.resolve("bin"));
        java.nio.file.Files.createDirectories(root.resolve("hosts").resolve(hostId).resolve("home"));
        return new ToolRunner(root, hostId);
    }

    /** Returns a runner for another host of the same fleet directory, whose tools are installed already. */
    ToolRunner forHost(String otherHostId) throws IOException {
        java.nio.file.Files.createDirectories(root.resolve("hosts").resolve(otherHostId).resolve("home"));
        return new ToolRunner(root, otherHostId);
    }

    Path stateFile() {
        return root.resolve("hosts").resolve(hostId).resolve("state.json");
    }

    /** Output of one tool run. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "stderr:\n" + stderr;
        }
    }

    Result run(String... argv) throws IOException, InterruptedException {
        return runWithInput("", argv);
    }

    /** Runs a tool with {@code stdin} as its standard input. */
    Result runWithInput(String stdin, String... argv) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(argv));
        command.set(0, root.resolve("bin").resolve(argv[0]).toString());
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().clear();
        builder.environment().putAll(SimulatedFleet.execEnvironment(root, hostId));
        Process process = builder.start();
        try (java.io.OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " timed out after " + TIMEOUT_SECONDS + " s");
        }
        return new Result(process.exitValue(), stdout.join(), stderr.join());
    }

    private static String readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
