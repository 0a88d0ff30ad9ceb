package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.common.channel.RequestHandler;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.ConnectionServiceRequestHandler;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keep-alive requests over SSH to real MINA servers that never reply to {@code keepalive@openssh.com}, with
 * {@code ServerAliveInterval} and {@code ServerAliveCountMax} set per target while the transport's own interval
 * differs. A run that outlasts the unanswered requests must fail with a message that names them.
 */
@Timeout(90)
class KeepAliveTest {

    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);
    /** Runs longer than 1 s keep-alives with a count of 2 or 3 take to close a connection. */
    private static final String LONG_COMMAND = "sleep 15; echo finished";
    /** The maximum time that 1 s keep-alives with a count of 2 or 3 may take to close a connection, with slack. */
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(10);

    @TempDir
    Path folder;

    private Path clientKey;
    private Path authorizedKeys;
    private Path knownHosts;
    /** Counts the keep-alive requests that the servers of a test received and did not reply to. */
    private final AtomicInteger unanswered = new AtomicInteger();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void makeKey() throws Exception {
        clientKey = TestSshServer.sshKeygen(folder, "id_ed25519", "-t", "ed25519");
        authorizedKeys = folder.resolve("authorized_keys");
        TestSshServer.authorize(authorizedKeys, clientKey);
        knownHosts = folder.resolve("known_hosts");
        Files.writeString(knownHosts, "");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void unansweredKeepAlivesNameTheCause() throws Exception {
        TestSshServer server = startServer(false);
        SshTarget target = resolve(server, Map.of("ServerAliveInterval", "1", "ServerAliveCountMax", "2"));
        SshSession session = connect(Duration.ofSeconds(30), target);

        long start = System.nanoTime();
        TransportException e = assertThrows(TransportException.class,
                () -> session.exec(LONG_COMMAND, null, line -> { }, EXEC_TIMEOUT));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertEquals(TransportException.Kind.CHANNEL_CLOSED, e.kind(), e.getMessage());
        assertEquals("host lab-01 (" + target.address() + "): the host replied to none of 2 keep-alive requests"
                + " sent 1 s apart, so the connection was closed. If the host is only slow, raise ServerAliveInterval"
                + " or ServerAliveCountMax (--ssh-option, the roster's ssh_options or the ssh config); set"
                + " ServerAliveInterval=0 to turn keep-alives off.", e.getMessage());
        assertTrue(elapsed.compareTo(CLOSE_LIMIT) < 0, "closed after " + elapsed.toMillis() + " ms");
        assertTrue(unanswered.get() >= 2, "server received " + unanswered.get() + " keep-alive requests");
    }

    @Test
    void zeroIntervalLetsCommandFinish() throws Exception {
        TestSshServer server = startServer(false);
        SshTarget target = resolve(server, Map.of("ServerAliveInterval", "0", "ServerAliveCountMax", "2"));
        // The transport's own 1 s interval would close the connection if the target's 0 did not replace it.
        SshSession session = connect(Duration.ofSeconds(1), target);
        List<String> output = new CopyOnWriteArrayList<>();

        ExecResult result = session.exec("sleep 8; echo finished", null, output::add, EXEC_TIMEOUT);

        assertEquals(0, result.exitStatus());
        assertEquals(List.of("finished"), output);
        assertEquals(0, unanswered.get(), "keep-alive requests were sent although ServerAliveInterval is 0");
    }

    @Test
    void transportIntervalAppliesWhenTargetSetsNone() throws Exception {
        TestSshServer server = startServer(false);
        SshTarget target = resolve(server, Map.of());
        SshSession session = connect(Duration.ofSeconds(1), target);

        TransportException e = assertThrows(TransportException.class,
                () -> session.exec(LONG_COMMAND, null, line -> { }, EXEC_TIMEOUT));

        assertEquals(TransportException.Kind.CHANNEL_CLOSED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("the host replied to none of 3 keep-alive requests sent 1 s apart"),
                e.getMessage());
    }

    @Test
    void unansweredJumpHostIsNamed() throws Exception {
        TestSshServer jump = startServer(true);
        TestSshServer inner = startServer(false);
        SshTarget jumpTarget = new SshTarget("lab-01 (jump host)", "127.0.0.1", jump.port(), "root",
                List.of(clientKey), TestSshServer.CONNECT_TIMEOUT).withKeepAlive(Duration.ofSeconds(1), 2);
        // The target's own keep-alives are off, so only the jump host's can close the connection.
        SshTarget target = new SshTarget("lab-01", "127.0.0.1", inner.port(), "root", List.of(clientKey),
                TestSshServer.CONNECT_TIMEOUT).withKeepAlive(Duration.ZERO, null).withJumpHosts(List.of(jumpTarget));
        SshSession session = connect(Duration.ofSeconds(30), target);

        TransportException e = assertThrows(TransportException.class,
                () -> session.exec(LONG_COMMAND, null, line -> { }, EXEC_TIMEOUT));

        assertEquals(TransportException.Kind.CHANNEL_CLOSED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("host lab-01 (" + target.address() + "): jump host "
                + jumpTarget.address() + " replied to none of 2 keep-alive requests sent 1 s apart"), e.getMessage());
        assertTrue(e.getMessage().contains("If the jump host is only slow"), e.getMessage());
    }

    /**
     * Starts a server that receives {@code keepalive@openssh.com} requests and never replies to them, so the
     * client's count of unanswered requests only grows.
     */
    private TestSshServer startServer(boolean forwarding) throws Exception {
        ConnectionServiceRequestHandler silent = new ConnectionServiceRequestHandler() {
            @Override
            public Result process(ConnectionService service, String request, boolean wantReply, Buffer buffer) {
                if (!"keepalive@openssh.com".equals(request)) {
                    return Result.Unsupported;
                }
                unanswered.incrementAndGet();
                // Replied means that the handler sent the reply itself, so MINA sends none.
                return Result.Replied;
            }
        };
        TestSshServer server = TestSshServer.start(authorizedKeys, TestSshServer.newHostKey(), sshd -> {
            sshd.setGlobalRequestHandlers(withFirst(silent, sshd));
            if (forwarding) {
                sshd.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
            }
        });
        toClose.add(server);
        Files.writeString(knownHosts, server.knownHostsLine() + "\n", StandardOpenOption.APPEND);
        return server;
    }

    /** Returns the server's global request handlers with {@code first} before them. */
    private static List<RequestHandler<ConnectionService>> withFirst(ConnectionServiceRequestHandler first,
                                                                    SshServer sshd) {
        List<RequestHandler<ConnectionService>> handlers = new ArrayList<>();
        handlers.add(first);
        if (sshd.getGlobalRequestHandlers() != null) {
            handlers.addAll(sshd.getGlobalRequestHandlers());
        }
        return handlers;
    }

    /** Resolves the target through {@link SshConfig} with {@code options} as {@code --ssh-option} values. */
    private SshTarget resolve(TestSshServer server, Map<String, String> options) throws TransportException {
        SshConfig config = new SshConfig(null, null, options, TestSshServer.CONNECT_TIMEOUT);
        HostSpec spec = new HostSpec("lab-01", "127.0.0.1", server.port(), "root", List.of(clientKey), null, null,
                Map.of(), null, null, null);
        return config.resolve(spec);
    }

    /** Connects with a transport whose own keep-alive interval is {@code transportInterval}. */
    private SshSession connect(Duration transportInterval, SshTarget target) throws TransportException {
        SshSettings settings = new SshSettings(knownHosts, false, SshSettings.DEFAULT_AUTH_TIMEOUT, transportInterval);
        SshTransport transport = new SshTransport(settings);
        toClose.add(transport);
        SshSession session = transport.connect(target);
        toClose.add(session);
        return session;
    }
}
