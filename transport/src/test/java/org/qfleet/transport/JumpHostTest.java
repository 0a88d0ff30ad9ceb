package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.io.IoConnector;
import org.apache.sshd.common.io.IoServiceEventListener;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.forward.AcceptAllForwardingFilter;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connects through jump hosts to a target that only accepts TCP connections opened by a jump host's port forwarding.
 *
 * <p>Each jump server records the local address of every outgoing connection its forwarding opens. The target
 * server closes every new session whose peer address is not one of those, so a direct connection from the test's
 * client fails, while one forwarded by the jump server is served.
 */
@Timeout(120)
class JumpHostTest {

    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);
    /** How long the target waits for the jump server to report the connection that it just accepted. */
    private static final long PEER_WAIT_MILLIS = 3000;

    @TempDir
    Path folder;

    private Path clientKey;
    private Path authorizedKeys;
    private Path knownHosts;
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

    /** The local addresses of the connections that a jump server's forwarding opened. */
    private static final class ForwardedPeers {
        final Set<SocketAddress> addresses = ConcurrentHashMap.newKeySet();

        IoServiceEventListener recorder() {
            return new IoServiceEventListener() {
                @Override
                public void connectionEstablished(IoConnector connector, SocketAddress local,
                                                  AttributeRepository context, SocketAddress remote) {
                    addresses.add(normalize(local));
                }
            };
        }

        boolean awaitPeer(SocketAddress peer) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PEER_WAIT_MILLIS);
            while (System.nanoTime() < deadline) {
                if (addresses.contains(normalize(peer))) {
                    return true;
                }
                Thread.sleep(10);
            }
            return false;
        }

        private static SocketAddress normalize(SocketAddress address) {
            InetSocketAddress inet = (InetSocketAddress) address;
            return new InetSocketAddress(inet.getAddress(), inet.getPort());
        }
    }

    private TestSshServer startJumpServer(ForwardedPeers onlyFrom, ForwardedPeers recordInto) throws Exception {
        return startServer(onlyFrom, sshd -> {
            sshd.setForwardingFilter(AcceptAllForwardingFilter.INSTANCE);
            sshd.setIoServiceEventListener(listener(onlyFrom, recordInto));
            if (onlyFrom != null) {
                sshd.addSessionListener(peerCheck(onlyFrom));
            }
        });
    }

    private TestSshServer startTargetServer(ForwardedPeers onlyFrom) throws Exception {
        return startServer(onlyFrom, sshd -> sshd.addSessionListener(peerCheck(onlyFrom)));
    }

    private TestSshServer startServer(ForwardedPeers onlyFrom, java.util.function.Consumer<SshServer> customize)
            throws Exception {
        TestSshServer server = TestSshServer.start(authorizedKeys, TestSshServer.newHostKey(), customize);
        toClose.add(server);
        Files.writeString(knownHosts, server.knownHostsLine() + "\n", java.nio.file.StandardOpenOption.APPEND);
        return server;
    }

    private static IoServiceEventListener listener(ForwardedPeers onlyFrom, ForwardedPeers recordInto) {
        IoServiceEventListener recorder = recordInto == null ? null : recordInto.recorder();
        return new IoServiceEventListener() {
            @Override
            public void connectionEstablished(IoConnector connector, SocketAddress local, AttributeRepository context,
                                              SocketAddress remote) throws IOException {
                if (recorder != null) {
                    recorder.connectionEstablished(connector, local, context, remote);
                }
            }
        };
    }

    /** Closes every session whose peer is not a connection that the jump server's forwarding opened. */
    private static SessionListener peerCheck(ForwardedPeers onlyFrom) {
        return new SessionListener() {
            @Override
            public void sessionCreated(Session session) {
                try {
                    if (!onlyFrom.awaitPeer(session.getIoSession().getRemoteAddress())) {
                        session.close(true);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    session.close(true);
                }
            }
        };
    }

    private SshTarget target(String id, TestSshServer server) {
        return new SshTarget(id, "127.0.0.1", server.port(), "root", List.of(clientKey), TestSshServer.CONNECT_TIMEOUT);
    }

    private SshTransport transport() {
        SshTransport transport = new SshTransport(SshSettings.defaults(knownHosts).withRetries(1, Duration.ZERO));
        toClose.add(transport);
        return transport;
    }

    @Test
    void targetRejectsDirectConnection() throws Exception {
        ForwardedPeers viaJump = new ForwardedPeers();
        startJumpServer(null, viaJump);
        TestSshServer inner = startTargetServer(viaJump);

        TransportException e = assertThrows(TransportException.class,
                () -> transport().connect(target("inner", inner)));

        assertEquals(TransportException.Kind.UNREACHABLE, e.kind(), e.getMessage());
    }

    @Test
    void rejectedForwardNamesJumpHost() throws Exception {
        TestSshServer jump = startServer(null, sshd -> sshd.setForwardingFilter(RejectAllForwardingFilter.INSTANCE));
        TestSshServer inner = startTargetServer(new ForwardedPeers());
        SshTarget target = target("inner", inner).withJumpHosts(List.of(target("gate", jump)));

        TransportException e = assertThrows(TransportException.class, () -> transport().connect(target));

        assertEquals(TransportException.Kind.UNREACHABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("host inner (root@127.0.0.1:" + inner.port() + "): jump host gate"
                + " (root@127.0.0.1:" + jump.port() + ") rejected the forwarded connection to 127.0.0.1:"
                + inner.port()), e.getMessage());
        assertTrue(e.getMessage().contains("AllowTcpForwarding"), e.getMessage());
    }

    @Test
    void oneJumpHostReachesTarget() throws Exception {
        ForwardedPeers viaJump = new ForwardedPeers();
        TestSshServer jump = startJumpServer(null, viaJump);
        TestSshServer inner = startTargetServer(viaJump);
        SshTarget target = target("inner", inner).withJumpHosts(List.of(target("inner (jump)", jump)));

        try (SshSession session = transport().connect(target)) {
            assertEquals(List.of("through the jump host"), echo(session, "through the jump host"));
        }

        assertTrue(waitForNoSession(jump), "the jump host session stayed open after the target session closed");
        assertEquals(1, viaJump.addresses.size(), "expected exactly one forwarded connection");
    }

    @Test
    void twoJumpHostsFromConfigReachTarget() throws Exception {
        ForwardedPeers viaFirst = new ForwardedPeers();
        ForwardedPeers viaSecond = new ForwardedPeers();
        TestSshServer first = startJumpServer(null, viaFirst);
        TestSshServer second = startJumpServer(viaFirst, viaSecond);
        TestSshServer inner = startTargetServer(viaSecond);
        Path config = folder.resolve("config");
        Files.writeString(config, "Host inner\n  HostName 127.0.0.1\n  Port " + inner.port() + "\n"
                + "  ProxyJump first,second\n  IdentityFile " + clientKey + "\n"
                + "Host first\n  HostName 127.0.0.1\n  Port " + first.port() + "\n  IdentityFile " + clientKey + "\n"
                + "Host second\n  HostName 127.0.0.1\n  Port " + second.port() + "\n  IdentityFile " + clientKey + "\n");
        SshConfig sshConfig = new SshConfig(config, null, Map.of(), TestSshServer.CONNECT_TIMEOUT);

        SshTarget target = sshConfig.resolve(HostSpec.of("inner", "inner"));
        try (SshSession session = transport().connect(target)) {
            assertEquals(List.of("two hops"), echo(session, "two hops"));
        }

        assertEquals(2, target.jumpHosts().size());
        assertTrue(waitForNoSession(first), "the first jump host session stayed open");
        assertTrue(waitForNoSession(second), "the second jump host session stayed open");
    }

    @Test
    void targetHostKeyIsCheckedThroughJump() throws Exception {
        ForwardedPeers viaJump = new ForwardedPeers();
        TestSshServer jump = startJumpServer(null, viaJump);
        TestSshServer inner = startTargetServer(viaJump);
        Files.writeString(knownHosts, jump.knownHostsLine() + "\n");
        SshTarget target = target("inner", inner).withJumpHosts(List.of(target("inner (jump)", jump)));

        TransportException e = assertThrows(TransportException.class, () -> transport().connect(target));

        assertEquals(TransportException.Kind.HOST_KEY_UNKNOWN, e.kind());
        assertTrue(e.getMessage().contains("root@127.0.0.1:" + inner.port()), e.getMessage());
        assertTrue(waitForNoSession(jump), "the jump host session stayed open after the failure");
    }

    private static boolean waitForNoSession(TestSshServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (server.server.getActiveSessions().isEmpty()) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static List<String> echo(SshSession session, String text) throws TransportException {
        List<String> lines = new ArrayList<>();
        ExecResult result = session.exec("echo " + text, null, lines::add, EXEC_TIMEOUT);
        assertEquals(0, result.exitStatus(), result.stderr());
        return lines;
    }
}
