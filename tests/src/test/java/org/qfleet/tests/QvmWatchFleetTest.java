package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * A watch on a qvm state, applied by the real qfleet command over SSH to a simulated host: a
 * watched prefs change on sys-net restarts the running sys-net, test mode predicts the restart
 * without making it, and a rerun with nothing changed restarts nothing.
 */
class QvmWatchFleetTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path work;

    private SimulatedFleet fleet;

    @BeforeEach
    void startFleet() throws Exception {
        fleet = SimulatedFleet.start(work.resolve("sim"), 1);
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private Path formulas(int memory) throws Exception {
        Path root = work.resolve("formulas-" + memory);
        Files.createDirectories(root);
        Files.writeString(root.resolve("top.sls"), "base:\n  '*':\n    - network\n");
        Files.writeString(root.resolve("network.sls"), """
                sys-firewall-up:
                  qvm.start:
                    - name: sys-firewall
                sys-net-memory:
                  qvm.prefs:
                    - name: sys-net
                    - memory: %d
                sys-net:
                  qvm.vm:
                    - prefs:
                      - provides_network: True
                    - watch:
                      - qvm: sys-net-memory
                """.formatted(memory));
        return root;
    }

    private QfleetProcess.Outcome apply(Path formulas, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-c", fleet.configFile().toString(),
                "--file-root", formulas.toString(), "*", "state.apply"));
        args.addAll(List.of(extra));
        return QfleetProcess.run(work, args.toArray(String[]::new));
    }

    private JsonNode show() throws Exception {
        return JSON.readTree(fleet.hosts().get(0).showJson());
    }

    @Test
    void watchedChangeRestartsRunningQube() throws Exception {
        QfleetProcess.Outcome first = apply(formulas(500));

        assertEquals(0, first.exitCode(), first.stdout() + first.stderr());
        HighstateReport.HostSection host = HighstateReport.parse(first.stdout()).values().iterator().next();
        HighstateReport.StateBlock sysNet = host.state("sys-net");
        assertEquals("True", sysNet.result(), host.text());
        assertTrue(sysNet.comment().contains("Ran: qvm-shutdown --wait --force sys-net"), host.text());
        assertTrue(sysNet.comment().contains("Ran: qvm-start sys-net"), host.text());
        assertTrue(sysNet.changes().contains("restarted"), host.text());
        assertEquals("Running", show().path("vms").path("sys-net").path("state").asText());
        assertEquals("500", show().path("vms").path("sys-net").path("properties").path("memory").asText());

        QfleetProcess.Outcome second = apply(formulas(500));

        assertEquals(0, second.exitCode(), second.stdout() + second.stderr());
        HighstateReport.HostSection rerun = HighstateReport.parse(second.stdout()).values().iterator().next();
        for (HighstateReport.StateBlock state : rerun.states()) {
            assertEquals("True", state.result(), rerun.text());
            assertEquals("", state.changes(), "state " + state.id() + " changed on rerun:\n" + rerun.text());
        }
    }

    @Test
    void testModePredictsRestartAndWritesNothing() throws Exception {
        QfleetProcess.Outcome first = apply(formulas(500));
        assertEquals(0, first.exitCode(), first.stdout() + first.stderr());
        String before = fleet.hosts().get(0).showJson();

        QfleetProcess.Outcome predicted = apply(formulas(600), "test=True");

        assertEquals(0, predicted.exitCode(), predicted.stdout() + predicted.stderr());
        HighstateReport.HostSection host = HighstateReport.parse(predicted.stdout()).values().iterator().next();
        HighstateReport.StateBlock sysNet = host.state("sys-net");
        assertEquals("None", sysNet.result(), host.text());
        assertTrue(sysNet.comment().contains("Would run: qvm-shutdown --wait --force sys-net"), host.text());
        assertTrue(sysNet.comment().contains("Would run: qvm-start sys-net"), host.text());
        assertEquals(before, fleet.hosts().get(0).showJson());
    }
}
