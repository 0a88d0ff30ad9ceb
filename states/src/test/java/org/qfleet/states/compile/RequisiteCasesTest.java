package org.qfleet.states.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.qfleet.states.catalog.StateCatalog;
import org.qfleet.states.plan.Plan;
import org.yaml.snakeyaml.Yaml;

/**
 * Runs each case folder under {@code compile/cases/}: the SLS files of the folder are compiled,
 * and {@code case.yaml} gives the SLS names to apply ({@code sls}, comma-separated), test mode
 * and global failhard ({@code test}, {@code failhard}) and the expected outcome. Either {@code error}, the compile errors, or
 * {@code lowstate} (optional), the tags in {@code state.show_lowstate} order, and {@code run}, each result
 * in run order with its result, comment and changes. Cases that run go through the real shim
 * in {@code python3}, started with the protocol's bootstrap command.
 *
 * <p>The expectations were taken from Salt 3007.0 running the same files with
 * {@code salt-call --local}; {@code salt}, when present, is the compile error Salt printed. A
 * case with a {@code note} explains where and why qfleet differs. The {@code __run_num__} values are
 * not compared: Salt skips one for each prereq test run, and qfleet numbers the results it
 * writes without gaps.
 */
class RequisiteCasesTest {

    /** The exec command of the shim protocol, as docs/plan-format.md gives it. */
    static final String BOOTSTRAP = "python3 -I -S -c 'import sys;n=int(sys.stdin.buffer.readline());"
            + "exec(compile(sys.stdin.buffer.read(n),\"qfleet_shim.py\",\"exec\"))'";
    static final Path SHIM = Path.of("../shim/src/main/resources/org/qfleet/shim/qfleet_shim.py");
    private static final long SHIM_TIMEOUT_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> casesMatchSalt() throws IOException, URISyntaxException {
        Path cases = Path.of(getClass().getResource("/compile/cases").toURI());
        List<Path> folders;
        try (Stream<Path> list = Files.list(cases)) {
            folders = list.filter(folder -> Files.exists(folder.resolve("case.yaml"))).sorted().toList();
        }
        assertTrue(folders.size() >= Integer.getInteger("cases.minimum", 60), "expected at least 60 cases, found " + folders.size());
        return folders.stream().map(folder ->
                DynamicTest.dynamicTest(folder.getFileName().toString(), () -> checkCase(folder)));
    }

    @SuppressWarnings("unchecked")
    private static void checkCase(Path folder) throws Exception {
        Map<String, Object> expected = new Yaml().load(Files.readString(folder.resolve("case.yaml")));
        List<String> slsNames = List.of(((String) expected.get("sls")).split(","));
        HighStateCompiler compiler = new HighStateCompiler(YamlSlsSource.directory(folder));

        if (expected.containsKey("error")) {
            CompileException error = assertThrows(CompileException.class,
                    () -> new StateCatalog().compile(compiler.compile(slsNames)));
            assertEquals(expected.get("error"), error.errors(), "compile errors");
            return;
        }

        if (expected.containsKey("lowstate")) {
            List<String> lowstate = compiler.compileSorted(slsNames).stream().map(LowChunk::tag).toList();
            assertEquals(expected.get("lowstate"), lowstate, "show_lowstate order");
        }
        if (!expected.containsKey("run")) {
            return;
        }

        boolean test = Boolean.TRUE.equals(expected.get("test"));
        boolean failhard = Boolean.TRUE.equals(expected.get("failhard"));
        Plan plan = new Plan("20261204170000000000", "case", test, failhard,
                new StateCatalog().compile(compiler.compile(slsNames)));
        List<JsonNode> results = runShim(plan.toJson());

        List<Map<String, Object>> run = (List<Map<String, Object>>) expected.get("run");
        List<String> expectedOrder = run.stream().map(entry -> (String) entry.get("tag")).toList();
        assertEquals(expectedOrder, results.stream().map(line -> line.get("tag").asText()).toList(),
                "run order");
        for (int i = 0; i < run.size(); i++) {
            Map<String, Object> entry = run.get(i);
            JsonNode actual = results.get(i);
            String tag = (String) entry.get("tag");
            assertEquals(JSON.valueToTree(entry.get("result")), actual.get("result"), tag + " result");
            assertEquals(entry.get("comment"), actual.get("comment").asText(), tag + " comment");
            assertEquals(JSON.valueToTree(entry.getOrDefault("changes", Map.of())),
                    actual.get("changes"), tag + " changes");
            if (entry.containsKey("warnings")) {
                assertEquals(JSON.valueToTree(entry.get("warnings")), actual.get("warnings"),
                        tag + " warnings");
            }
        }
    }

    /** Runs the shim on a plan request and returns its result lines, checking its done line. */
    static List<JsonNode> runShim(byte[] request) throws IOException, InterruptedException {
        byte[] source = Files.readAllBytes(SHIM);
        Process process = new ProcessBuilder("/bin/sh", "-c", BOOTSTRAP).start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write((source.length + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.write(source);
            stdin.write(request);
        }
        byte[] stdout = process.getInputStream().readAllBytes();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(SHIM_TIMEOUT_SECONDS, TimeUnit.SECONDS), "shim timed out");
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
        assertEquals(results.size(), done.get("chunks").asInt(), "chunks counted in the done line");
        return results;
    }
}
