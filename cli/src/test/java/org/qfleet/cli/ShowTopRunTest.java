package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * Runs {@code state.show_top}, {@code state.show_sls} and a highstate against a simulated
 * fleet whose file root is laid out as Qubes' {@code /srv/salt}, with tops enabled in
 * {@code _tops/base} that target the nodegroup {@code dom0}.
 */
class ShowTopRunTest {

    @TempDir
    Path work;

    private SimulatedFleet fleet;
    private Path config;

    @BeforeEach
    void startFleet() throws IOException {
        fleet = SimulatedFleet.start(work.resolve("sim"), 2);
        Path salt = work.resolve("salt");
        Files.createDirectories(salt.resolve("qvm"));
        Files.createDirectories(salt.resolve("_tops/base"));
        Files.writeString(salt.resolve("qvm/sys-net.top"), "base:\n  dom0:\n    - match: nodegroup\n    - qvm.sys-net\n");
        Files.writeString(salt.resolve("qvm/sys-net.sls"),
                "sys-net-label:\n  test.succeed_without_changes:\n    - name: {{ grains.id }}\n");
        Files.writeString(salt.resolve("qvm/vm-only.top"), "base:\n  vm:\n    - match: nodegroup\n    - qvm.vm-only\n");
        Files.createSymbolicLink(salt.resolve("_tops/base/qvm.sys-net.top"), salt.resolve("qvm/sys-net.top"));
        Files.createSymbolicLink(salt.resolve("_tops/base/qvm.vm-only.top"), salt.resolve("qvm/vm-only.top"));
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

    private record Outcome(int exitCode, String stdout) {
    }

    private static synchronized Outcome run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            int exitCode = Main.run(args);
            capture.flush();
            return new Outcome(exitCode, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void showTopSelectsDom0Tops() {
        Outcome shown = run("-c", config.toString(), "--no-color", "lab-01", "state.show_top");

        assertEquals(ExitCodes.OK, shown.exitCode(), shown.stdout());
        assertTrue(shown.stdout().startsWith("lab-01:\n    ----------\n    base:\n        - qvm.sys-net\n\n"),
                shown.stdout());
    }

    @Test
    void showSlsPrintsHighData() {
        Outcome shown = run("-c", config.toString(), "--no-color", "lab-02", "state.show_sls", "qvm.sys-net");

        assertEquals(ExitCodes.OK, shown.exitCode(), shown.stdout());
        assertTrue(shown.stdout().startsWith("lab-02:\n    ----------\n    sys-net-label:\n        ----------\n"),
                shown.stdout());
        assertTrue(shown.stdout().contains("        __sls__:\n            qvm.sys-net\n"), shown.stdout());
        assertTrue(shown.stdout().contains("              name:\n                  lab-02\n"), shown.stdout());
        assertTrue(shown.stdout().contains("            - succeed_without_changes\n"), shown.stdout());
    }

    @Test
    void highstateAppliesEnabledTops() {
        Outcome applied = run("-c", config.toString(), "--no-color", "*", "state.apply");

        assertEquals(ExitCodes.OK, applied.exitCode(), applied.stdout());
        assertTrue(applied.stdout().contains("ID: sys-net-label"), applied.stdout());
        assertTrue(applied.stdout().contains("Name: lab-01"), applied.stdout());
        assertTrue(applied.stdout().contains("Name: lab-02"), applied.stdout());
    }
}
