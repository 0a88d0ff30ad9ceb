package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SshTransportTest {

    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path folder;

    private Path clientKey;
    private Path authorizedKeys;
    private Path knownHosts;
    private TestSshServer server;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        clientKey = TestSshServer.sshKeygen(folder, "id_ed25519", "-t", "ed25519");
        authorizedKeys = folder.resolve("authorized_keys");
        TestSshServer.authorize(authorizedKeys, clientKey);
        server = TestSshServer.start(authorizedKeys);
        knownHosts = folder.resolve("known_hosts");
        Files.writeString(knownHosts, server.knownHostsLine() + "\n");
    }

    @AfterEach
    void stopAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        server.close();
    }

    @Test
    void execWritesStdinAndReadsLines() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));
        List<String> lines = new ArrayList<>();

        ExecResult result = session.exec("cat", "first line\nsecond läne\nno newline".getBytes(StandardCharsets.UTF_8),
                lines::add, EXEC_TIMEOUT);

        assertEquals(0, result.exitStatus());
        assertEquals(List.of("first line", "second läne", "no newline"), lines);
        assertEquals("", result.stderr());
    }

    @Test
    void execWithoutStdinSeesEndOfFile() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));
        List<String> lines = new ArrayList<>();

        ExecResult result = session.exec("wc -c", null, lines::add, EXEC_TIMEOUT);

        assertEquals(0, result.exitStatus());
        assertEquals(List.of("0"), lines.stream().map(String::strip).toList());
    }

    @Test
    void execStreamsLinesBeforeCommandEnds() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));
        List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
        List<String> lines = Collections.synchronizedList(new ArrayList<>());

        ExecResult result = session.exec("echo a; sleep 1; echo b", null, line -> {
            lines.add(line);
            arrivals.add(System.nanoTime());
        }, EXEC_TIMEOUT);
        long end = System.nanoTime();

        assertEquals(0, result.exitStatus());
        assertEquals(List.of("a", "b"), lines);
        long firstBeforeEndMillis = (end - arrivals.get(0)) / 1_000_000;
        assertTrue(firstBeforeEndMillis >= 700, "line a arrived only " + firstBeforeEndMillis + " ms before the end");
    }

    @Test
    void execPassesExitStatusAndStderr() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));
        List<String> lines = new ArrayList<>();

        ExecResult result = session.exec("echo out; echo 'bad thing' >&2; exit 7", null, lines::add, EXEC_TIMEOUT);

        assertEquals(7, result.exitStatus());
        assertEquals("bad thing\n", result.stderr());
        assertEquals(List.of("out"), lines);
    }

    @Test
    void twoExecsShareOneSession() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();

        ExecResult one = session.exec("echo one", null, first::add, EXEC_TIMEOUT);
        ExecResult two = session.exec("echo two; exit 1", null, second::add, EXEC_TIMEOUT);

        assertEquals(0, one.exitStatus());
        assertEquals(1, two.exitStatus());
        assertEquals(List.of("one"), first);
        assertEquals(List.of("two"), second);
        assertEquals(1, server.server.getActiveSessions().size());
    }

    @Test
    void execTimeoutClosesChannelAndCommand() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());

        long start = System.nanoTime();
        TransportException e = assertThrows(TransportException.class,
                () -> session.exec("echo $$; exec sleep 60", null, lines::add, Duration.ofSeconds(1)));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(TransportException.Kind.EXEC_TIMEOUT, e.kind());
        assertEquals("lab-01", e.targetId());
        assertTrue(e.getMessage().contains("timed out after 1 s"), e.getMessage());
        assertTrue(elapsedMillis < 5000, "exec returned after " + elapsedMillis + " ms");
        assertTrue(waitForNoOpenChannel(server, Duration.ofSeconds(10)),
                "server still has " + server.openChannels.get() + " open channels");
        // MINA's server ends the command when the channel closes. OpenSSH's sshd without a pty does not.
        long pid = Long.parseLong(lines.get(0));
        assertTrue(waitUntilEnded(pid, Duration.ofSeconds(10)), "remote sleep " + pid + " still runs");

        List<String> after = new ArrayList<>();
        assertEquals(0, session.exec("echo still usable", null, after::add, EXEC_TIMEOUT).exitStatus());
        assertEquals(List.of("still usable"), after);
    }

    @Test
    void unknownHostKeyIsRejectedWithFingerprint() throws Exception {
        Path missing = folder.resolve("missing_known_hosts");

        TransportException e = assertThrows(TransportException.class,
                () -> connect(SshSettings.defaults(missing), target(clientKey)));

        assertEquals(TransportException.Kind.HOST_KEY_UNKNOWN, e.kind());
        String message = e.getMessage();
        assertTrue(message.contains(server.hostKeyFingerprint(folder)), message);
        assertTrue(message.contains("root@127.0.0.1:" + server.port()), message);
        assertTrue(message.contains("ssh-ed25519"), message);
        assertTrue(message.contains("--accept-new-host-keys"), message);
        assertFalse(Files.exists(missing), "strict checking created " + missing);
    }

    @Test
    void acceptNewAddsHostKey() throws Exception {
        Path fresh = folder.resolve("ssh/fresh_known_hosts");
        SshSettings acceptNew = new SshSettings(fresh, true, Duration.ofSeconds(15), Duration.ofSeconds(30));

        connect(acceptNew, target(clientKey)).close();

        assertEquals(List.of(server.knownHostsLine()), Files.readAllLines(fresh));
        String found = TestSshServer.run(folder, "ssh-keygen", "-F", "[127.0.0.1]:" + server.port(), "-f",
                fresh.toString());
        assertTrue(found.contains("ssh-ed25519"), found);
        SshSession strict = connect(SshSettings.defaults(fresh), target(clientKey));
        assertEquals(0, strict.exec("true", null, line -> { }, EXEC_TIMEOUT).exitStatus());
    }

    @Test
    void acceptNewKeepsSymlinkedKnownHosts() throws Exception {
        Path realFile = folder.resolve("dotfiles/known_hosts");
        Files.createDirectories(realFile.getParent());
        Files.writeString(realFile, "# managed elsewhere\n");
        Path link = folder.resolve("linked_known_hosts");
        Files.createSymbolicLink(link, realFile);

        connect(new SshSettings(link, true, Duration.ofSeconds(15), Duration.ofSeconds(30)), target(clientKey)).close();

        assertTrue(Files.isSymbolicLink(link), "the symbolic link was replaced by a file");
        assertEquals(List.of("# managed elsewhere", server.knownHostsLine()), Files.readAllLines(realFile));
    }

    @Test
    void otherKeyTypeOnlyCountsAsUnknown() throws Exception {
        Path rsaKey = TestSshServer.sshKeygen(folder, "host_rsa", "-t", "rsa", "-b", "2048");
        String rsaPublic = Files.readString(Path.of(rsaKey + ".pub")).strip();
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.port() + " " + rsaPublic + "\n");

        TransportException e = assertThrows(TransportException.class,
                () -> connect(SshSettings.defaults(knownHosts), target(clientKey)));

        assertEquals(TransportException.Kind.HOST_KEY_UNKNOWN, e.kind());
        assertTrue(e.getMessage().contains("keys of other types for this host (ssh-rsa on line 1)"), e.getMessage());
    }

    @Test
    void revokedHostKeyIsRejected() throws Exception {
        Files.writeString(knownHosts, "@revoked " + server.knownHostsLine() + "\n" + server.knownHostsLine() + "\n");
        SshSettings acceptNew = new SshSettings(knownHosts, true, Duration.ofSeconds(15), Duration.ofSeconds(30));

        TransportException e = assertThrows(TransportException.class, () -> connect(acceptNew, target(clientKey)));

        assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
        assertTrue(e.getMessage().contains(knownHosts + " line 1 marks as @revoked"), e.getMessage());
    }

    @Test
    void hashedKnownHostsEntryMatches() throws Exception {
        TestSshServer.run(folder, "ssh-keygen", "-H", "-f", knownHosts.toString());
        assertTrue(Files.readString(knownHosts).startsWith("|1|"), Files.readString(knownHosts));

        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));

        assertEquals(0, session.exec("true", null, line -> { }, EXEC_TIMEOUT).exitStatus());
    }

    @Test
    void knownHostsEditedDuringRunIsRead() throws Exception {
        SshTransport transport = transport(SshSettings.defaults(knownHosts));
        toClose.add(transport.connect(target(clientKey)));
        Path otherKey = TestSshServer.sshKeygen(folder, "other_host_key", "-t", "ed25519");
        String[] otherPublic = Files.readString(Path.of(otherKey + ".pub")).strip().split(" ");
        // An Ed25519 line of the same length, so the file's size alone does not show the edit.
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.port() + " " + otherPublic[0] + " " + otherPublic[1]
                + "\n");

        TransportException e = assertThrows(TransportException.class, () -> transport.connect(target(clientKey)));

        assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
        assertTrue(e.getMessage().contains(knownHosts + " line 1"), e.getMessage());
    }

    @Test
    void changedHostKeyIsRejected() throws Exception {
        String oldFingerprint = server.hostKeyFingerprint(folder);
        String oldLine = server.knownHostsLine();
        String oldKey = oldLine.substring(oldLine.indexOf(' ') + 1);
        server.close();
        server = TestSshServer.start(authorizedKeys);
        Files.writeString(knownHosts, "otherhost " + oldKey + "\n[127.0.0.1]:" + server.port() + " " + oldKey + "\n");
        SshSettings acceptNew = new SshSettings(knownHosts, true, Duration.ofSeconds(15), Duration.ofSeconds(30));

        TransportException e = assertThrows(TransportException.class, () -> connect(acceptNew, target(clientKey)));

        assertEquals(TransportException.Kind.HOST_KEY_CHANGED, e.kind());
        String message = e.getMessage();
        assertTrue(message.contains(oldFingerprint), message);
        assertTrue(message.contains(server.hostKeyFingerprint(folder)), message);
        assertTrue(message.contains(knownHosts + " line 2"), message);
        String removal = "ssh-keygen -R '[127.0.0.1]:" + server.port() + "' -f " + knownHosts;
        assertTrue(message.contains(removal), message);

        TestSshServer.run(folder, "ssh-keygen", "-R", "[127.0.0.1]:" + server.port(), "-f", knownHosts.toString());
        connect(acceptNew, target(clientKey)).close();
        assertTrue(Files.readString(knownHosts).contains(server.knownHostsLine()), Files.readString(knownHosts));
    }

    @Test
    void wrongClientKeyFailsAuthentication() throws Exception {
        Path strangerKey = TestSshServer.sshKeygen(folder, "id_stranger", "-t", "ed25519");

        TransportException e = assertThrows(TransportException.class,
                () -> connect(SshSettings.defaults(knownHosts), target(strangerKey)));

        assertEquals(TransportException.Kind.AUTH_FAILED, e.kind());
        assertTrue(e.getMessage().contains("root@127.0.0.1:" + server.port()), e.getMessage());
        assertTrue(e.getMessage().contains(strangerKey.toString()), e.getMessage());
    }

    @Test
    void pemRsaKeyAuthenticates() throws Exception {
        Path rsaKey = TestSshServer.sshKeygen(folder, "id_rsa", "-t", "rsa", "-b", "2048", "-m", "PEM");
        assertTrue(Files.readString(rsaKey).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        TestSshServer.authorize(authorizedKeys, rsaKey);

        SshSession session = connect(SshSettings.defaults(knownHosts), target(rsaKey));

        assertEquals(0, session.exec("true", null, line -> { }, EXEC_TIMEOUT).exitStatus());
    }

    @Test
    void encryptedOrMissingKeyIsUnreadable() throws Exception {
        Path encrypted = folder.resolve("id_encrypted");
        TestSshServer.run(folder, "ssh-keygen", "-q", "-t", "ed25519", "-N", "secret phrase", "-f", encrypted.toString());
        Path missing = folder.resolve("id_missing");
        SshTransport transport = transport(SshSettings.defaults(knownHosts));

        TransportException encryptedError = assertThrows(TransportException.class,
                () -> transport.connect(target(encrypted)));
        TransportException missingError = assertThrows(TransportException.class,
                () -> transport.connect(target(missing)));

        assertEquals(TransportException.Kind.KEY_UNREADABLE, encryptedError.kind());
        assertTrue(encryptedError.getMessage().contains(encrypted + " is encrypted"), encryptedError.getMessage());
        assertFalse(encryptedError.getMessage().contains("secret phrase"));
        assertEquals(TransportException.Kind.KEY_UNREADABLE, missingError.kind());
        assertTrue(missingError.getMessage().contains(missing + " does not exist"), missingError.getMessage());
    }

    @Test
    void closedPortIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        SshTarget target = new SshTarget("lab-09", "127.0.0.1", closedPort, "root", List.of(clientKey),
                TestSshServer.CONNECT_TIMEOUT);

        TransportException e = assertThrows(TransportException.class,
                () -> connect(SshSettings.defaults(knownHosts), target));

        assertEquals(TransportException.Kind.UNREACHABLE, e.kind());
        assertEquals("lab-09", e.targetId());
        assertTrue(e.getMessage().contains("root@127.0.0.1:" + closedPort), e.getMessage());
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }

    @Test
    void fanoutRunsExecsOnSeveralHosts() throws Exception {
        List<TestSshServer> servers = new ArrayList<>();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            TestSshServer extra = TestSshServer.start(authorizedKeys);
            toClose.add(extra);
            servers.add(extra);
            lines.append(extra.knownHostsLine()).append('\n');
        }
        Files.writeString(knownHosts, lines.toString());
        SshTransport transport = transport(SshSettings.defaults(knownHosts));

        List<String> outputs = Fanout.run(servers, 2, extra -> {
            SshTarget target = new SshTarget("host-" + extra.port(), "127.0.0.1", extra.port(), "root",
                    List.of(clientKey), TestSshServer.CONNECT_TIMEOUT);
            try (SshSession session = transport.connect(target)) {
                List<String> output = new ArrayList<>();
                session.exec("echo " + extra.port(), null, output::add, EXEC_TIMEOUT);
                return String.join("", output);
            } catch (TransportException e) {
                return "failed: " + e.getMessage();
            }
        });

        assertEquals(servers.stream().map(extra -> String.valueOf(extra.port())).toList(), outputs);
    }

    @Test
    void largeStdinArrivesWhole() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));
        byte[] stdin = new byte[5 * 1024 * 1024];
        Arrays.fill(stdin, (byte) 'x');
        List<String> lines = new ArrayList<>();

        ExecResult result = session.exec("wc -c", stdin, lines::add, EXEC_TIMEOUT);

        assertEquals(0, result.exitStatus());
        assertEquals(List.of(String.valueOf(stdin.length)), lines.stream().map(String::strip).toList());
    }

    @Test
    void silentServerTimesOutHandshake() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            SshTarget target = new SshTarget("lab-10", "127.0.0.1", silent.getLocalPort(), "root", List.of(clientKey),
                    TestSshServer.CONNECT_TIMEOUT);
            SshSettings settings = new SshSettings(knownHosts, false, Duration.ofSeconds(1), Duration.ofSeconds(30));

            long start = System.nanoTime();
            TransportException e = assertThrows(TransportException.class, () -> connect(settings, target));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

            assertEquals(TransportException.Kind.AUTH_TIMEOUT, e.kind());
            assertTrue(e.getMessage().contains("root@127.0.0.1:" + silent.getLocalPort()), e.getMessage());
            assertTrue(e.getMessage().contains("within 1 s"), e.getMessage());
            assertTrue(elapsedMillis < 5000, "connect returned after " + elapsedMillis + " ms");
        }
    }

    @Test
    void interruptedExecRestoresFlag() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(clientKey));
        AtomicReference<TransportException> failure =
                new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Thread caller = new Thread(() -> {
            try {
                session.exec("echo started; sleep 30", null, line -> started.countDown(), EXEC_TIMEOUT);
            } catch (TransportException e) {
                failure.set(e);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();

        assertTrue(started.await(10, TimeUnit.SECONDS), "command did not start");
        caller.interrupt();
        caller.join(10_000);

        assertFalse(caller.isAlive(), "exec did not return after the interrupt");
        assertEquals(TransportException.Kind.INTERRUPTED, failure.get().kind());
        assertTrue(flagAfter.get(), "interrupt flag was cleared");
    }

    @Test
    void parallelAcceptNewKeepsEveryKey() throws Exception {
        List<TestSshServer> servers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestSshServer extra = TestSshServer.start(authorizedKeys);
            toClose.add(extra);
            servers.add(extra);
        }
        Path shared = folder.resolve("shared_known_hosts");
        SshTransport transport = transport(new SshSettings(shared, true, Duration.ofSeconds(15), Duration.ofSeconds(30)));

        List<String> outcomes = Fanout.run(servers, 6, extra -> {
            SshTarget target = new SshTarget("host-" + extra.port(), "127.0.0.1", extra.port(), "root",
                    List.of(clientKey), TestSshServer.CONNECT_TIMEOUT);
            try (SshSession session = transport.connect(target)) {
                return "ok";
            } catch (TransportException e) {
                return e.getMessage();
            }
        });

        assertEquals(List.of("ok", "ok", "ok", "ok", "ok", "ok"), outcomes);
        List<String> expectedLines = servers.stream().map(TestSshServer::knownHostsLine).sorted().toList();
        assertEquals(expectedLines, Files.readAllLines(shared).stream().sorted().toList());
    }

    private SshTarget target(Path key) {
        return new SshTarget("lab-01", "127.0.0.1", server.port(), "root", List.of(key), TestSshServer.CONNECT_TIMEOUT);
    }

    private SshTransport transport(SshSettings settings) {
        SshTransport transport = new SshTransport(settings);
        toClose.add(transport);
        return transport;
    }

    private SshSession connect(SshSettings settings, SshTarget target) throws TransportException {
        SshSession session = transport(settings).connect(target);
        toClose.add(session);
        return session;
    }

    private static boolean waitUntilEnded(long pid, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static boolean waitForNoOpenChannel(TestSshServer server, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (server.openChannels.get() == 0) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }
}
