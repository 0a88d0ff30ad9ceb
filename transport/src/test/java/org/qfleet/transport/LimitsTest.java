package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Time limits, connect retries, retcodes and the other failure categories, each against a real server. */
@Timeout(90)
class LimitsTest {

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
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        server.close();
    }

    @Test
    void idleCommandTimesOut() throws Exception {
        SshSettings settings = SshSettings.defaults(knownHosts).withLimits(Duration.ofSeconds(1), Duration.ZERO);
        SshSession session = connect(settings, target(server.port()));

        long started = System.nanoTime();
        TransportException e = assertThrows(TransportException.class,
                () -> session.exec("sleep 10", null, line -> { }, EXEC_TIMEOUT));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertEquals(TransportException.Kind.IDLE_TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("idle output limit"), e.getMessage());
        assertTrue(e.getMessage().contains("root@127.0.0.1:" + server.port()), e.getMessage());
        assertTrue(e.getMessage().contains("raise --idle-timeout"), e.getMessage());
        assertTrue(elapsedMillis < 5000, "took " + elapsedMillis + " ms");
        assertEquals(TransportException.RETCODE_TIMED_OUT, e.retcode());
    }

    @Test
    void steadyOutputKeepsCommandAlive() throws Exception {
        SshSettings settings = SshSettings.defaults(knownHosts).withLimits(Duration.ofSeconds(1), Duration.ZERO);
        SshSession session = connect(settings, target(server.port()));
        List<String> lines = new ArrayList<>();

        ExecResult result = session.exec("for i in 1 2 3 4; do echo $i; sleep 0.5; done", null, lines::add,
                EXEC_TIMEOUT);

        assertEquals(0, result.exitStatus());
        assertEquals(List.of("1", "2", "3", "4"), lines);
    }

    @Test
    void hostLimitCoversWholeHost() throws Exception {
        // The limit leaves the handshake, which it also bounds, time to finish on a busy machine.
        SshSettings settings = SshSettings.defaults(knownHosts).withLimits(Duration.ZERO, Duration.ofSeconds(6));
        SshSession session = connect(settings, target(server.port()));
        session.exec("true", null, line -> { }, EXEC_TIMEOUT);

        TransportException e = assertThrows(TransportException.class,
                () -> session.exec("sleep 20", null, line -> { }, EXEC_TIMEOUT));

        assertEquals(TransportException.Kind.HOST_TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("--timeout 6 s"), e.getMessage());
        TransportException next = assertThrows(TransportException.class,
                () -> session.exec("true", null, line -> { }, EXEC_TIMEOUT));
        assertEquals(TransportException.Kind.HOST_TIMEOUT, next.kind());
    }

    @Test
    void hostLimitCutsStalledHandshake() throws Exception {
        // The kernel completes the TCP connect, but nothing ever sends an SSH banner.
        ServerSocket silent = new ServerSocket(0, 10, java.net.InetAddress.getByName("127.0.0.1"));
        toClose.add(silent);
        SshSettings settings = SshSettings.defaults(knownHosts).withLimits(Duration.ZERO, Duration.ofSeconds(2));

        long started = System.nanoTime();
        TransportException e = assertThrows(TransportException.class,
                () -> connect(settings, target(silent.getLocalPort())));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertEquals(TransportException.Kind.HOST_TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("--timeout 2 s"), e.getMessage());
        assertTrue(e.getMessage().contains("authenticating"), e.getMessage());
        assertTrue(elapsedMillis < 6000, "took " + elapsedMillis + " ms, the authentication limit is 15 s");
        assertEquals(TransportException.RETCODE_TIMED_OUT, e.retcode());
    }

    @Test
    void connectTimeoutIsNamed() throws Exception {
        // A listening socket whose accept queue is full drops new SYNs on Linux, so the next connect hangs.
        ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
        toClose.add(full);
        List<Socket> fillers = new ArrayList<>();
        boolean hangs = false;
        for (int i = 0; i < 20 && !hangs; i++) {
            Socket socket = new Socket();
            fillers.add(socket);
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()), 300);
            } catch (SocketTimeoutException e) {
                hangs = true;
            }
        }
        for (Socket socket : fillers) {
            toClose.add(socket);
        }
        assertTrue(hangs, "could not fill the accept queue of the test socket");
        SshTarget target = new SshTarget("lab-01", "127.0.0.1", full.getLocalPort(), "root", List.of(clientKey),
                Duration.ofSeconds(1));

        TransportException e = assertThrows(TransportException.class,
                () -> connect(SshSettings.defaults(knownHosts), target));

        assertEquals(TransportException.Kind.CONNECT_TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("connect time limit"), e.getMessage());
        assertTrue(e.getMessage().contains("root@127.0.0.1:" + full.getLocalPort()), e.getMessage());
        assertEquals(TransportException.RETCODE_TIMED_OUT, e.retcode());
    }

    @Test
    void refusedConnectIsRetriedAndLogged() throws Exception {
        int port = freePort();
        Path hostKeys = folder.resolve("late_known_hosts");
        AtomicReference<TestSshServer> late = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                Thread.sleep(800);
                late.set(TestSshServer.start(authorizedKeys, TestSshServer.newHostKey(), sshd -> sshd.setPort(port)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        SshSettings settings = SshSettings.defaults(hostKeys).withIgnoreHostKeys(true)
                .withRetries(6, Duration.ofMillis(200));
        String log = captureStderr(() -> {
            starter.start();
            try {
                SshSession session = connect(settings, target(port));
                assertEquals(0, session.exec("true", null, line -> { }, EXEC_TIMEOUT).exitStatus());
            } finally {
                starter.join(10_000);
                if (late.get() != null) {
                    late.get().close();
                }
            }
        });

        assertTrue(log.contains("connect attempt 1 of 6 failed (connection refused), retrying in"), log);
        assertTrue(log.contains("root@127.0.0.1:" + port), log);
    }

    @Test
    void retriesAreBounded() throws Exception {
        int port = freePort();
        SshSettings settings = SshSettings.defaults(knownHosts).withRetries(3, Duration.ofMillis(50));

        String log = captureStderr(() -> {
            TransportException e = assertThrows(TransportException.class, () -> connect(settings, target(port)));
            assertEquals(TransportException.Kind.UNREACHABLE, e.kind());
            assertEquals(TransportException.RETCODE_UNREACHABLE, e.retcode());
            assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
        });

        assertTrue(log.contains("connect attempt 1 of 3 failed"), log);
        assertTrue(log.contains("connect attempt 2 of 3 failed"), log);
        assertFalse(log.contains("connect attempt 3 of 3 failed"), log);
    }

    @Test
    void missingPythonGetsRetcodeTen() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(server.port()));

        TransportException e = assertThrows(TransportException.class,
                () -> session.exec("no-such-python3 -c 'print(1)'", null, line -> { }, EXEC_TIMEOUT));

        assertEquals(TransportException.Kind.COMMAND_NOT_FOUND, e.kind());
        assertEquals(10, e.retcode());
        assertTrue(e.getMessage().contains("no-such-python3 was not found"), e.getMessage());
        assertTrue(e.getMessage().contains("root@127.0.0.1:" + server.port()), e.getMessage());
    }

    @Test
    void ignoredHostKeysWarnPerHost() throws Exception {
        Path noFile = folder.resolve("never_written");
        SshSettings settings = SshSettings.defaults(noFile).withIgnoreHostKeys(true);

        String log = captureStderr(() -> {
            SshTransport transport = transport(settings);
            for (int i = 0; i < 2; i++) {
                try (SshSession session = transport.connect(target(server.port()))) {
                    assertEquals(0, session.exec("true", null, line -> { }, EXEC_TIMEOUT).exitStatus());
                }
            }
        });

        assertEquals(2, log.split("was NOT checked", -1).length - 1, log);
        assertTrue(log.contains("--ignore-host-keys"), log);
        assertFalse(Files.exists(noFile));
    }

    @Test
    void interruptClosesChannelPromptly() throws Exception {
        SshSession session = connect(SshSettings.defaults(knownHosts), target(server.port()));
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<TransportException> failure = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                session.exec("echo started; sleep 30", null, line -> started.countDown(), EXEC_TIMEOUT);
            } catch (TransportException e) {
                failure.set(e);
            }
        });
        caller.start();
        assertTrue(started.await(10, TimeUnit.SECONDS), "command did not start");

        long interrupted = System.nanoTime();
        caller.interrupt();
        caller.join(10_000);
        boolean closed = waitForNoOpenChannel(Duration.ofSeconds(2));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interrupted);

        assertFalse(caller.isAlive(), "exec did not return after the interrupt");
        assertEquals(TransportException.Kind.INTERRUPTED, failure.get().kind());
        assertTrue(closed, "the server still has the channel open");
        assertTrue(elapsedMillis < 2000, "closing took " + elapsedMillis + " ms");
    }

    @Test
    void localSessionRunsProcesses() throws Exception {
        SshSettings settings = SshSettings.defaults(folder.resolve("unused")).withLocal(true)
                .withLimits(Duration.ofSeconds(1), Duration.ZERO);
        SshTarget target = new SshTarget("this-machine", "unreachable.invalid", 22, "nobody", List.of(),
                TestSshServer.CONNECT_TIMEOUT);
        SshSession session = connect(settings, target);
        List<String> lines = new ArrayList<>();

        ExecResult result = session.exec("cat; echo err >&2; exit 3", "from stdin\n".getBytes(StandardCharsets.UTF_8),
                lines::add, EXEC_TIMEOUT);
        TransportException idle = assertThrows(TransportException.class,
                () -> session.exec("sleep 10", null, line -> { }, EXEC_TIMEOUT));
        TransportException missing = assertThrows(TransportException.class,
                () -> session.exec("no-such-python3 -c 1", null, line -> { }, EXEC_TIMEOUT));

        assertEquals(3, result.exitStatus());
        assertEquals(List.of("from stdin"), lines);
        assertEquals("err\n", result.stderr());
        assertEquals(TransportException.Kind.IDLE_TIMEOUT, idle.kind());
        assertEquals(TransportException.Kind.COMMAND_NOT_FOUND, missing.kind());
    }

    private interface Action {
        void run() throws Exception;
    }

    /** Runs the action with standard error captured, where slf4j-simple writes the log, and returns what it got. */
    private static String captureStderr(Action action) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private boolean waitForNoOpenChannel(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (server.openChannels.get() == 0) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private SshTarget target(int port) {
        return new SshTarget("lab-01", "127.0.0.1", port, "root", List.of(clientKey), TestSshServer.CONNECT_TIMEOUT);
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
}
