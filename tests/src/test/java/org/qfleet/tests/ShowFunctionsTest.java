package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The output of the show functions, from the real qfleet command against a simulated fleet of
 * three hosts: lab-01 renders, lab-02 does not (its SLS renders to invalid YAML) and lab-03
 * rejects the login. The fleet summary of a show function counts hosts but not states, because
 * no state runs.
 */
class ShowFunctionsTest {

    @TempDir
    static Path work;

    private static FaultFleet fleet;
    private static Path formulas;

    @BeforeAll
    static void startFleet() throws IOException {
        fleet = FaultFleet.start(work, 3, "lab-03:auth-refused");
        formulas = work.resolve("formulas");
        Files.createDirectories(formulas.resolve("qvm"));
        Files.writeString(formulas.resolve("top.sls"), "base:\n  '*':\n    - qvm.work\n");
        Files.writeString(formulas.resolve("qvm/work.sls"), """
                {% if grains['id'] == 'lab-02' %}
                shown-qube: [unclosed
                {% else %}
                shown-qube:
                  qvm.present:
                    - template: debian-12-xfce
                    - label: blue
                {% endif %}
                """);
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static QfleetProcess.Outcome qfleet(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("-c", fleet.config.toString(), "--file-root",
                formulas.toString()));
        command.addAll(List.of(args));
        return QfleetProcess.run(work, command.toArray(String[]::new));
    }

    private static String text(QfleetProcess.Outcome outcome) {
        return "exit " + outcome.exitCode() + "\nstdout:\n" + outcome.stdout() + "\nstderr:\n" + outcome.stderr();
    }

    /** Returns a summary row as FleetSummary prints it: the label padded to 20, the count to 10. */
    private static String row(String label, int count) {
        return "\n" + String.format(Locale.ROOT, "%-20s%10d", label, count) + "\n";
    }

    /** Returns the fleet summary: the text from its heading to the end. */
    private static String summary(QfleetProcess.Outcome outcome) {
        int start = outcome.stdout().lastIndexOf("\nFleet summary\n");
        assertTrue(start >= 0, "no fleet summary in:\n" + text(outcome));
        return outcome.stdout().substring(start);
    }

    private static void assertHostCountsWithoutStates(QfleetProcess.Outcome outcome) {
        String summary = summary(outcome);
        assertEquals(20, outcome.exitCode(), text(outcome));
        assertTrue(summary.contains(row("Hosts succeeded:", 1)), text(outcome));
        assertTrue(summary.contains(row("Hosts failed:", 1)), text(outcome));
        assertTrue(summary.contains(row("Hosts unreachable:", 1)), text(outcome));
        assertTrue(summary.contains("\nElapsed:"), text(outcome));
        assertFalse(summary.contains("States changed"), text(outcome));
    }

    @Test
    void showLowstateSummaryCountsHostsOnly() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("*", "state.show_lowstate");

        assertHostCountsWithoutStates(outcome);
        assertTrue(outcome.stdout().contains("lab-01:\n    |_\n"), text(outcome));
        assertTrue(outcome.stdout().contains("debian-12-xfce"), text(outcome));
        assertTrue(outcome.stdout().contains("lab-02:\n    Data failed to compile:"), text(outcome));
        assertTrue(outcome.stdout().contains("invalid YAML"), text(outcome));
        assertTrue(outcome.stdout().contains("lab-03:"), text(outcome));
    }

    @Test
    void showSlsSummaryCountsHostsOnly() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("*", "state.show_sls", "qvm.work");

        assertHostCountsWithoutStates(outcome);
        assertTrue(outcome.stdout().contains("debian-12-xfce"), text(outcome));
    }

    @Test
    void showTopSummaryCountsHostsOnly() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("*", "state.show_top");
        String summary = summary(outcome);

        // The top file renders on lab-02 too, because only qvm/work.sls is invalid there.
        assertEquals(20, outcome.exitCode(), text(outcome));
        assertTrue(summary.contains(row("Hosts succeeded:", 2)), text(outcome));
        assertTrue(summary.contains(row("Hosts failed:", 0)), text(outcome));
        assertTrue(summary.contains(row("Hosts unreachable:", 1)), text(outcome));
        assertFalse(summary.contains("States changed"), text(outcome));
        assertTrue(outcome.stdout().contains("- qvm.work"), text(outcome));
    }

    @Test
    void stateApplySummaryCountsStates() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("lab-01", "state.apply", "test=True");
        String summary = summary(outcome);

        assertEquals(0, outcome.exitCode(), text(outcome));
        assertTrue(summary.contains(row("Hosts succeeded:", 1)), text(outcome));
        assertTrue(summary.contains(row("States changed:", 1)), text(outcome));
    }

    @Test
    void showLowstateJsonIsOneDocument() throws Exception {
        FaultFleet.Run run = fleet.runJson("--file-root", formulas.toString(), "*", "state.show_lowstate");
        JsonNode document = run.document();

        assertEquals(20, run.outcome().exitCode(), run.text());
        assertNotNull(document, run.text());
        assertFalse(run.outcome().stdout().contains("Fleet summary"), run.text());
        assertEquals(0, run.host("lab-01").path("retcode").asInt(), run.text());
        assertEquals("shown-qube", run.host("lab-01").path("return").path(0).path("__id__").asText(), run.text());
        assertEquals(1, run.host("lab-02").path("retcode").asInt(), run.text());
        assertEquals(254, run.host("lab-03").path("retcode").asInt(), run.text());
    }

    @Test
    void showLowstateYamlIsOneDocument() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("--out", "yaml", "*", "state.show_lowstate");

        assertEquals(20, outcome.exitCode(), text(outcome));
        assertFalse(outcome.stdout().contains("Fleet summary"), text(outcome));
        Object loaded = new Yaml().load(outcome.stdout());
        assertTrue(loaded instanceof Map<?, ?>, text(outcome));
        Map<?, ?> document = (Map<?, ?>) loaded;
        assertEquals(List.of("lab-01", "lab-02", "lab-03"), document.keySet().stream().sorted().toList(),
                text(outcome));
        assertEquals(0, ((Map<?, ?>) document.get("lab-01")).get("retcode"), text(outcome));
        assertEquals(1, ((Map<?, ?>) document.get("lab-02")).get("retcode"), text(outcome));
        assertEquals(254, ((Map<?, ?>) document.get("lab-03")).get("retcode"), text(outcome));
    }
}
