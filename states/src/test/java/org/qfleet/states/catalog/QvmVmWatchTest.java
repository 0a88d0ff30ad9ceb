package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.plan.Plan;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Step;

/** Compile output of qvm.vm's actions and of the qvm states' mod_watch. */
class QvmVmWatchTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void vmRunsPowerActionsInDefaultOrder() throws Exception {
        List<Step> steps = OneSls.compileAll("""
                work:
                  qvm.vm:
                    - start: []
                    - prefs:
                      - memory: 600
                    - shutdown:
                      - flags: [force]
                    - clone:
                      - source: fedora-42
                """).get(0).steps();

        List<String> groups = steps.stream().map(Step::group).distinct().toList();
        assertEquals(List.of("qvm.clone", "qvm.prefs", "qvm.shutdown", "qvm.start"), groups);
        assertTrue(steps.stream().noneMatch(Step::ignoreFailure));
    }

    @Test
    void vmPassEntryMarksOnlyThatAction() throws Exception {
        List<Step> steps = OneSls.compileAll("""
                work:
                  qvm.vm:
                    - actions:
                      - {pause: pass}
                      - prefs
                      - {start: fail}
                    - pause: []
                    - prefs:
                      - label: green
                    - start: []
                """).get(0).steps();

        List<String> groups = steps.stream().map(Step::group).distinct().toList();
        assertEquals(List.of("qvm.pause", "qvm.prefs", "qvm.start"), groups);
        for (Step step : steps) {
            assertEquals(step.group().equals("qvm.pause"), step.ignoreFailure(), step.toString());
        }
    }

    @Test
    void vmInvalidActionModeIsError() {
        CompileException error = assertThrows(CompileException.class, () -> OneSls.compileAll("""
                work:
                  qvm.vm:
                    - actions:
                      - {start: maybe}
                    - start: []
                """));
        assertEquals("qvm.vm state with ID 'work' in SLS 'main': entry {'start': 'maybe'} of 'actions'"
                + " has the mode 'maybe'; valid modes: pass (a failure of the action does not fail"
                + " the state) and fail", error.getMessage());
    }

    @Test
    void qvmChunkRestartsRunningQubeOnWatch() throws Exception {
        List<PlanChunk> chunks = OneSls.compileAll("""
                sys-net-prefs:
                  qvm.prefs:
                    - name: sys-net
                    - memory: 500
                sys-net:
                  qvm.vm:
                    - features:
                      - enable: [servicevm]
                    - watch:
                      - qvm: sys-net-prefs
                """);

        PlanChunk vm = chunks.get(1);
        assertEquals(List.of("qvm_|-sys-net-prefs_|-sys-net_|-prefs"), vm.requisites().get("watch"));
        assertNull(vm.requisites().get("require"));
        Step restart = vm.modWatchSteps().steps().get(0);
        assertEquals(List.of("qvm-check", "--quiet", "--running", "sys-net"), restart.probe().argv());
        assertEquals(List.of(List.of("qvm-shutdown", "--wait", "--force", "sys-net"),
                List.of("qvm-start", "sys-net")), restart.change());
        assertFalse(restart.verify());
        assertEquals("Qube sys-net is not running, so it was not restarted",
                vm.modWatchSteps().commentOk());
    }

    @Test
    void modWatchStepsAreWrittenToPlan() throws Exception {
        List<PlanChunk> chunks = OneSls.compileAll("""
                work:
                  qvm.prefs:
                    - memory: 500
                """);

        JsonNode chunk = JSON.readTree(new Plan("1", "lab-01", false, chunks).toJson())
                .get("chunks").get(0);
        JsonNode step = chunk.get("mod_watch").get("steps").get(0);
        assertEquals(false, step.get("verify").asBoolean());
        assertEquals("restarted", step.get("report").asText());
        assertEquals("Qube work is not running, so it was not restarted",
                chunk.get("mod_watch").get("comment_ok").asText());
        assertFalse(chunk.get("steps").get(0).has("verify"));
    }

    @Test
    void dom0ChunkHasFixedModWatch() throws Exception {
        PlanChunk chunk = OneSls.compileAll("dom0:\n  qvm.features:\n    - enable: [gui-default-x]\n").get(0);

        assertNull(chunk.modWatchSteps());
        assertEquals("dom0 is not restarted when a watched state changes", chunk.modWatch().comment());
    }

    @Test
    void listenOnQvmStateAddsRestartListener() throws Exception {
        List<PlanChunk> chunks = OneSls.compileAll("""
                work-label:
                  qvm.prefs:
                    - name: work
                    - label: green
                work-net:
                  qvm.prefs:
                    - name: work
                    - netvm: sys-firewall
                    - listen:
                      - qvm: work-label
                """);

        PlanChunk listener = chunks.get(chunks.size() - 1);
        assertEquals("qvm_|-listener_work-net_|-work_|-mod_watch", listener.tag());
        assertEquals(List.of(List.of("qvm-shutdown", "--wait", "--force", "work"),
                List.of("qvm-start", "work")), listener.steps().get(0).change());
        assertEquals("Qube work is not running, so it was not restarted", listener.commentOk());
    }
}
