package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * The custom state function example in examples/custom-state, compiled against qfleet's jars
 * and put on the class path with QFLEET_CLASSPATH, applied to a simulated host by bin/qfleet.
 */
class CustomStateFunctionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private SimulatedFleet fleet;
    private Path example;
    private Path classes;

    @BeforeEach
    void buildExample() throws Exception {
        fleet = SimulatedFleet.start(work.resolve("sim"), 1);
        example = QfleetProcess.repositoryRoot().resolve("examples/custom-state");
        classes = Files.createDirectories(work.resolve("site-states"));
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path")));
        try (Stream<Path> sources = Files.walk(example.resolve("src"))) {
            sources.filter(path -> path.toString().endsWith(".java")).forEach(path -> args.add(path.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "the example must compile");
        copyTree(example.resolve("resources"), classes);
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private record Outcome(int exitCode, String stdout, String stderr) {
    }

    private Outcome qfleet(String classPath, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(QfleetProcess.repositoryRoot().resolve("bin/qfleet").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile());
        builder.environment().remove("QFLEET_CONFIG");
        builder.environment().put("QFLEET_JOBS_DIR", work.resolve("jobs").toString());
        if (classPath != null) {
            builder.environment().put("QFLEET_CLASSPATH", classPath);
        }
        Path stdout = work.resolve("stdout.txt");
        Path stderr = work.resolve("stderr.txt");
        Process process = builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(QfleetProcess.RUN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("qfleet did not finish within " + QfleetProcess.RUN_LIMIT_SECONDS + " s");
        }
        return new Outcome(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private Outcome apply(String classPath, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-c", fleet.configFile().toString(), "--file-root",
                example.resolve("formulas").toString(), "--out", "json", "*", "state.apply", "lockdown"));
        args.addAll(List.of(extra));
        return qfleet(classPath, args.toArray(String[]::new));
    }

    private JsonNode vault() throws IOException {
        return JSON.readTree(fleet.hosts().get(0).showJson()).path("vms").path("vault");
    }

    private static JsonNode lockdown(Outcome outcome) throws IOException {
        return JSON.readTree(outcome.stdout()).path("lab-01").path("return")
                .path("site_|-lock vault_|-vault_|-lockdown");
    }

    @Test
    void customFunctionLocksDownQube() throws Exception {
        Outcome first = apply(classes.toString());

        assertEquals(0, first.exitCode(), first.stdout() + first.stderr());
        JsonNode changes = lockdown(first).path("changes").path("site.lockdown");
        assertEquals("", changes.path("netvm").path("new").asText(), first.stdout());
        assertEquals("present", changes.path("tag offline").path("new").asText(), first.stdout());
        assertTrue(vault().toString().contains("offline"), vault().toString());
    }

    @Test
    void rerunReportsNoChanges() throws Exception {
        apply(classes.toString());

        Outcome second = apply(classes.toString());

        assertEquals(0, second.exitCode(), second.stdout() + second.stderr());
        assertEquals(0, lockdown(second).path("changes").size(), second.stdout());
        assertEquals("Qube vault is locked down already", lockdown(second).path("comment").asText());
    }

    @Test
    void testModePredictsAndWritesNothing() throws Exception {
        String before = fleet.hosts().get(0).showJson();

        Outcome predicted = apply(classes.toString(), "test=True");

        assertEquals(0, predicted.exitCode(), predicted.stdout() + predicted.stderr());
        assertTrue(lockdown(predicted).path("result").isNull(), predicted.stdout());
        assertEquals(before, fleet.hosts().get(0).showJson());
    }

    @Test
    void badArgumentNamesFieldAndValue() throws Exception {
        Path formulas = Files.createDirectories(work.resolve("bad"));
        Files.writeString(formulas.resolve("lockdown.sls"), "vault:\n  site.lockdown:\n    - tag: 'two words'\n");

        Outcome outcome = qfleet(classes.toString(), "-c", fleet.configFile().toString(), "--file-root",
                formulas.toString(), "*", "state.apply", "lockdown");

        assertEquals(20, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        assertTrue(outcome.stdout().contains("site.lockdown: invalid value for field 'tag': 'two words'"),
                outcome.stdout());
    }

    @Test
    void docComesFromTheJar() throws Exception {
        Outcome outcome = qfleet(classes.toString(), "--doc", "site.lockdown");

        assertEquals(0, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        assertTrue(outcome.stdout().contains("Cuts a qube off the network"), outcome.stdout());
    }

    @Test
    void withoutTheJarFunctionIsUnknown() throws Exception {
        Outcome outcome = apply(null);

        assertEquals(20, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        assertTrue(outcome.stdout().contains("Unknown state function 'site.lockdown'"), outcome.stdout());
        assertFalse(vault().toString().contains("offline"), vault().toString());
    }
}
