package org.qfleet.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.shim.Shim;

/** Each injected fault, seen through a real SSH client; lab-02 has no faults and stays normal. */
class FaultInjectionTest {

    private static final String QUBESD_ERROR =
            "qvm-prefs: error: Got empty response from qubesd. See journalctl in dom0 for details.\n";

    @TempDir
    Path dir;

    private SimulatedFleet fleet;
    private SshExec ssh;

    private void start(String... faults) throws Exception {
        fleet = SimulatedFleet.start(dir.resolve("sim"), 2, FleetOptions.defaults().withFaults(List.of(faults)));
        ssh = new SshExec(fleet);
    }

    @AfterEach
    void stop() throws Exception {
        if (ssh != null) {
            ssh.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    private SimulatedHost host(int index) {
        return fleet.hosts().get(index);
    }

    @Test
    void failFaultFailsMatchingTool() throws Exception {
        start("lab-01:fail:qvm-prefs");

        SshExec.Result failed = ssh.run(host(0), "qvm-prefs work label");
        assertEquals(1, failed.exitStatus(), failed.toString());
        assertEquals(QUBESD_ERROR, failed.stderr());
        assertEquals("", failed.stdout());

        SshExec.Result other = ssh.run(host(0), "qvm-features work");
        assertEquals(0, other.exitStatus(), other.toString());
        SshExec.Result otherHost = ssh.run(host(1), "qvm-prefs work label");
        assertEquals("blue\n", otherHost.stdout(), otherHost.toString());
    }

    @Test
    void slowFaultSetWhileRunning() throws Exception {
        start();
        Faults.write(fleet.dir().resolve("hosts/lab-01/faults.json"), List.of("slow:1.5:qvm-*"));

        long began = System.nanoTime();
        SshExec.Result slow = ssh.run(host(0), "qvm-prefs work label");
        long elapsedMillis = (System.nanoTime() - began) / 1_000_000;

        assertEquals("blue\n", slow.stdout(), slow.toString());
        assertTrue(elapsedMillis >= 1500, "took only " + elapsedMillis + " ms");
        long fastBegan = System.nanoTime();
        ssh.run(host(1), "qvm-prefs work label");
        assertTrue((System.nanoTime() - fastBegan) / 1_000_000 < 1500, "lab-02 was slowed too");
    }

    @Test
    void hangFaultNeverExits() throws Exception {
        start("lab-01:hang:qvm-check");

        SshExec.Result hung = ssh.run(host(0), "qvm-check work", new byte[0], Duration.ofSeconds(2));

        assertNull(hung.exitStatus(), hung.toString());
        assertEquals("", hung.stdout());
        SshExec.Result other = ssh.run(host(0), "qvm-prefs work label");
        assertEquals(0, other.exitStatus(), other.toString());
    }

    @Test
    void authRefusedRejectsClientKey() throws Exception {
        start("lab-01:auth-refused");

        assertThrows(IOException.class, () -> ssh.connect(host(0)).close());
        assertEquals("lab-02\n", ssh.run(host(1), "hostname").stdout());
    }

    @Test
    void dropAfterClosesConnection() throws Exception {
        start("lab-01:drop-after:10");

        try (ClientSession session = ssh.connect(host(0))) {
            SshExec.Result dropped = SshExec.exec(session, "echo 0123456789abcdefghij; sleep 30",
                    new byte[0], SshExec.TIMEOUT);

            assertEquals("0123456789", dropped.stdout());
            assertNull(dropped.exitStatus(), dropped.toString());
            long deadline = System.nanoTime() + SshExec.TIMEOUT.toNanos();
            while (session.isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(session.isOpen(), "the session stayed open");
        }
        SshExec.Result short1 = ssh.run(host(0), "echo short");
        assertEquals(0, short1.exitStatus(), "output under the limit completes: " + short1);
        assertEquals("short\n", short1.stdout());
    }

    @Test
    void noPython3FailsShimBootstrap() throws Exception {
        start("lab-01:no-python3");
        byte[] stdin = Shim.stdinFor("{\"protocol\": 1, \"kind\": \"commands\", \"commands\": []}"
                .getBytes(StandardCharsets.UTF_8));

        SshExec.Result missing = ssh.run(host(0), Shim.bootstrapCommand(), stdin, SshExec.TIMEOUT);

        assertEquals(127, missing.exitStatus(), missing.toString());
        assertEquals("/bin/sh: 1: python3: not found\n", missing.stderr());
        SshExec.Result tools = ssh.run(host(0), "qvm-prefs work label");
        assertEquals("blue\n", tools.stdout(), "the simulated tools still run: " + tools);
        SshExec.Result otherHost = ssh.run(host(1), Shim.bootstrapCommand(), stdin, SshExec.TIMEOUT);
        assertEquals(0, otherHost.exitStatus(), otherHost.toString());
    }

    @Test
    void invalidFaultSpecRejected() {
        IllegalArgumentException unknownHost = assertThrows(IllegalArgumentException.class,
                () -> SimulatedFleet.start(dir.resolve("sim"), 2,
                        FleetOptions.defaults().withFaults(List.of("lab-09:fail"))));
        assertTrue(unknownHost.getMessage().contains("unknown host 'lab-09'"), unknownHost.getMessage());

        IllegalArgumentException badKind = assertThrows(IllegalArgumentException.class,
                () -> SimulatedFleet.start(dir.resolve("sim"), 2,
                        FleetOptions.defaults().withFaults(List.of("lab-01:explode"))));
        assertTrue(badKind.getMessage().contains("unknown fault kind 'explode'"), badKind.getMessage());

        IllegalArgumentException badSeconds = assertThrows(IllegalArgumentException.class,
                () -> Faults.parse("slow:soon"));
        assertTrue(badSeconds.getMessage().contains("write slow:SECONDS[:TOOL]"), badSeconds.getMessage());
    }
}
