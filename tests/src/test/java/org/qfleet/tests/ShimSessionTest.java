package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One shim process per host and run: the facts, a render-time shell command and the plan all
 * go to the same {@code python3} over one exec channel.
 */
class ShimSessionTest {

    @TempDir
    Path work;

    @Test
    void factsQueryAndPlanShareOneExec() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 2)) {
            Path formulas = FaultFleet.oneSlsTree(work.resolve("formulas"), "label",
                    "{% set colour = salt['cmd.shell']('echo purple') %}\n"
                            + "work:\n  qvm.prefs:\n    - label: {{ colour }}\n");

            FaultFleet.Run run = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply");

            assertEquals(0, run.outcome().exitCode(), run.text());
            for (String id : new String[] {"lab-01", "lab-02"}) {
                JsonNode state = run.host(id).path("return").path("qvm_|-work_|-work_|-prefs");
                assertTrue(state.isObject(), run.text());
                assertEquals("purple", state.path("changes").path("label").path("new").asText(), run.text());
            }
            assertEquals(Map.of("lab-01", 1, "lab-02", 1), fleet.shimExecs(), run.text());
        }
    }

    @Test
    void rerunOnConvergedHostStillUsesOneExec() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1)) {
            Path formulas = FaultFleet.oneSlsTree(work.resolve("formulas"), "label",
                    "work:\n  qvm.prefs:\n    - label: orange\n");

            FaultFleet.Run first = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply");
            FaultFleet.Run second = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply");

            assertEquals(0, first.outcome().exitCode(), first.text());
            assertEquals(0, second.outcome().exitCode(), second.text());
            JsonNode state = second.host("lab-01").path("return").path("qvm_|-work_|-work_|-prefs");
            assertTrue(state.path("result").asBoolean(), second.text());
            assertEquals(0, state.path("changes").size(), second.text());
            assertEquals(Map.of("lab-01", 2), fleet.shimExecs(), "one exec per run: " + second.text());
        }
    }
}
