package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.server.shell.ProcessShellFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs commands under sudo. The password cases use a fake {@code sudo} first on the server's PATH, because the tests
 * run as root, and root's sudo never asks for a password. The fake reads the password from standard input the way
 * {@code sudo -S} does, and logs its own command line, so a test can check that the password is not in it.
 */
@Timeout(60)
class SudoTest {

    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);
    private static final String SUDO_PASSWORD = "sentinel-sudo-password-P4w";

    @TempDir
    Path folder;

    private Path clientKey;
    private Path knownHosts;
    private Path mode;
    private Path argvLog;
    private TestSshServer fakeSudoServer;
    private TestSshServer plainServer;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startServers() throws Exception {
        clientKey = TestSshServer.sshKeygen(folder, "id_ed25519", "-t", "ed25519");
        Path authorizedKeys = folder.resolve("authorized_keys");
        TestSshServer.authorize(authorizedKeys, clientKey);
        Path bin = Files.createDirectory(folder.resolve("bin"));
        try (InputStream script = SudoTest.class.getResourceAsStream("/fake-sudo/sudo")) {
            Files.copy(script, bin.resolve("sudo"));
        }
        assertTrue(bin.resolve("sudo").toFile().setExecutable(true));
        mode = folder.resolve("sudo-mode");
        argvLog = folder.resolve("sudo-argv.log");
        Files.writeString(argvLog, "");
        String path = bin + ":" + System.getenv("PATH");
        fakeSudoServer = TestSshServer.start(authorizedKeys, TestSshServer.newHostKey(), sshd ->
                sshd.setCommandFactory((channel, command) -> new ProcessShellFactory(command, "/usr/bin/env",
                        "PATH=" + path, "FAKE_SUDO_MODE=" + mode, "FAKE_SUDO_LOG=" + argvLog, "/bin/sh", "-c", command)
                        .createShell(channel)));
        plainServer = TestSshServer.start(authorizedKeys);
        knownHosts = folder.resolve("known_hosts");
        Files.writeString(knownHosts, fakeSudoServer.knownHostsLine() + "\n" + plainServer.knownHostsLine() + "\n");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        fakeSudoServer.close();
        plainServer.close();
    }

    @Test
    void realSudoRunsAsSudoUser() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/sudo")), "sudo is not installed; apt-get install sudo");
        assumeTrue("root".equals(System.getProperty("user.name")), "the real sudo case needs a root test run");
        SshTarget target = target(plainServer).withSudo(new SshTarget.Sudo("nobody"));

        try (SshSession session = connect(target)) {
            assertEquals(List.of("nobody"), run(session, "id -un", null));
        }
    }

    @Test
    void unknownSudoUserIsNamed() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/sudo")), "sudo is not installed; apt-get install sudo");
        assumeTrue("root".equals(System.getProperty("user.name")), "the real sudo case needs a root test run");
        SshTarget target = target(plainServer).withSudo(new SshTarget.Sudo("no-such-user-7q"));

        try (SshSession session = connect(target)) {
            TransportException e = assertThrows(TransportException.class, () -> run(session, "true", null));

            assertEquals(TransportException.Kind.SUDO_FAILED, e.kind());
            assertTrue(e.getMessage().contains("unknown user"), e.getMessage());
            assertTrue(e.getMessage().contains("user no-such-user-7q (sudo_user in the roster entry) exists"),
                    e.getMessage());
        }
    }

    @Test
    void noPasswordRunsWithSudoN() throws Exception {
        Files.writeString(mode, "nopasswd");

        try (SshSession session = connect(target(fakeSudoServer).withSudo(new SshTarget.Sudo("qubes-admin")))) {
            assertEquals(List.of("qubes-admin", "payload line"),
                    run(session, "echo $FAKE_SUDO_USER; cat", "payload line\n"));
        }

        String argv = Files.readString(argvLog);
        assertTrue(argv.contains("\"-n\", \"-u\", \"qubes-admin\", \"--\", \"sh\", \"-c\""), argv);
    }

    @Test
    void startedCommandRunsUnderSudoN() throws Exception {
        Files.writeString(mode, "nopasswd");
        List<String> lines = new ArrayList<>();

        try (SshSession session = connect(target(fakeSudoServer).withSudo(new SshTarget.Sudo(null)));
                RunningCommand running = session.start("echo $FAKE_SUDO_USER; cat", lines::add, EXEC_TIMEOUT)) {
            running.send("request line\n".getBytes(StandardCharsets.UTF_8));
            ExecResult result = running.finish();

            assertEquals(0, result.exitStatus(), result.stderr());
        }

        assertEquals(List.of("root", "request line"), lines);
        String argv = Files.readString(argvLog);
        assertTrue(argv.contains("\"-n\", \"--\", \"sh\", \"-c\""), argv);
    }

    @Test
    void passwordIsFedOnStdinOnly() throws Exception {
        Files.writeString(mode, "password " + SUDO_PASSWORD);
        SshTarget target = target(fakeSudoServer).withSudo(new SshTarget.Sudo(null)).withPassword(SUDO_PASSWORD);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        List<String> lines;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (SshSession session = connect(target)) {
            lines = run(session, "echo $FAKE_SUDO_USER; cat", "first\nsecond\n");
            lines.addAll(run(session, "echo again", null));
        } finally {
            System.setErr(originalErr);
        }

        assertEquals(List.of("root", "first", "second", "again"), lines);
        String argv = Files.readString(argvLog);
        assertTrue(argv.contains("\"-S\", \"-k\", \"-p\", \"\""), argv);
        assertFalse(argv.contains(SUDO_PASSWORD), "the sudo password reached a command line: " + argv);
        assertFalse(captured.toString(StandardCharsets.UTF_8).contains(SUDO_PASSWORD), "the sudo password was logged");
    }

    @Test
    void missingPasswordSaysWhatToSet() throws Exception {
        Files.writeString(mode, "password " + SUDO_PASSWORD);

        try (SshSession session = connect(target(fakeSudoServer).withSudo(new SshTarget.Sudo(null)))) {
            TransportException e = assertThrows(TransportException.class, () -> run(session, "true", null));

            assertEquals(TransportException.Kind.SUDO_FAILED, e.kind());
            assertTrue(e.getMessage().contains("passwd"), e.getMessage());
            assertTrue(e.getMessage().contains("root@127.0.0.1:" + fakeSudoServer.port()), e.getMessage());
            assertEquals(TransportException.RETCODE_REJECTED, e.retcode());
        }
    }

    @Test
    void wrongPasswordIsReported() throws Exception {
        Files.writeString(mode, "password " + SUDO_PASSWORD);
        SshTarget target = target(fakeSudoServer).withSudo(new SshTarget.Sudo(null)).withPassword("wrong-value");

        try (SshSession session = connect(target)) {
            TransportException e = assertThrows(TransportException.class, () -> run(session, "true", null));

            assertEquals(TransportException.Kind.SUDO_FAILED, e.kind());
            assertTrue(e.getMessage().contains("rejected the password"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong-value"), e.getMessage());
        }
    }

    @Test
    void requirettyIsReported() throws Exception {
        Files.writeString(mode, "requiretty");

        try (SshSession session = connect(target(fakeSudoServer).withSudo(new SshTarget.Sudo(null)))) {
            TransportException e = assertThrows(TransportException.class, () -> run(session, "true", null));

            assertEquals(TransportException.Kind.SUDO_FAILED, e.kind());
            assertTrue(e.getMessage().contains("tty"), e.getMessage());
        }
    }

    private List<String> run(SshSession session, String command, String stdin) throws TransportException {
        List<String> lines = new ArrayList<>();
        ExecResult result = session.exec(command, stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8),
                lines::add, EXEC_TIMEOUT);
        assertEquals(0, result.exitStatus(), result.stderr());
        return lines;
    }

    private SshTarget target(TestSshServer server) {
        return new SshTarget("lab-01", "127.0.0.1", server.port(), "root", List.of(clientKey),
                TestSshServer.CONNECT_TIMEOUT);
    }

    private SshSession connect(SshTarget target) throws TransportException {
        SshTransport transport = new SshTransport(SshSettings.defaults(knownHosts));
        toClose.add(transport);
        return transport.connect(target);
    }
}
