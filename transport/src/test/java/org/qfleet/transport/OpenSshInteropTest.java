package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the transport against Debian's OpenSSH {@code sshd}, started by the test on 127.0.0.1 with its own host keys
 * and authorized_keys file. Skipped with a message when {@code /usr/sbin/sshd} is missing
 * ({@code apt-get install openssh-server}) or cannot run here.
 */
@Timeout(120)
class OpenSshInteropTest {

    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    static Path folder;

    private static Process sshd;
    private static int port;
    private static Path authorizedKeys;
    private static Path hostKeyLines;
    private static String skipReason;

    private Path knownHosts;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startSshd() throws Exception {
        if (!Files.isExecutable(SSHD)) {
            skipReason = SSHD + " not found: install it with apt-get install openssh-server";
            return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            skipReason = "sshd can only log users in when it runs as root, and the tests run as "
                    + System.getProperty("user.name");
            return;
        }

        authorizedKeys = folder.resolve("authorized_keys");
        Files.writeString(authorizedKeys, "");
        StringBuilder lines = new StringBuilder();
        List<String> hostKeyOptions = new ArrayList<>();
        for (String type : List.of("ed25519", "ecdsa", "rsa")) {
            Path key = TestSshServer.sshKeygen(folder, "ssh_host_" + type + "_key", "-t", type);
            hostKeyOptions.add("HostKey " + key);
            lines.append(Files.readString(Path.of(key + ".pub"), StandardCharsets.UTF_8).strip()).append('\n');
        }
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = socket.getLocalPort();
        }
        hostKeyLines = folder.resolve("host_keys");
        Files.writeString(hostKeyLines, lines.toString());

        Path config = folder.resolve("sshd_config");
        Files.writeString(config, String.join("\n", hostKeyOptions) + "\n"
                + "ListenAddress 127.0.0.1\n"
                + "Port " + port + "\n"
                + "PidFile " + folder.resolve("sshd.pid") + "\n"
                + "AuthorizedKeysFile " + authorizedKeys + "\n"
                + "StrictModes no\n"
                + "UsePAM no\n"
                + "PasswordAuthentication no\n"
                + "KbdInteractiveAuthentication no\n"
                + "PermitRootLogin prohibit-password\n"
                + "AllowTcpForwarding yes\n"
                + "LogLevel ERROR\n");
        // sshd refuses to start without its privilege separation folder, which systemd creates at boot.
        Files.createDirectories(Path.of("/run/sshd"));
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(folder.resolve("sshd.log").toFile()).start();
        if (!waitForPort(port, Duration.ofSeconds(10))) {
            skipReason = "sshd did not start listening on 127.0.0.1:" + port + ": "
                    + Files.readString(folder.resolve("sshd.log"));
        }
    }

    @AfterAll
    static void stopSshd() throws Exception {
        if (sshd != null) {
            sshd.destroy();
            if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
                sshd.destroyForcibly();
            }
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private Path knownHosts() throws IOException {
        assumeTrue(skipReason == null, () -> "OpenSSH tests skipped: " + skipReason);
        if (knownHosts == null) {
            knownHosts = Files.createTempFile(folder, "known_hosts", "");
            StringBuilder text = new StringBuilder();
            for (String line : Files.readAllLines(hostKeyLines)) {
                String[] fields = line.split(" ");
                text.append("[127.0.0.1]:").append(port).append(' ').append(fields[0]).append(' ').append(fields[1])
                        .append('\n');
            }
            Files.writeString(knownHosts, text.toString());
        }
        return knownHosts;
    }

    @Test
    void everyKeyTypeRunsCommands() throws Exception {
        Path hosts = knownHosts();
        SshTransport transport = transport(SshSettings.defaults(hosts));
        for (String[] keyCase : List.of(new String[] {"ed25519"}, new String[] {"ecdsa", "-m", "PEM"},
                new String[] {"rsa", "-m", "PEM"}, new String[] {"rsa"})) {
            String name = "client_" + String.join("_", keyCase).replace("-", "");
            List<String> options = new ArrayList<>(List.of("-t", keyCase[0]));
            options.addAll(List.of(keyCase).subList(1, keyCase.length));
            Path key = TestSshServer.sshKeygen(folder, name, options.toArray(String[]::new));
            TestSshServer.authorize(authorizedKeys, key);

            try (SshSession session = transport.connect(target(key))) {
                List<String> lines = new ArrayList<>();
                ExecResult result = session.exec("cat; echo $USER", "from stdin\n".getBytes(StandardCharsets.UTF_8),
                        lines::add, EXEC_TIMEOUT);

                assertEquals(0, result.exitStatus(), name + ": " + result.stderr());
                assertEquals(List.of("from stdin", "root"), lines, name);
            }
        }
    }

    @Test
    void unknownHostKeyShowsSshKeygenFingerprint() throws Exception {
        knownHosts();
        Path key = authorizedKey("client_unknown");
        Path empty = folder.resolve("empty_known_hosts");

        TransportException e = assertThrows(TransportException.class,
                () -> transport(SshSettings.defaults(empty)).connect(target(key)));

        assertEquals(TransportException.Kind.HOST_KEY_UNKNOWN, e.kind());
        String fingerprints = TestSshServer.run(folder, "ssh-keygen", "-l", "-f", hostKeyLines.toString());
        String shown = e.getMessage().replaceAll(".*(SHA256:[A-Za-z0-9+/]+).*", "$1");
        assertTrue(fingerprints.contains(shown), shown + " is not one of\n" + fingerprints);
    }

    @Test
    void acceptedKeyIsReadableByOpenSsh() throws Exception {
        knownHosts();
        Path key = authorizedKey("client_accept");
        Path recorded = folder.resolve("recorded_known_hosts");
        SshSettings settings = new SshSettings(recorded, true, SshSettings.DEFAULT_AUTH_TIMEOUT,
                SshSettings.DEFAULT_KEEP_ALIVE);

        try (SshSession session = transport(settings).connect(target(key))) {
            assertEquals(0, session.exec("true", null, line -> { }, EXEC_TIMEOUT).exitStatus());
        }
        String found = TestSshServer.run(folder, "ssh-keygen", "-F", "[127.0.0.1]:" + port, "-f", recorded.toString());
        TestSshServer.run(folder, "ssh-keygen", "-H", "-f", recorded.toString());

        assertTrue(found.contains("[127.0.0.1]:" + port), found);
        try (SshSession session = transport(SshSettings.defaults(recorded)).connect(target(key))) {
            assertEquals(0, session.exec("true", null, line -> { }, EXEC_TIMEOUT).exitStatus());
        }
    }

    @Test
    void sudoAndMissingCommandOnOpenSsh() throws Exception {
        Path hosts = knownHosts();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/sudo")), "sudo is not installed; apt-get install sudo");
        Path key = authorizedKey("client_sudo");
        SshTransport transport = transport(SshSettings.defaults(hosts));

        try (SshSession session = transport.connect(target(key).withSudo(new SshTarget.Sudo("nobody")))) {
            List<String> lines = new ArrayList<>();
            ExecResult result = session.exec("id -un", null, lines::add, EXEC_TIMEOUT);
            TransportException missing = assertThrows(TransportException.class,
                    () -> session.exec("no-such-python3 -c 1", null, line -> { }, EXEC_TIMEOUT));

            assertEquals(0, result.exitStatus(), result.stderr());
            assertEquals(List.of("nobody"), lines);
            assertEquals(TransportException.Kind.COMMAND_NOT_FOUND, missing.kind());
        }
    }

    @Test
    void openSshServesAsJumpHost() throws Exception {
        Path hosts = knownHosts();
        Path key = authorizedKey("client_jump");
        Path minaKeys = folder.resolve("mina_authorized_keys");
        TestSshServer.authorize(minaKeys, key);
        TestSshServer inner = TestSshServer.start(minaKeys);
        toClose.add(inner);
        Files.writeString(hosts, inner.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
        SshTarget target = new SshTarget("inner", "127.0.0.1", inner.port(), "root", List.of(key),
                TestSshServer.CONNECT_TIMEOUT).withJumpHosts(List.of(target(key)));

        try (SshSession session = transport(SshSettings.defaults(hosts)).connect(target)) {
            List<String> lines = new ArrayList<>();
            assertEquals(0, session.exec("echo inner", null, lines::add, EXEC_TIMEOUT).exitStatus());
            assertEquals(List.of("inner"), lines);
        }
    }

    private Path authorizedKey(String name) throws Exception {
        Path key = TestSshServer.sshKeygen(folder, name, "-t", "ed25519");
        TestSshServer.authorize(authorizedKeys, key);
        return key;
    }

    private SshTarget target(Path key) {
        return new SshTarget("debian-sshd", "127.0.0.1", port, "root", List.of(key), TestSshServer.CONNECT_TIMEOUT);
    }

    private SshTransport transport(SshSettings settings) {
        SshTransport transport = new SshTransport(settings);
        toClose.add(transport);
        return transport;
    }

    private static boolean waitForPort(int port, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        return false;
    }
}
