package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;
import org.qfleet.simulator.SimulatedHost;

/** The Whonix example applied by the real qfleet command to a simulated fleet of three hosts. */
class WhonixFleetTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> HOSTS = List.of("lab-01", "lab-02", "lab-03");

    @TempDir
    Path work;

    private SimulatedFleet fleet;

    @BeforeEach
    void startFleet() throws Exception {
        fleet = SimulatedFleet.start(work.resolve("sim"), 3);
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private QfleetProcess.Outcome apply(String formulas, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "-c", fleet.configFile().toString(), "--file-root", formulas, "*", "state.apply"));
        args.addAll(List.of(extra));
        return QfleetProcess.run(work, args.toArray(String[]::new));
    }

    private static String whonixFormulas() {
        return QfleetProcess.repositoryRoot().resolve("examples/whonix").toString();
    }

    private Map<String, JsonNode> snapshot() throws Exception {
        Map<String, JsonNode> states = new HashMap<>();
        for (SimulatedHost host : fleet.hosts()) {
            states.put(host.id(), JSON.readTree(host.showJson()));
        }
        return states;
    }

    @Test
    void firstApplyCreatesWhonixOnEveryHost() throws Exception {
        QfleetProcess.Outcome outcome = apply(whonixFormulas());

        assertEquals(0, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        Map<String, HighstateReport.HostSection> report = HighstateReport.parse(outcome.stdout());
        assertEquals(HOSTS, report.keySet().stream().sorted().toList(), outcome.stdout());
        for (HighstateReport.HostSection host : report.values()) {
            assertTrue(host.summary().contains("Failed:    0"), host.text());
            HighstateReport.StateBlock sysWhonix = host.state("sys-whonix");
            assertEquals("True", sysWhonix.result(), host.text());
            assertTrue(sysWhonix.changes().contains("netvm"), host.text());
            assertEquals("True", host.state("template-whonix-gateway").result(), host.text());
            assertTrue(host.state("template-whonix-gateway").changes().length() > 0, host.text());
        }
        for (JsonNode state : snapshot().values()) {
            JsonNode sysWhonix = state.path("vms").path("sys-whonix");
            assertEquals("AppVM", sysWhonix.path("class").asText());
            assertEquals("black", sysWhonix.path("label").asText());
            assertEquals("sys-firewall", sysWhonix.path("properties").path("netvm").asText());
            assertEquals("True", sysWhonix.path("properties").path("provides_network").asText());
            assertEquals("True", sysWhonix.path("properties").path("autostart").asText());
            assertEquals("whonix-gateway-17", sysWhonix.path("properties").path("template").asText());
            assertEquals("1", sysWhonix.path("features").path("servicevm").asText());
            JsonNode anonWhonix = state.path("vms").path("anon-whonix");
            assertEquals("sys-whonix", anonWhonix.path("properties").path("netvm").asText());
            assertTrue(anonWhonix.path("tags").toString().contains("anon-vm"));
            assertEquals("TemplateVM", state.path("vms").path("whonix-workstation-17").path("class").asText());
        }
    }

    @Test
    void secondApplyReportsNoChanges() throws Exception {
        QfleetProcess.Outcome first = apply(whonixFormulas());
        assertEquals(0, first.exitCode(), first.stdout() + first.stderr());

        QfleetProcess.Outcome second = apply(whonixFormulas());

        assertEquals(0, second.exitCode(), second.stdout() + second.stderr());
        for (HighstateReport.HostSection host : HighstateReport.parse(second.stdout()).values()) {
            for (HighstateReport.StateBlock state : host.states()) {
                assertEquals("True", state.result(), host.text());
                assertEquals("", state.changes(), "state " + state.id() + " changed on rerun:\n" + host.text());
            }
            assertFalse(host.summary().contains("changed="), host.text());
        }
    }

    @Test
    void testModePredictsAndWritesNothing() throws Exception {
        Map<String, JsonNode> before = snapshot();

        QfleetProcess.Outcome outcome = apply(whonixFormulas(), "test=True");

        assertEquals(0, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        Map<String, HighstateReport.HostSection> report = HighstateReport.parse(outcome.stdout());
        assertEquals(3, report.size(), outcome.stdout());
        for (HighstateReport.HostSection host : report.values()) {
            HighstateReport.StateBlock sysWhonix = host.state("sys-whonix");
            assertEquals("None", sysWhonix.result(), host.text());
            assertTrue(sysWhonix.changes().contains("netvm"), host.text());
            assertTrue(sysWhonix.comment().contains("Would run"), host.text());
        }
        assertEquals(before, snapshot());
    }

    @Test
    void missingNetvmFailsOnlyThatHostAndItsDependants() throws Exception {
        String formulas = Path.of(getClass().getResource("/formulas/netvm-typo").toURI()).toString();

        QfleetProcess.Outcome outcome = apply(formulas);

        assertEquals(20, outcome.exitCode(), outcome.stdout() + outcome.stderr());
        Map<String, HighstateReport.HostSection> report = HighstateReport.parse(outcome.stdout());
        HighstateReport.HostSection broken = report.get("lab-02");
        HighstateReport.StateBlock network = broken.state("research-network");
        assertEquals("False", network.result(), broken.text());
        assertTrue(network.comment().contains("sys-firewal"), broken.text());
        assertTrue(network.comment().contains("non-existing qube"), broken.text());
        HighstateReport.StateBlock features = broken.state("research-features");
        assertEquals("False", features.result(), broken.text());
        assertTrue(features.comment().startsWith("One or more requisite failed: research.research-network"),
                broken.text());
        assertEquals("True", broken.state("scratch").result(), broken.text());
        assertTrue(broken.summary().contains("Failed:    2"), broken.text());
        for (String healthy : List.of("lab-01", "lab-03")) {
            HighstateReport.HostSection host = report.get(healthy);
            assertTrue(host.summary().contains("Failed:    0"), host.text());
            assertEquals("True", host.state("research-features").result(), host.text());
        }
        JsonNode lab02 = snapshot().get("lab-02");
        assertTrue(lab02.path("vms").has("research"));
        assertNull(lab02.path("vms").path("research").path("features").get("service.crond"));
        assertEquals("1", snapshot().get("lab-01").path("vms").path("research").path("features")
                .path("service.crond").asText());
    }
}
