package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.qfleet.states.StateException;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.render.SaltYaml;

class StateDocTest {

    private final StateCatalog catalog = new StateCatalog();

    /** Every function the catalog compiles has a documentation file whose example compiles. */
    @TestFactory
    List<DynamicTest> everyFunctionHasCompilingExample() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String function : catalog.functions()) {
            tests.add(DynamicTest.dynamicTest(function, () -> checkDoc(function)));
        }
        return tests;
    }

    private void checkDoc(String function) throws Exception {
        Optional<StateDoc> found = catalog.doc(function);
        if (found.isEmpty()) {
            fail("no documentation file for " + function + "; write states/src/main/resources/"
                    + "org/qfleet/states/catalog/" + StateDoc.resourceName(function));
        }
        StateDoc doc = found.get();
        assertEquals(function, doc.function());
        assertFalse(doc.arguments().isEmpty(), function + " lists no argument");
        assertTrue(doc.summary().endsWith("."), function + " summary is not one sentence: " + doc.summary());

        List<PlanChunk> chunks = compileExample(doc.example(), function);
        boolean usesFunction = chunks.stream()
                .anyMatch(chunk -> (chunk.state() + "." + chunk.fun()).equals(function));
        assertTrue(usesFunction, "the example of " + function + " does not use it:\n" + doc.example());
    }

    /** Parses the example as Salt's YAML renderer does, then compiles it as a run would. */
    private List<PlanChunk> compileExample(String example, String function) throws Exception {
        Object high = SaltYaml.load(example, Path.of(StateDoc.resourceName(function)));
        if (!(high instanceof Map<?, ?>)) {
            fail("the example of " + function + " is not a mapping of state IDs: " + example);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> highData = (Map<String, Object>) high;
        SlsSource source = new SlsSource() {
            @Override
            public Map<String, Object> render(String sls) throws StateException {
                return highData;
            }

            @Override
            public boolean exists(String sls) {
                return sls.equals("example");
            }
        };
        List<LowChunk> low = new HighStateCompiler(source).compile(List.of("example"));
        return catalog.compile(low);
    }

    @Test
    void prefsDocListsItsParts() {
        StateDoc doc = catalog.doc("qvm.prefs").orElseThrow();
        assertEquals("name", doc.arguments().get(0).name());
        assertTrue(doc.forms().contains("default-dispvm"), doc.forms());
        assertTrue(doc.testMode().contains("Would run:"), doc.testMode());
        assertTrue(doc.example().startsWith("work-web:"), doc.example());
    }

    @Test
    void argumentDefaultIsOptional() {
        StateDoc doc = catalog.doc("qvm.present").orElseThrow();
        StateDoc.Argument label = doc.arguments().stream()
                .filter(argument -> argument.name().equals("label")).findFirst().orElseThrow();
        StateDoc.Argument qubeClass = doc.arguments().stream()
                .filter(argument -> argument.name().equals("class")).findFirst().orElseThrow();
        assertNull(label.defaultValue());
        assertEquals("AppVM", qubeClass.defaultValue());
    }

    @Test
    void unknownFunctionHasNoDoc() {
        assertTrue(catalog.doc("qvm.nonexistent").isEmpty());
    }

    @Test
    void unknownKeyNamesFileAndKey() {
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> StateDoc.parse("qvm.x", "summary: S.\nexampel: x\n", "doc/qvm.x.yaml"));
        assertEquals("doc/qvm.x.yaml: unknown key 'exampel'; valid keys: arguments, example, forms,"
                + " summary, test_mode", error.getMessage());
    }

    @Test
    void missingTextNamesArgument() {
        String text = """
                summary: S.
                arguments:
                  - name: label
                    type: label
                forms: f
                test_mode: t
                example: e
                """;
        IllegalStateException error = assertThrows(IllegalStateException.class,
                () -> StateDoc.parse("qvm.x", text, "doc/qvm.x.yaml"));
        assertEquals("doc/qvm.x.yaml, argument 'label': 'text' must be non-empty text, got: null",
                error.getMessage());
    }
}
