package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The state_output modes and state_verbose against the text Salt 3007's salt-call printed for
 * the same four states (changed, succeeded with another name, failed, failed requisite), with
 * Salt's start times and durations replaced by the ones below.
 */
class HighstateModesTest {

    private static final String SUMMARY = String.join("\n",
            "",
            "Summary for local",
            "------------",
            "Succeeded: 2 (changed=1)",
            "Failed:    2",
            "------------",
            "Total states run:     4",
            "Total run time:   0.865 ms");

    private static final String FIRST_FULL = String.join("\n",
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
            "                      Unchanged");

    private static final String THIRD_AND_FOURTH_FULL = String.join("\n",
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
            "     Changes:   ");

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

    private static HostReport demo() {
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
        return report;
    }

    private static String format(HighstateOutputter.Mode mode, boolean verbose) {
        return new HighstateOutputter(Colors.NONE, mode, verbose).format(demo());
    }

    @Test
    void terseMatchesSalt() {
        String expected = String.join("\n",
                "local:",
                "  Name: first - Function: test.configurable_test_state - Result: Changed"
                        + " - Started: 16:34:22.296317 - Duration: 0.328 ms",
                "  Name: other-name - Function: test.configurable_test_state - Result: Clean"
                        + " - Started: 16:34:22.296693 - Duration: 0.21 ms",
                "  Name: third - Function: test.configurable_test_state - Result: Failed"
                        + " - Started: 16:34:22.296938 - Duration: 0.326 ms",
                "  Name: fourth - Function: test.succeed_without_changes - Result: Failed"
                        + " - Started: 16:34:22.297402 - Duration: 0.001 ms") + "\n" + SUMMARY;

        assertEquals(expected, format(HighstateOutputter.Mode.TERSE, true));
    }

    @Test
    void mixedShowsFailuresInFull() {
        String expected = String.join("\n",
                "local:",
                "  Name: first - Function: test.configurable_test_state - Result: Changed"
                        + " - Started: 16:34:22.296317 - Duration: 0.328 ms",
                "  Name: other-name - Function: test.configurable_test_state - Result: Clean"
                        + " - Started: 16:34:22.296693 - Duration: 0.21 ms",
                THIRD_AND_FOURTH_FULL) + "\n" + SUMMARY;

        assertEquals(expected, format(HighstateOutputter.Mode.MIXED, true));
    }

    @Test
    void changesShowsCleanStatesTerse() {
        String expected = String.join("\n",
                "local:",
                FIRST_FULL,
                "  Name: other-name - Function: test.configurable_test_state - Result: Clean"
                        + " - Started: 16:34:22.296693 - Duration: 0.21 ms",
                THIRD_AND_FOURTH_FULL) + "\n" + SUMMARY;

        assertEquals(expected, format(HighstateOutputter.Mode.CHANGES, true));
    }

    @Test
    void changesIdShowsTheStateId() {
        String text = format(HighstateOutputter.Mode.CHANGES_ID, true);

        assertEquals(true, text.contains("\n  Name: second-state - Function: test.configurable_test_state"
                + " - Result: Clean - Started: 16:34:22.296693 - Duration: 0.21 ms\n"), text);
    }

    @Test
    void fullIdDropsTheNameLine() {
        String expected = String.join("\n",
                "local:",
                FIRST_FULL,
                "----------",
                "          ID: second-state",
                "    Function: test.configurable_test_state",
                "      Result: True",
                "     Comment: ok",
                "     Started: 16:34:22.296693",
                "    Duration: 0.21 ms",
                "     Changes:   ",
                THIRD_AND_FOURTH_FULL) + "\n" + SUMMARY;

        assertEquals(expected, format(HighstateOutputter.Mode.FULL_ID, true));
    }

    @Test
    void notVerboseHidesCleanStates() {
        String expected = String.join("\n", "local:", FIRST_FULL, THIRD_AND_FOURTH_FULL) + "\n" + SUMMARY;

        assertEquals(expected, format(HighstateOutputter.Mode.FULL, false));
    }

    @Test
    void terseIdNotVerbose() {
        String expected = String.join("\n",
                "local:",
                "  Name: first - Function: test.configurable_test_state - Result: Changed"
                        + " - Started: 16:34:22.296317 - Duration: 0.328 ms",
                "  Name: third - Function: test.configurable_test_state - Result: Failed"
                        + " - Started: 16:34:22.296938 - Duration: 0.326 ms",
                "  Name: fourth - Function: test.succeed_without_changes - Result: Failed"
                        + " - Started: 16:34:22.297402 - Duration: 0.001 ms") + "\n" + SUMMARY;

        assertEquals(expected, format(HighstateOutputter.Mode.TERSE_ID, false));
    }

    /** Salt 3007 printed these colour codes for the same states with --state-output=mixed --force-color. */
    @Test
    void mixedColoursMatchSalt() {
        String green = "\033[0;32m";
        String cyan = "\033[0;36m";
        String red = "\033[0;31m";
        String end = "\033[0;0m";

        String text = new HighstateOutputter(Colors.ANSI, HighstateOutputter.Mode.MIXED, true).format(demo());
        List<String> lines = text.lines().toList();

        assertEquals(red + "local:" + end, lines.get(0));
        assertEquals(" " + cyan + " Name: first - Function: test.configurable_test_state - Result: Changed"
                + " - Started: 16:34:22.296317 - Duration: 0.328 ms" + end, lines.get(1));
        assertEquals(" " + green + " Name: other-name - Function: test.configurable_test_state - Result: Clean"
                + " - Started: 16:34:22.296693 - Duration: 0.21 ms" + end, lines.get(2));
        assertEquals(red + "----------" + end, lines.get(3));
        assertEquals("    " + red + "      ID: third" + end, lines.get(4));
        assertEquals(red + "     Changes:   " + end, lines.get(10));
        assertEquals(green + "Succeeded: 2" + end + " (" + green + "changed=1" + end + ")",
                lines.get(lines.size() - 5));
        assertEquals(red + "Failed:    2" + end, lines.get(lines.size() - 4));
    }

    @Test
    void testModeStateIsDiffersAndYellow() {
        HostReport report = new HostReport("lab-01");
        report.states.put("qvm_|-work_|-work_|-prefs", state("work", null, "Would run: qvm-prefs work label blue",
                Map.of("label", Map.of("old", "red", "new", "blue")), "10:00:00.000001", 12.5, 0));

        String text = new HighstateOutputter(Colors.ANSI, HighstateOutputter.Mode.TERSE, true).format(report);

        assertEquals("\033[1;33mlab-01:\033[0;0m", text.lines().findFirst().orElseThrow());
        assertEquals(" \033[1;33m Name: work - Function: qvm.prefs - Result: Differs - Started: 10:00:00.000001"
                + " - Duration: 12.5 ms\033[0;0m", text.lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void modeParsingRejectsUnknownValues() {
        assertEquals(HighstateOutputter.Mode.MIXED_ID, HighstateOutputter.Mode.parse("mixed_id"));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> HighstateOutputter.Mode.parse("filter"));
        assertEquals(true, error.getMessage().contains("'filter'"), error.getMessage());
    }
}
