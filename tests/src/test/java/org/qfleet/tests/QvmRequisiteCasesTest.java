package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;
import org.qfleet.states.StateException;
import org.qfleet.states.catalog.StateCatalog;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.plan.Plan;
import org.yaml.snakeyaml.Yaml;

/**
 * Requisite cases that mix qvm states with Salt's test states, in the same folder format as the
 * states module's compiler cases ({@code requisite-cases/NAME/case.yaml} and SLS files). Each
 * case that runs goes through the real shim, started with the protocol's bootstrap command, on
 * the tools and state file of a fresh simulated Qubes host.
 *
 * <p>Salt cannot run the qvm states here, so the qvm results are qfleet's own; the requisite
 * outcomes follow the rules that the states module's cases check against Salt 3007.0.
 */
class QvmRequisiteCasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    @TestFactory
    Stream<DynamicTest> qvmCasesRunOnSimulatedHost() throws IOException, URISyntaxException {
        Path cases = Path.of(getClass().getResource("/requisite-cases").toURI());
        List<Path> folders;
        try (Stream<Path> list = Files.list(cases)) {
            folders = list.filter(folder -> Files.exists(folder.resolve("case.yaml"))).sorted().toList();
        }
        return folders.stream().map(folder ->
                DynamicTest.dynamicTest(folder.getFileName().toString(), () -> checkCase(folder)));
    }

    @SuppressWarnings("unchecked")
    private void checkCase(Path folder) throws Exception {
        Map<String, Object> expected = new Yaml().load(Files.readString(folder.resolve("case.yaml")));
        List<String> slsNames = List.of((String) expected.get("sls"));
        HighStateCompiler compiler = new HighStateCompiler(new FolderSource(folder));
        if (expected.containsKey("error")) {
            CompileException error = assertThrows(CompileException.class,
                    () -> new StateCatalog().compile(compiler.compile(slsNames)));
            assertEquals(expected.get("error"), error.errors(), "compile errors");
            return;
        }

        boolean test = Boolean.TRUE.equals(expected.get("test"));
        List<LowChunk> chunks = compiler.compile(slsNames);
        Plan plan = new Plan("20261204170000000000", "lab-01", test, new StateCatalog().compile(chunks));
        List<JsonNode> results;
        try (SimulatedFleet fleet = SimulatedFleet.start(work.resolve(folder.getFileName().toString()), 1)) {
            results = SimulatedQubesHost.runShim(fleet, fleet.hosts().get(0), plan.toJson());
        }

        List<Map<String, Object>> run = (List<Map<String, Object>>) expected.get("run");
        assertEquals(run.stream().map(entry -> entry.get("tag")).toList(),
                results.stream().map(line -> line.get("tag").asText()).toList(), "run order");
        for (int i = 0; i < run.size(); i++) {
            Map<String, Object> entry = run.get(i);
            JsonNode actual = results.get(i);
            String tag = (String) entry.get("tag");
            assertEquals(JSON.valueToTree(entry.get("result")), actual.get("result"), tag + " result");
            assertEquals(entry.get("comment"), actual.get("comment").asText(), tag + " comment");
            assertEquals(JSON.valueToTree(entry.getOrDefault("changes", Map.of())), actual.get("changes"),
                    tag + " changes");
        }
    }

    /** SLS files of a case folder, {@code a.b} being {@code a/b.sls}, read as plain YAML. */
    private record FolderSource(Path root) implements SlsSource {

        @Override
        public Map<String, Object> render(String sls) throws StateException {
            try {
                Map<String, Object> data = new Yaml().load(Files.readString(file(sls)));
                return data == null ? Map.of() : data;
            } catch (IOException e) {
                throw new StateException("cannot read SLS " + sls + ": " + e.getMessage());
            }
        }

        @Override
        public boolean exists(String sls) {
            return Files.isRegularFile(file(sls));
        }

        private Path file(String sls) {
            return root.resolve(sls.replace('.', '/') + ".sls");
        }
    }
}
