package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages for the mistakes a new user makes, from the real qfleet command against a simulated
 * fleet: a mistyped SLS name, an unresolvable roster host, a mistyped roster user, a raw-shell
 * command without {@code --}, a typo in qfleet.yaml and a host list split over several arguments.
 */
class UserMessagesTest {

    @TempDir
    static Path work;

    private static FaultFleet fleet;

    @BeforeAll
    static void startFleet() throws IOException {
        fleet = FaultFleet.start(work, 2);
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    private static QfleetProcess.Outcome qfleet(String... args) throws Exception {
        return qfleet(Map.of(), args);
    }

    private static QfleetProcess.Outcome qfleet(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("-c", fleet.config.toString()));
        command.addAll(List.of(args));
        return QfleetProcess.run(work, environment, QfleetProcess.RUN_LIMIT_SECONDS, command.toArray(String[]::new));
    }

    private static String text(QfleetProcess.Outcome outcome) {
        return "exit " + outcome.exitCode() + "\nstdout:\n" + outcome.stdout() + "\nstderr:\n" + outcome.stderr();
    }

    private static Path formulas(String name) throws IOException {
        Path root = work.resolve(name);
        Files.createDirectories(root.resolve("qvm"));
        Files.writeString(root.resolve("qvm/sys-whonix.sls"), "sys-whonix:\n  qvm.exists: []\n");
        return root;
    }

    @Test
    void mistypedSlsFromTopFile() throws Exception {
        Path root = formulas("typo-top");
        Path top = Files.writeString(root.resolve("top.sls"), "base:\n  '*':\n    - qvm.sys_whonix\n");

        QfleetProcess.Outcome outcome = qfleet("--file-root", root.toString(), "lab-01", "state.apply");

        assertEquals(20, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains(top + ":3: SLS 'qvm.sys_whonix' was not found in the file roots ["
                + root.toAbsolutePath().normalize() + "]: neither qvm/sys_whonix.sls nor qvm/sys_whonix/init.sls exists. Did you"
                + " mean 'qvm.sys-whonix'?"), text(outcome));
    }

    @Test
    void mistypedSlsOnCommandLine() throws Exception {
        Path root = formulas("typo-command");

        QfleetProcess.Outcome outcome = qfleet("--file-root", root.toString(), "lab-01", "state.apply",
                "qvm.sys_whonix");

        assertEquals(20, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains("    SLS 'qvm.sys_whonix' was not found in the file roots ["
                + root.toAbsolutePath().normalize() + "]: neither qvm/sys_whonix.sls nor qvm/sys_whonix/init.sls exists. Did you"
                + " mean 'qvm.sys-whonix'?"), text(outcome));
    }

    @Test
    void unresolvableRosterHost() throws Exception {
        Path roster = work.resolve("roster-typo");
        Files.writeString(roster, Files.readString(fleet.roster).replace("host: 127.0.0.1", "host: 127.0.0.l"));
        // The JVM reads names from this hosts file alone, so the lookup sends no DNS query.
        Path hostsFile = Files.writeString(work.resolve("hosts"), "127.0.0.1 localhost\n");

        QfleetProcess.Outcome outcome = qfleet(Map.of("QFLEET_JAVA_OPTS", "-Djdk.net.hosts.file=" + hostsFile),
                "--roster-file", roster.toString(), "lab-01", "-r", "true");

        assertEquals(20, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains("host name '127.0.0.l' could not be resolved. Check the host field of"
                + " roster entry 'lab-01'"), text(outcome));
        assertFalse(outcome.stdout().contains("UnresolvedAddressException"), text(outcome));
    }

    @Test
    void mistypedRosterUser() throws Exception {
        Path roster = work.resolve("roster-user-typo");
        Files.writeString(roster, Files.readString(fleet.roster).replace("user: qfleet", "user: qflet"));

        QfleetProcess.Outcome outcome = qfleet("--roster-file", roster.toString(), "lab-01", "-r", "--", "true");

        assertEquals(20, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains("host lab-01 (qflet@127.0.0.1:"), text(outcome));
        assertTrue(outcome.stdout().contains("authentication failed with the keys in"), text(outcome));
        assertTrue(outcome.stdout().contains("Check that the matching public key is in ~qflet/.ssh/authorized_keys"
                + " on the host and that the user is right."), text(outcome));
        assertTrue(outcome.stdout().contains("Hosts unreachable:           1"), text(outcome));
    }

    @Test
    void retryWarningShowsNoLoggerInternals() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        Path roster = work.resolve("roster-closed-port");
        Files.writeString(roster, Files.readString(fleet.roster).replaceFirst("port: \\d+", "port: " + closedPort));
        Path logFile = work.resolve("retries.log");

        QfleetProcess.Outcome onTerminal = qfleet("--roster-file", roster.toString(), "lab-01", "-r", "true");
        qfleet("--roster-file", roster.toString(), "--log-file", logFile.toString(), "lab-01", "-r", "true");

        assertTrue(onTerminal.stderr().contains("WARN host lab-01 (qfleet@127.0.0.1:" + closedPort
                + "): connect attempt 1 of"), text(onTerminal));
        assertFalse(onTerminal.stderr().contains("org.qfleet.transport"), text(onTerminal));
        assertFalse(onTerminal.stderr().contains("[qfleet-fanout"), text(onTerminal));
        String logged = Files.readString(logFile);
        assertTrue(logged.contains("WARN org.qfleet.transport.SshTransport - host lab-01"), logged);
    }

    @Test
    void rawShellOptionWithoutDoubleDash() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("-r", "*", "sh", "-c", "echo hi");

        assertEquals(2, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stderr().contains("qfleet: option '--config' (FILE) should be specified only once"),
                text(outcome));
        assertTrue(outcome.stderr().contains("Put '--' before the command, such as: qfleet -r '*' -- sh -c"
                + " 'echo hi'"), text(outcome));
    }

    @Test
    void rawShellWithDoubleDashRuns() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("-r", "lab-01", "--", "sh", "-c", "echo hi");

        assertEquals(0, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains("hi"), text(outcome));
    }

    @Test
    void configTypoSuggestsSetting() throws Exception {
        Path config = work.resolve("qfleet-typo.yaml");
        Files.writeString(config, Files.readString(fleet.config) + "max_proc: 4\n");

        QfleetProcess.Outcome outcome = QfleetProcess.run(work, "-c", config.toString(), "-H");

        assertEquals(2, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stderr().contains("unknown setting 'max_proc'. Did you mean 'max_procs'?"),
                text(outcome));
    }

    @Test
    void listHostsRejectsSplitList() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("-H", "-L", "lab-01", "lab-02");

        assertEquals(2, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stderr().contains("-H takes only TARGET, but got more arguments: 'lab-02'."),
                text(outcome));
        assertEquals("", outcome.stdout(), text(outcome));
    }

    @Test
    void splitListIsNotUnknownFunction() throws Exception {
        QfleetProcess.Outcome outcome = qfleet("-L", "lab-01", "lab-02", "state.apply");

        assertEquals(2, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stderr().contains("'lab-02' is a host ID in the roster, not a function: with -L, the"
                + " host list must be one argument, comma-separated or quoted, such as: -L 'lab-01,lab-02'"
                + " state.apply"), text(outcome));
    }
}
