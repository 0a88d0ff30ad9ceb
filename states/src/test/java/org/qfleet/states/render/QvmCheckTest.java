package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Answers {@code salt['qvm.check']} from the facts: the qubes that exist and their qvm-ls state. */
class QvmCheckTest {

    private static RenderContext context() {
        Map<String, Object> grains = Fixtures.grains("lab-07");
        grains.put("qubes", Data.map("vms", Data.map(
                "sys-net", Data.map("name", "sys-net", "state", "Running"),
                "work", Data.map("name", "work", "state", "Halted"),
                "disp1", Data.map("name", "disp1", "state", "Paused"))));
        return new RenderContext("lab-07", grains, Map.of(), Fixtures.host("sys-net", "work", "disp1"), "base");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "sys-net, exists, True",
        "sys-net, missing, False",
        "nothere, missing, True",
        "sys-net, running, True",
        "sys-net, halted, False",
        "work, running, False",
        "work, halted, True",
        "disp1, running, False",
        "disp1, halted, False",
        "nothere, running, False",
        "nothere, halted, True",
    })
    void checkPassesFromFacts(String qube, String check, String passed, @TempDir Path root) throws Exception {
        Files.writeString(root.resolve("check.sls"),
                "a: {{ salt['qvm.check']('" + qube + "', '" + check + "').passed() }}\n"
                        + "b: {{ salt.qvm.check('" + qube + "', '" + check + "').passed() }}\n");
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));

        Map<String, Object> rendered = renderer.renderSls("check", context());

        assertEquals(Boolean.valueOf(passed), rendered.get("a"));
        assertEquals(Boolean.valueOf(passed), rendered.get("b"));
    }

    @Test
    void stateMissingFromFactsFails(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("check.sls"), "a: {{ salt['qvm.check']('sys-net', 'running').passed() }}\n");
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));
        RenderContext noStates = new RenderContext("lab-07", Fixtures.grains("lab-07"), Map.of(),
                Fixtures.host("sys-net"), "base");

        RenderException error = assertThrows(RenderException.class, () -> renderer.renderSls("check", noStates));

        assertEquals("salt['qvm.check']('sys-net', ...): the facts of this host have no power state for qube"
                + " 'sys-net' (grain qubes:vms:sys-net:state is missing)", error.getMessage().lines().findFirst().orElseThrow());
    }

    @Test
    void unknownCheckIsNamed(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("check.sls"), "a: {{ salt['qvm.check']('sys-net', 'paused').passed() }}\n");
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));

        RenderException error = assertThrows(RenderException.class, () -> renderer.renderSls("check", context()));

        assertEquals("salt['qvm.check']('sys-net', 'paused'): unsupported check 'paused'; qfleet supports"
                + " 'exists', 'missing', 'running' and 'halted'", error.getMessage().lines().findFirst().orElseThrow());
    }
}
