package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.roster.RosterEntry;
import org.qfleet.simulator.SimulatedFleet;
import org.qfleet.transport.SshTransport;

/**
 * Runs the host pipeline over SSH against a simulated fleet and counts renderings: a formula
 * that reads only facts the hosts share renders once for the fleet, one that reads the minion
 * ID renders once per host, and every host's low state is the same as in a run of that host
 * alone.
 */
class SharedRenderingRunTest {

    private static final int HOSTS = 3;

    @TempDir
    Path work;

    private SimulatedFleet fleet;
    private Path config;

    @BeforeEach
    void startFleet() throws IOException {
        fleet = SimulatedFleet.start(work.resolve("sim"), HOSTS);
        Path salt = Files.createDirectories(work.resolve("salt"));
        config = work.resolve("qfleet.yaml");
        Files.writeString(config, "roster_file: " + fleet.rosterFile() + "\nknown_hosts: " + fleet.knownHostsFile()
                + "\nfile_roots: [" + salt + "]\n");
    }

    @AfterEach
    void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private void writeFormula(String top, String sls, String text) throws IOException {
        Path salt = work.resolve("salt");
        Files.writeString(salt.resolve("top.sls"), top);
        Files.writeString(salt.resolve(sls + ".sls"), text);
    }

    /** Runs state.show_lowstate on every host with one pipeline and returns the pipeline. */
    private HostPipeline runFleet(List<HostReport> reports, List<RosterEntry> hosts) throws Exception {
        QfleetConfig settings = QfleetConfig.locate(config);
        SshOptions ssh = new SshOptions();
        try (SshTransport transport = new SshTransport(ssh.settings(settings, false, hosts))) {
            HostPipeline pipeline = new HostPipeline(transport, settings,
                    FunctionCall.parse("state.show_lowstate", List.of()), ssh);
            for (RosterEntry host : hosts) {
                reports.add(pipeline.run(host));
            }
            return pipeline;
        }
    }

    private List<RosterEntry> hosts() throws Exception {
        List<RosterEntry> hosts = new TargetOptions().select(QfleetConfig.locate(config), "*", System.err);
        assertEquals(HOSTS, hosts.size());
        return hosts;
    }

    private void assertSameAsAlone(List<RosterEntry> hosts, List<HostReport> shared) throws Exception {
        for (int i = 0; i < hosts.size(); i++) {
            List<HostReport> alone = new ArrayList<>();
            runFleet(alone, List.of(hosts.get(i)));
            assertNotNull(shared.get(i).lowstate, "host " + hosts.get(i).id() + ": " + shared.get(i).retcode());
            assertEquals(alone.get(0).lowstate, shared.get(i).lowstate, "host " + hosts.get(i).id());
        }
    }

    @Test
    void equalFactsRenderOnce() throws Exception {
        writeFormula("base:\n  '*':\n    - net\n", "net",
                "net-{{ salt['grains.get']('os', 'Qubes') }}:\n  test.succeed_without_changes:\n"
                        + "    - name: {{ salt['pillar.get']('label', 'red') }}\n");
        List<RosterEntry> hosts = hosts();
        List<HostReport> reports = new ArrayList<>();

        HostPipeline pipeline = runFleet(reports, hosts);

        // One rendering of top.sls and one of net.sls serve every host.
        assertEquals(2, pipeline.renderings().renderings());
        assertEquals(2 * (HOSTS - 1), pipeline.renderings().reuses());
        assertSameAsAlone(hosts, reports);
    }

    @Test
    void minionIdRendersPerHost() throws Exception {
        writeFormula("base:\n  '*':\n    - motd\n", "motd",
                "motd:\n  test.succeed_without_changes:\n    - name: host {{ grains['id'] }}\n");
        List<RosterEntry> hosts = hosts();
        List<HostReport> reports = new ArrayList<>();

        HostPipeline pipeline = runFleet(reports, hosts);

        assertEquals(1 + HOSTS, pipeline.renderings().renderings(), "one top.sls and one motd per host");
        assertTrue(reports.get(0).lowstate.toString().contains("host " + hosts.get(0).id()),
                String.valueOf(reports.get(0).lowstate));
        assertSameAsAlone(hosts, reports);
    }
}
