package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Standard input and time limits of {@link SshSession#exec} and {@link SshSession#start}, over SSH to a real MINA
 * server and as local processes ({@code --local}). A one-shot exec ignores input that its command never reads, but
 * {@link RunningCommand#send} reports a command that has ended.
 */
@Timeout(90)
class CommandStdinTest {

    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);
    /** More than a pipe buffer and an SSH channel window hold, so the writer blocks when the command reads none. */
    private static final int UNREAD_STDIN_BYTES = 8 * 1024 * 1024;

    @TempDir
    Path folder;

    private Path clientKey;
    private Path knownHosts;
    private TestSshServer server;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        clientKey = TestSshServer.sshKeygen(folder, "id_ed25519", "-t", "ed25519");
        Path authorizedKeys = folder.resolve("authorized_keys");
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

    @ParameterizedTest(name = "local={0}")
    @ValueSource(booleans = {false, true})
    void execIgnoresUnreadStdin(boolean local) throws Exception {
        SshSession session = connect(local, Duration.ZERO, Duration.ZERO);

        // MINA's test server may drop a command's output when the command ends while stdin still arrives, so
        // only the exit status is checked.
        ExecResult result = session.exec("exit 5", unreadStdin(), line -> { }, EXEC_TIMEOUT);

        assertEquals(5, result.exitStatus());
    }

    @ParameterizedTest(name = "local={0}")
    @ValueSource(booleans = {false, true})
    void execTimeoutCoversBlockedStdin(boolean local) throws Exception {
        SshSession session = connect(local, Duration.ZERO, Duration.ZERO);

        long started = System.nanoTime();
        TransportException e = assertThrows(TransportException.class,
                () -> session.exec("exec sleep 60", unreadStdin(), line -> { }, Duration.ofSeconds(2)));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertTrue(elapsedMillis < 8000, "exec returned after " + elapsedMillis + " ms");
        assertEquals(TransportException.Kind.EXEC_TIMEOUT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("timed out after 2 s"), e.getMessage());
        assertFalse(Thread.interrupted(), "the thread is left interrupted");
    }

    @ParameterizedTest(name = "local={0}")
    @ValueSource(booleans = {false, true})
    void hostLimitCoversBlockedStdin(boolean local) throws Exception {
        SshSession session = connect(local, Duration.ZERO, Duration.ofSeconds(3));

        long started = System.nanoTime();
        TransportException e = assertThrows(TransportException.class,
                () -> session.exec("exec sleep 60", unreadStdin(), line -> { }, EXEC_TIMEOUT));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertTrue(elapsedMillis < 8000, "exec returned after " + elapsedMillis + " ms, the exec timeout is 20 s");
        assertEquals(TransportException.Kind.HOST_TIMEOUT, e.kind(), e.getMessage());
    }

    @ParameterizedTest(name = "local={0}")
    @ValueSource(booleans = {false, true})
    void startAnswersRequestsInTurn(boolean local) throws Exception {
        SshSession session = connect(local, Duration.ZERO, Duration.ZERO);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<CountDownLatch> reply = new AtomicReference<>();

        try (RunningCommand running = session.start("while read -r line; do echo \"got $line\"; done",
                line -> {
                    lines.add(line);
                    reply.get().countDown();
                }, EXEC_TIMEOUT)) {
            for (String request : List.of("a", "b", "c")) {
                reply.set(new CountDownLatch(1));
                running.send((request + "\n").getBytes(StandardCharsets.UTF_8));
                assertTrue(running.awaitReply(reply.get()), "the command ended before it answered " + request);
            }
            ExecResult result = running.finish();

            assertEquals(0, result.exitStatus());
            assertEquals("", result.stderr());
        }
        assertEquals(List.of("got a", "got b", "got c"), lines);
    }

    @ParameterizedTest(name = "local={0}")
    @ValueSource(booleans = {false, true})
    void sendAfterEndIsChannelClosed(boolean local) throws Exception {
        SshSession session = connect(local, Duration.ZERO, Duration.ZERO);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());

        try (RunningCommand running = session.start("echo bye; echo gone >&2; exit 4", lines::add, EXEC_TIMEOUT)) {
            assertFalse(running.awaitReply(new CountDownLatch(1)), "awaitReply did not see the command end");
            TransportException e = assertThrows(TransportException.class,
                    () -> running.send("late\n".getBytes(StandardCharsets.UTF_8)));
            ExecResult result = running.finish();

            assertEquals(TransportException.Kind.CHANNEL_CLOSED, e.kind());
            assertTrue(e.getMessage().contains("standard input failed"), e.getMessage());
            assertEquals(4, result.exitStatus());
            assertEquals("gone\n", result.stderr());
        }
        assertEquals(List.of("bye"), lines);
    }

    @ParameterizedTest(name = "local={0}")
    @ValueSource(booleans = {false, true})
    void sendRestartsRequestClock(boolean local) throws Exception {
        SshSession session = connect(local, Duration.ZERO, Duration.ZERO);
        AtomicReference<CountDownLatch> reply = new AtomicReference<>();

        // Each reply takes 1 s of the 2 s request timeout, and the three together take longer than it.
        try (RunningCommand running = session.start("while read -r line; do sleep 1; echo \"$line\"; done",
                line -> reply.get().countDown(), Duration.ofSeconds(2))) {
            for (int i = 0; i < 3; i++) {
                reply.set(new CountDownLatch(1));
                running.send("ping\n".getBytes(StandardCharsets.UTF_8));
                assertTrue(running.awaitReply(reply.get()), "request " + i + " got no reply");
            }
            assertEquals(0, running.finish().exitStatus());
        }
    }

    @ParameterizedTest(name = "local={0}")
    @ValueSource(booleans = {false, true})
    void silentReplyTimesOut(boolean local) throws Exception {
        SshSession session = connect(local, Duration.ZERO, Duration.ZERO);

        long started = System.nanoTime();
        TransportException e;
        try (RunningCommand running = session.start("exec sleep 60", line -> { }, Duration.ofSeconds(1))) {
            running.send("ping\n".getBytes(StandardCharsets.UTF_8));
            e = assertThrows(TransportException.class, () -> running.awaitReply(new CountDownLatch(1)));
        }
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertEquals(TransportException.Kind.EXEC_TIMEOUT, e.kind());
        assertTrue(e.getMessage().contains("timed out after 1 s"), e.getMessage());
        assertTrue(elapsedMillis < 8000, "awaitReply returned after " + elapsedMillis + " ms");
        if (!local) {
            assertTrue(waitForNoOpenChannel(Duration.ofSeconds(10)),
                    "server still has " + server.openChannels.get() + " open channels");
        }
    }

    @ParameterizedTest(name = "local={0}")
    @ValueSource(booleans = {false, true})
    void startReportsMissingCommand(boolean local) throws Exception {
        SshSession session = connect(local, Duration.ZERO, Duration.ZERO);

        TransportException e;
        try (RunningCommand running = session.start("no-such-python3 -c 1", line -> { }, EXEC_TIMEOUT)) {
            e = assertThrows(TransportException.class, running::finish);
        }

        assertEquals(TransportException.Kind.COMMAND_NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("no-such-python3 was not found"), e.getMessage());
    }

    private static byte[] unreadStdin() {
        byte[] stdin = new byte[UNREAD_STDIN_BYTES];
        Arrays.fill(stdin, (byte) 'x');
        return stdin;
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

    private SshSession connect(boolean local, Duration idleTimeout, Duration hostTimeout) throws TransportException {
        SshSettings settings = SshSettings.defaults(knownHosts).withLimits(idleTimeout, hostTimeout).withLocal(local);
        SshTransport transport = new SshTransport(settings);
        toClose.add(transport);
        SshTarget target = new SshTarget("lab-01", "127.0.0.1", server.port(), "root", List.of(clientKey),
                TestSshServer.CONNECT_TIMEOUT);
        SshSession session = transport.connect(target);
        toClose.add(session);
        return session;
    }
}
