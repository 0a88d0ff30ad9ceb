package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.qfleet.shim.Shim;
import org.qfleet.simulator.SimulatedFleet;
import org.qfleet.simulator.SimulatedHost;
import org.qfleet.states.catalog.StateCatalog;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.plan.Plan;
import org.yaml.snakeyaml.Yaml;

/**
 * One fresh simulated Qubes host on which a test applies an SLS text: the text is compiled by
 * the real compiler and catalog, and its plan runs in the real shim, started with the protocol's
 * bootstrap command and the simulated host's tools on PATH.
 */
final class SimulatedQubesHost implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 60;

    private final SimulatedFleet fleet;
    private final SimulatedHost host;

    private SimulatedQubesHost(SimulatedFleet fleet) {
        this.fleet = fleet;
        this.host = fleet.hosts().get(0);
    }

    static SimulatedQubesHost start(Path dir) throws IOException {
        return new SimulatedQubesHost(SimulatedFleet.start(dir, 1));
    }

    /** Applies the SLS text (the file {@code main}) and returns the result lines by state ID. */
    Map<String, JsonNode> apply(String sls, boolean test) throws Exception {
        List<LowChunk> chunks = new HighStateCompiler(source(sls)).compile(List.of("main"));
        Plan plan = new Plan("20261204190000000000", host.id(), test, new StateCatalog().compile(chunks));
        Map<String, JsonNode> results = new LinkedHashMap<>();
        for (JsonNode line : runShim(plan.toJson())) {
            results.put(line.get("__id__").asText(), line);
        }
        return results;
    }

    /** Runs one simulated tool, such as {@code qvm-start work}, and fails the test if it fails. */
    void tool(String... argv) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(argv));
        // The tools are links in the fleet's bin folder, which the test JVM's PATH lacks.
        command.set(0, fleet.dir().resolve("bin").resolve(argv[0]).toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        environment(builder);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "tool timed out: " + List.of(argv));
        assertEquals(0, process.exitValue(), List.of(argv) + ": " + output);
    }

    /** Returns the host's state as {@code qfleet-sim show} prints it. */
    JsonNode show() throws IOException {
        return JSON.readTree(host.showJson());
    }

    /** Returns the whole state file, run logs and device assignments included. */
    JsonNode stateFile() throws IOException {
        return JSON.readTree(Files.readString(host.stateFile()));
    }

    /** Changes the state file while no tool runs, such as to add qvm-run rules. */
    void editState(java.util.function.Consumer<ObjectNode> edit) throws IOException {
        ObjectNode state = (ObjectNode) stateFile();
        edit.accept(state);
        Files.writeString(host.stateFile(), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
    }

    /** Makes the given tool fail as when qubesd gives no response. */
    void failTool(String tool) throws IOException {
        Path faults = host.stateFile().getParent().resolve("faults.json");
        Files.writeString(faults, "{\"faults\": [{\"kind\": \"fail\", \"tool\": \"" + tool + "\"}]}");
    }

    @Override
    public void close() {
        fleet.close();
    }

    private void environment(ProcessBuilder builder) {
        environment(builder, fleet, host);
    }

    /** Gives a process the environment that the fleet gives a command on {@code host}. */
    private static void environment(ProcessBuilder builder, SimulatedFleet fleet, SimulatedHost host) {
        Path hostDir = host.stateFile().getParent();
        Map<String, String> env = builder.environment();
        env.put("PATH", fleet.dir().resolve("bin") + ":/usr/bin:/bin");
        env.put("QUBES_SIM_STATE", host.stateFile().toString());
        env.put("QUBES_SIM_HOST", host.id());
        env.put("QUBES_SIM_FAULTS", hostDir.resolve("faults.json").toString());
        env.put("QUBES_SIM_ROOT", hostDir.resolve("root").toString());
    }

    private List<JsonNode> runShim(byte[] request) throws IOException, InterruptedException {
        return runShim(fleet, host, request);
    }

    /**
     * Runs the shim as the master would, but locally, with the simulated host's environment, and
     * returns its result lines after checking that it exited 0 and wrote its done line.
     */
    static List<JsonNode> runShim(SimulatedFleet fleet, SimulatedHost host, byte[] request)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", Shim.bootstrapCommand());
        environment(builder, fleet, host);
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write(Shim.stdinFor(request));
        }
        byte[] stdout = process.getInputStream().readAllBytes();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "shim timed out");
        String output = new String(stdout, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "shim exit status; stderr: " + stderr + "; stdout: " + output);
        List<JsonNode> results = new ArrayList<>();
        JsonNode done = null;
        for (String line : output.split("\n")) {
            JsonNode node = JSON.readTree(line);
            if (node.get("type").asText().equals("result")) {
                results.add(node);
            } else {
                done = node;
            }
        }
        assertNotNull(done, "the shim wrote no done line: " + output);
        return results;
    }

    private static SlsSource source(String sls) {
        return new SlsSource() {
            @Override
            public Map<String, Object> render(String name) {
                Map<String, Object> data = new Yaml().load(sls);
                return data == null ? Map.of() : data;
            }

            @Override
            public boolean exists(String name) {
                return name.equals("main");
            }
        };
    }
}
