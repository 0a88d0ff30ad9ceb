package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HighstateOutputterTest {

    private static Map<String, Object> state(String id, Object result, String comment, Map<String, Object> changes,
            String startTime, double duration, int runNum) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("__id__", id);
        state.put("__run_num__", runNum);
        state.put("result", result);
        state.put("comment", comment);
        state.put("changes", changes);
        state.put("start_time", startTime);
        state.put("duration", duration);
        return state;
    }

    /** Salt 3007's salt-call printed exactly this for the same four states, with --no-color. */
    @Test
    void layoutMatchesSalt() {
        HostReport report = new HostReport("local");
        report.states.put("test_|-first_|-first_|-configurable_test_state",
                state("first", true, "line one\nline two",
                        Map.of("testing", Map.of("old", "Unchanged", "new", "Something pretended to change")),
                        "16:34:22.296317", 0.328, 0));
        report.states.put("test_|-second-state_|-other-name_|-configurable_test_state",
                state("second-state", true, "ok", Map.of(), "16:34:22.296693", 0.21, 1));
        report.states.put("test_|-third_|-third_|-configurable_test_state",
                state("third", false, "broke", Map.of(), "16:34:22.296938", 0.326, 2));
        report.states.put("test_|-fourth_|-fourth_|-succeed_without_changes",
                state("fourth", false, "One or more requisite failed: demo.third", Map.of(),
                        "16:34:22.297402", 0.001, 3));

        String text = new HighstateOutputter(Colors.NONE).format(report);

        String expected = String.join("\n", List.of(
                "local:",
                "----------",
                "          ID: first",
                "    Function: test.configurable_test_state",
                "      Result: True",
                "     Comment: line one",
                "              line two",
                "     Started: 16:34:22.296317",
                "    Duration: 0.328 ms",
                "     Changes:   ",
                "              ----------",
                "              testing:",
                "                  ----------",
                "                  new:",
                "                      Something pretended to change",
                "                  old:",
                "                      Unchanged",
                "----------",
                "          ID: second-state",
                "    Function: test.configurable_test_state",
                "        Name: other-name",
                "      Result: True",
                "     Comment: ok",
                "     Started: 16:34:22.296693",
                "    Duration: 0.21 ms",
                "     Changes:   ",
                "----------",
                "          ID: third",
                "    Function: test.configurable_test_state",
                "      Result: False",
                "     Comment: broke",
                "     Started: 16:34:22.296938",
                "    Duration: 0.326 ms",
                "     Changes:   ",
                "----------",
                "          ID: fourth",
                "    Function: test.succeed_without_changes",
                "      Result: False",
                "     Comment: One or more requisite failed: demo.third",
                "     Started: 16:34:22.297402",
                "    Duration: 0.001 ms",
                "     Changes:   ",
                "",
                "Summary for local",
                "------------",
                "Succeeded: 2 (changed=1)",
                "Failed:    2",
                "------------",
                "Total states run:     4",
                "Total run time:   0.865 ms"));
        assertEquals(expected, text);
    }

    @Test
    void testModeCountsNoneAsSucceeded() {
        HostReport report = new HostReport("lab-01");
        report.states.put("qvm_|-work_|-work_|-prefs", state("work", null, "Would run: qvm-prefs work label blue",
                Map.of("label", Map.of("old", "red", "new", "blue")), "10:00:00.000001", 12.5, 0));

        String text = new HighstateOutputter(Colors.NONE).format(report);

        assertTrue(text.contains("      Result: None"), text);
        assertTrue(text.contains("Succeeded: 1 (unchanged=1, changed=1)"), text);
        assertTrue(text.contains("Failed:    0"), text);
    }

    @Test
    void unreachableHostPrintsItsError() {
        HostReport report = new HostReport("lab-09");
        report.fail("connecting to 127.0.0.1:1 failed: Connection refused", HostReport.RETCODE_UNREACHABLE);

        String text = new HighstateOutputter(Colors.NONE).format(report);

        assertEquals("lab-09:\n    connecting to 127.0.0.1:1 failed: Connection refused", text);
        assertEquals(ExitCodes.HOSTS_FAILED, FleetRun.exitCode(List.of(report)));
    }

    @Test
    void compileErrorsAreListed() {
        HostReport report = new HostReport("lab-01");
        report.compileErrors = List.of("qvm/sys-whonix.sls:3: Jinja variable 'x' is undefined");

        String text = new HighstateOutputter(Colors.NONE).format(report);

        assertEquals("lab-01:\n    Data failed to compile:\n----------\n"
                + "    qvm/sys-whonix.sls:3: Jinja variable 'x' is undefined", text);
        assertEquals(HostReport.RETCODE_COMPILE_ERROR, report.retcode());
    }

    @Test
    void colouredFailureUsesRed() {
        HostReport report = new HostReport("lab-01");
        report.states.put("qvm_|-a_|-a_|-present", state("a", false, "failed", Map.of(), "10:00:00.1", 1.0, 0));

        String text = new HighstateOutputter(Colors.ANSI).format(report);

        assertTrue(text.startsWith("\033[0;31mlab-01:\033[0;0m"), text);
        assertTrue(text.contains("    \033[0;31m  Result: False\033[0;0m"), text);
    }
}
