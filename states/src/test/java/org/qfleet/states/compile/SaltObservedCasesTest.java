package org.qfleet.states.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Compiles each case folder under {@code compile/} and compares with what Salt 3006 printed for
 * the same files ({@code expected.json}): the execution order, and each chunk's ID, name, SLS,
 * function, order and arguments.
 */
class SaltObservedCasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> compiledChunksMatchSalt() throws IOException, URISyntaxException {
        Path cases = Path.of(getClass().getResource("/compile").toURI());
        List<Path> folders;
        try (Stream<Path> list = Files.list(cases)) {
            folders = list.filter(folder -> Files.exists(folder.resolve("expected.json"))).sorted().toList();
        }
        return folders.stream().map(folder ->
                DynamicTest.dynamicTest(folder.getFileName().toString(), () -> checkCase(folder)));
    }

    private static void checkCase(Path folder) throws Exception {
        JsonNode expected = JSON.readTree(folder.resolve("expected.json").toFile());
        List<String> slsNames = List.of(Files.readString(folder.resolve("sls.txt")).strip().split("\\s+"));

        List<LowChunk> chunks = new HighStateCompiler(YamlSlsSource.directory(folder)).compile(slsNames);

        List<String> runOrder = new ArrayList<>();
        expected.get("run_order").forEach(tag -> runOrder.add(tag.asText()));
        assertEquals(runOrder, chunks.stream().map(LowChunk::tag).toList(), "execution order");

        boolean compareArguments = !expected.has("compare_arguments")
                || expected.get("compare_arguments").asBoolean();
        Map<String, LowChunk> byTag = new LinkedHashMap<>();
        chunks.forEach(chunk -> byTag.put(chunk.tag(), chunk));
        for (JsonNode low : expected.get("lowstate")) {
            String tag = low.get("state").asText() + "_|-" + low.get("__id__").asText() + "_|-"
                    + low.get("name").asText() + "_|-" + low.get("fun").asText();
            LowChunk chunk = byTag.get(tag);
            assertEquals(low.get("__sls__").asText(), chunk.sls(), tag + " sls");
            assertEquals((int) Math.floor(low.get("order").asDouble()), chunk.order(), tag + " order");
            if (compareArguments) {
                assertEquals(saltArguments(low), JSON.valueToTree(chunk.args()), tag + " arguments");
                // Salt adds the arguments of one entry of 'names' after 'order'; LowChunk keeps
                // no trace of which arguments came from the entry, so those chunks are skipped.
                boolean fromNames = low.get("order").asDouble() != Math.floor(low.get("order").asDouble());
                if (!fromNames) {
                    assertEquals(keysWithoutRequisites(low),
                            keysWithoutRequisites(JSON.valueToTree(chunk.toSaltLowstate())), tag + " lowstate keys");
                }
            }
        }
        if (expected.has("run_comments")) {
            // test.succeed_without_changes returns its 'comment' argument, else "Success!".
            expected.get("run_comments").fields().forEachRemaining(comment -> {
                Object argument = byTag.get(comment.getKey()).args().get("comment");
                String text = comment.getValue().asText();
                assertEquals(text.equals("Success!") ? null : text, argument, comment.getKey() + " comment");
            });
        }
    }

    private static List<String> keysWithoutRequisites(JsonNode low) {
        List<String> keys = new ArrayList<>();
        low.fieldNames().forEachRemaining(key -> {
            if (!List.of("require", "require_in").contains(key)) {
                keys.add(key);
            }
        });
        return keys;
    }

    /** Returns the lowstate entries that are arguments in {@link LowChunk#args()}. */
    private static JsonNode saltArguments(JsonNode low) {
        var arguments = JSON.createObjectNode();
        low.fields().forEachRemaining(field -> {
            boolean bookkeeping = List.of("state", "name", "__sls__", "__env__", "__id__", "order",
                    "fun", "require", "require_in").contains(field.getKey());
            if (!bookkeeping) {
                arguments.set(field.getKey(), field.getValue());
            }
        });
        return arguments;
    }
}
