package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.plan.PlanChunk;

class TestStatesTest {

    private static PlanChunk compile(String fun, Map<String, Object> args) throws CompileException {
        return new StateCatalog().compile(new LowChunk("test", fun, "a", "a", "main", 10000, args, Map.of()));
    }

    @Test
    void succeedWithChangesOutcomes() throws Exception {
        PlanChunk chunk = compile("succeed_with_changes", Map.of("comment", "done"));
        assertEquals(true, chunk.outcome().result());
        assertEquals("done", chunk.outcome().comment());
        assertEquals(TestStates.pretendedChange(), chunk.outcome().changes());
        assertNull(chunk.testOutcome().result());
        assertEquals("If we weren't testing, this would be successful with changes",
                chunk.testOutcome().comment());
        assertTrue(chunk.steps().isEmpty());
    }

    @Test
    void modWatchTakesChunkArguments() throws Exception {
        PlanChunk chunk = compile("succeed_without_changes", Map.of("comment", "custom"));
        assertEquals("custom", chunk.modWatch().comment());
        assertNull(chunk.modWatch().changes());
    }

    @Test
    void failhardArgumentBecomesFlag() throws Exception {
        PlanChunk chunk = compile("fail_without_changes", Map.of("failhard", true));
        assertTrue(chunk.failhard());
        assertEquals("Failure!", chunk.outcome().comment());
    }

    @Test
    void configurableRejectsRandom() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("changes", "Random");
        args.put("colour", "red");
        CompileException error = assertThrows(CompileException.class,
                () -> compile("configurable_test_state", args));
        assertEquals(List.of(
                "test.configurable_test_state state with ID 'a' in SLS 'main': unknown argument"
                        + " 'colour'; valid arguments: changes, comment, result, warnings",
                "test.configurable_test_state state with ID 'a' in SLS 'main': argument 'changes'"
                        + " must be True or False, got: 'Random' (qfleet does not support Random, so"
                        + " that a run can be repeated)"), error.errors());
    }

    @Test
    void unknownTestFunctionIsError() {
        CompileException error = assertThrows(CompileException.class,
                () -> compile("check_pillar", Map.of()));
        assertTrue(error.getMessage().startsWith("Unknown state function 'test.check_pillar'"),
                error.getMessage());
    }
}
