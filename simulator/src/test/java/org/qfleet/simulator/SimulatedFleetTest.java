package org.qfleet.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A two-host simulated fleet driven by a real MINA SSH client. */
class SimulatedFleetTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private SimulatedFleet fleet;
    private SshClient client;

    @BeforeEach
    void startFleetAndClient() throws Exception {
        fleet = SimulatedFleet.start(dir.resolve("sim"), 2);
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                fleet.knownHostsFile()));
        client.start();
    }

    @AfterEach
    void stopClientAndFleet() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    /** Output of one exec request. */
    record Exec(Integer exitStatus, byte[] stdout, String stderr) {
        String text() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private ClientSession connect(SimulatedHost host, KeyPair identity) throws IOException {
        return connect(host, "qfleet", identity);
    }

    private ClientSession connect(SimulatedHost host, String user, KeyPair identity) throws IOException {
        ClientSession session = client.connect(user, "127.0.0.1", host.port()).verify(TIMEOUT).getSession();
        try {
            session.addPublicKeyIdentity(identity);
            session.auth().verify(TIMEOUT);
            return session;
        } catch (IOException | RuntimeException ex) {
            session.close(true);
            throw ex;
        }
    }

    private static Exec exec(ClientSession session, String command, byte[] stdin) throws IOException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setIn(new ByteArrayInputStream(stdin));
            channel.setOut(stdout);
            channel.setErr(stderr);
            channel.open().verify(TIMEOUT);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), TIMEOUT);
            return new Exec(channel.getExitStatus(), stdout.toByteArray(), stderr.toString(StandardCharsets.UTF_8));
        }
    }

    private KeyPair clientKey() throws Exception {
        try (InputStream in = Files.newInputStream(fleet.clientKey())) {
            return SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("client_key"), in,
                    FilePasswordProvider.EMPTY).iterator().next();
        }
    }

    @Test
    void hostsAnswerOverSsh() throws Exception {
        List<SimulatedHost> hosts = fleet.hosts();
        assertEquals(List.of("lab-01", "lab-02"), hosts.stream().map(SimulatedHost::id).toList());
        assertNotEquals(hosts.get(0).port(), hosts.get(1).port());

        for (SimulatedHost host : hosts) {
            try (ClientSession session = connect(host, clientKey())) {
                Exec hostname = exec(session, "hostname", new byte[0]);
                assertEquals(0, hostname.exitStatus());
                assertEquals(host.id() + "\n", hostname.text());

                Exec netvm = exec(session, "qvm-prefs sys-firewall netvm", new byte[0]);
                assertEquals(0, netvm.exitStatus(), netvm.stderr());
                assertEquals("sys-net\n", netvm.text());

                Exec missing = exec(session, "qvm-prefs nosuch", new byte[0]);
                assertEquals(2, missing.exitStatus());
                assertTrue(missing.stderr().endsWith("qvm-prefs: error: no such domain: 'nosuch'\n"), missing.stderr());

                Exec exit = exec(session, "echo out; echo err >&2; exit 7", new byte[0]);
                assertEquals(7, exit.exitStatus());
                assertEquals("out\n", exit.text());
                assertEquals("err\n", exit.stderr());

                Exec home = exec(session, "pwd; echo \"$HOME\"; echo \"$LANG\"", new byte[0]);
                Path expectedHome = fleet.dir().resolve("hosts").resolve(host.id()).resolve("home");
                assertEquals(expectedHome + "\n" + expectedHome + "\nC.UTF-8\n", home.text());
            }
        }
    }

    @Test
    void stdinStreamsBinaryData() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(data);

        try (ClientSession session = connect(fleet.hosts().get(1), clientKey())) {
            Exec echo = exec(session, "cat", data);

            assertEquals(0, echo.exitStatus());
            assertArrayEquals(data, echo.stdout());
        }
    }

    @Test
    void shimStartCommandRunsPythonFromStdin() throws Exception {
        String program = "import subprocess,sys\n"
                + "sys.stdout.write(sys.stdin.read().upper())\n"
                + "print(subprocess.run(['qvm-prefs','work','label'],capture_output=True,text=True).stdout.strip())\n";
        byte[] source = program.getBytes(StandardCharsets.UTF_8);
        byte[] stdin = (source.length + "\n" + program + "request\n").getBytes(StandardCharsets.UTF_8);
        String command = "python3 -I -S -c 'import sys;n=int(sys.stdin.buffer.readline());"
                + "exec(compile(sys.stdin.buffer.read(n),\"qfleet_shim.py\",\"exec\"))'";

        try (ClientSession session = connect(fleet.hosts().get(0), clientKey())) {
            Exec shim = exec(session, command, stdin);

            assertEquals(0, shim.exitStatus(), shim.stderr());
            assertEquals("REQUEST\nblue\n", shim.text());
        }
    }

    @Test
    void closedChannelKillsProcess() throws Exception {
        try (ClientSession session = connect(fleet.hosts().get(0), clientKey())) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            long pid;
            try (ChannelExec channel = session.createExecChannel("echo $$; exec sleep 60")) {
                channel.setOut(stdout);
                channel.setErr(new ByteArrayOutputStream());
                channel.open().verify(TIMEOUT);
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (!stdout.toString(StandardCharsets.UTF_8).endsWith("\n") && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                pid = Long.parseLong(stdout.toString(StandardCharsets.UTF_8).trim());
                assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "sleep did not start");
                // close(false) sends SSH_MSG_CHANNEL_CLOSE; MINA's close() drops the channel locally only.
                channel.close(false).await(TIMEOUT);
            }

            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "process " + pid + " still runs after its channel closed");
        }
    }

    @Test
    void changesPersistAcrossRestart() throws Exception {
        try (ClientSession session = connect(fleet.hosts().get(0), clientKey())) {
            assertEquals(0, exec(session, "qvm-create -l red mail", new byte[0]).exitStatus());
        }
        fleet.close();
        fleet = SimulatedFleet.start(dir.resolve("sim"), 2);

        assertTrue(fleet.hosts().get(0).showJson().contains("\"mail\""));
        assertFalse(fleet.hosts().get(1).showJson().contains("\"mail\""));
        fleet.close();
        fleet = SimulatedFleet.start(dir.resolve("sim"), 2, true);
        assertFalse(fleet.hosts().get(0).showJson().contains("\"mail\""));
    }

    @Test
    void otherClientKeyRejected() throws Exception {
        KeyPair stranger = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA).generateKeyPair();

        ClientSession session = client.connect("qfleet", "127.0.0.1", fleet.hosts().get(0).port())
                .verify(TIMEOUT).getSession();
        try (session) {
            session.addPublicKeyIdentity(stranger);
            assertThrows(IOException.class, () -> session.auth().verify(TIMEOUT));
        }
    }

    @Test
    void otherUserRejected() throws Exception {
        KeyPair key = clientKey();
        SimulatedHost host = fleet.hosts().get(0);

        for (String user : List.of("qflet", "root", "Qfleet", "")) {
            IOException rejected = assertThrows(IOException.class, () -> connect(host, user, key).close(),
                    "user '" + user + "' logged in");
            assertTrue(rejected.getMessage().contains("No more authentication methods available"),
                    "user '" + user + "': " + rejected);
        }
        try (ClientSession session = connect(host, SimulatedFleet.LOGIN_USER, key)) {
            Exec hostname = exec(session, "hostname", new byte[0]);
            assertEquals(0, hostname.exitStatus(), hostname.stderr());
            assertEquals("lab-01\n", hostname.text());
        }
    }

    @Test
    void writesClientFiles() throws Exception {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fleet.clientKey())));
        assertTrue(Files.readString(fleet.clientKey()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assertTrue(Files.readString(fleet.clientKey().resolveSibling("client_key.pub")).startsWith("ssh-ed25519 "));

        String roster = Files.readString(fleet.rosterFile());
        SimulatedHost first = fleet.hosts().get(0);
        assertTrue(roster.contains("lab-01:\n  host: 127.0.0.1\n  port: " + first.port() + "\n  user: qfleet\n"
                + "  priv: " + fleet.clientKey() + "\n"), roster);

        List<String> knownHosts = Files.readAllLines(fleet.knownHostsFile());
        assertEquals(2, knownHosts.size());
        assertTrue(knownHosts.get(0).startsWith("[127.0.0.1]:" + first.port() + " ssh-ed25519 AAAA"), knownHosts.get(0));

        assertEquals(List.of("roster_file: roster", "known_hosts: known_hosts"),
                Files.readAllLines(fleet.configFile()).stream().filter(line -> !line.startsWith("#")).toList());
        assertTrue(Files.isExecutable(fleet.dir().resolve("bin/qvm-prefs")));
    }
}
