package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class SshConfigTest {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path folder;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private SshConfig config(String text, Map<String, String> options) throws Exception {
        Path file = folder.resolve("config");
        Files.writeString(file, text);
        return new SshConfig(file, folder.resolve("no-ssh-dir"), options, DEFAULT_TIMEOUT);
    }

    @Test
    void hostBlockSetsEveryKey() throws Exception {
        SshConfig config = config("""
                Host lab-*
                    HostName %h.example.test
                    Port 2222
                    User admin
                    IdentityFile /keys/%h_ed25519
                    IdentitiesOnly yes
                    ConnectTimeout 7
                    StrictHostKeyChecking accept-new
                    UserKnownHostsFile /keys/known_hosts /keys/other
                    ForwardAgent yes
                """, Map.of());

        SshTarget target = config.resolve(HostSpec.of("lab-07", "lab-07"));

        assertEquals("lab-07.example.test", target.host());
        assertEquals(2222, target.port());
        assertEquals("admin", target.user());
        assertEquals(List.of(Path.of("/keys/lab-07.example.test_ed25519")), target.identities());
        assertTrue(target.identitiesOnly());
        assertEquals(Duration.ofSeconds(7), target.connectTimeout());
        assertEquals(HostKeyPolicy.ACCEPT_NEW, target.hostKeyPolicy());
        assertEquals(Path.of("/keys/known_hosts"), target.knownHosts());
    }

    @Test
    void firstMatchingValueWins() throws Exception {
        SshConfig config = config("""
                Host lab-07
                    Port 2207
                Host !lab-09 lab-*
                    Port 2200
                    User fleet
                Host *
                    User nobody
                    Port 22
                """, Map.of());

        SshTarget seven = config.resolve(HostSpec.of("lab-07", "lab-07"));
        SshTarget nine = config.resolve(HostSpec.of("lab-09", "lab-09"));
        SshTarget other = config.resolve(HostSpec.of("web", "web"));

        assertEquals(2207, seven.port());
        assertEquals("fleet", seven.user());
        assertEquals(22, nine.port());
        assertEquals("nobody", nine.user());
        assertEquals("nobody", other.user());
        assertEquals("web", other.host());
    }

    @Test
    void rosterFieldsRankAboveConfig() throws Exception {
        SshConfig config = config("""
                Host lab-07
                    Port 2207
                    User admin
                    IdentityFile /keys/config_key
                    ConnectTimeout 7
                """, Map.of("Port", "2300"));
        HostSpec spec = new HostSpec("lab-07", "lab-07", 2400, "root", List.of(Path.of("/keys/roster_key")),
                Duration.ofSeconds(3), null, Map.of(), null, null, null);

        SshTarget target = config.resolve(spec);

        assertEquals(2400, target.port());
        assertEquals("root", target.user());
        assertEquals(List.of(Path.of("/keys/roster_key")), target.identities());
        assertEquals(Duration.ofSeconds(3), target.connectTimeout());
    }

    @Test
    void optionsRankAboveConfigFile() throws Exception {
        SshConfig config = config("""
                Host lab-07
                    Port 2207
                    User admin
                """, Map.of("port", "2300", "User", "cli"));
        HostSpec spec = new HostSpec("lab-07", "lab-07", null, null, List.of(), null, null, Map.of("User", "entry"),
                null, null, null);

        SshTarget target = config.resolve(spec);

        assertEquals(2300, target.port());
        assertEquals("entry", target.user());
    }

    @Test
    void defaultsApplyWithoutConfig() throws Exception {
        Path sshDirectory = Files.createDirectory(folder.resolve("dot-ssh"));
        Files.writeString(sshDirectory.resolve("id_rsa"), "key");
        Files.writeString(sshDirectory.resolve("id_ed25519"), "key");
        SshConfig config = new SshConfig(folder.resolve("missing-config"), sshDirectory, Map.of(), DEFAULT_TIMEOUT);

        SshTarget target = config.resolve(HostSpec.of("lab-07", "10.0.0.7"));

        assertEquals("10.0.0.7", target.host());
        assertEquals(22, target.port());
        assertEquals("root", target.user());
        assertEquals(List.of(sshDirectory.resolve("id_ed25519"), sshDirectory.resolve("id_rsa")), target.identities());
        assertEquals(DEFAULT_TIMEOUT, target.connectTimeout());
        assertNull(target.hostKeyPolicy());
        assertFalse(target.identitiesOnly());
        assertTrue(target.jumpHosts().isEmpty());
    }

    @Test
    void proxyJumpChainResolvesEachHop() throws Exception {
        SshConfig config = config("""
                Host lab-07
                    ProxyJump gate,admin@inner:2201
                Host gate
                    HostName gate.example.test
                    User jumper
                    ProxyJump bastion
                Host bastion
                    Port 2022
                """, Map.of());

        SshTarget target = config.resolve(HostSpec.of("lab-07", "lab-07"));

        List<String> hops = target.jumpHosts().stream().map(SshTarget::address).toList();
        assertEquals(List.of("root@bastion:2022", "jumper@gate.example.test:22", "admin@inner:2201"), hops);
    }

    @Test
    void proxyJumpLoopIsRejected() throws Exception {
        SshConfig config = config("""
                Host a
                    ProxyJump b
                Host b
                    ProxyJump a
                """, Map.of());

        TransportException e = assertThrows(TransportException.class, () -> config.resolve(HostSpec.of("a", "a")));

        assertEquals(TransportException.Kind.CONFIG_INVALID, e.kind());
        assertTrue(e.getMessage().contains("ProxyJump"), e.getMessage());
    }

    @Test
    void invalidValueNamesHostKeyAndFile() throws Exception {
        SshConfig config = config("""
                Host lab-07
                    StrictHostKeyChecking later
                """, Map.of());

        TransportException e = assertThrows(TransportException.class,
                () -> config.resolve(HostSpec.of("lab-07", "lab-07")));

        assertEquals(TransportException.Kind.CONFIG_INVALID, e.kind());
        assertTrue(e.getMessage().contains("host lab-07"), e.getMessage());
        assertTrue(e.getMessage().contains("StrictHostKeyChecking later"), e.getMessage());
        assertTrue(e.getMessage().contains(folder.resolve("config").toString()), e.getMessage());
    }

    @Test
    void includeAndMatchAreHandled() throws Exception {
        Path included = Files.createDirectories(folder.resolve("config.d"));
        Files.writeString(included.resolve("10-lab"), "Host lab-*\n    Port 2210\n");
        Files.writeString(included.resolve("20-other"), "Host lab-07\n    User second\n");
        Files.writeString(included.resolve("skipped.txt"), "Host lab-07\n    User wrong\n");
        SshConfig config = config("""
                Include config.d/[0-9]*
                Match host lab-07
                    Port 9999
                Host lab-07
                    HostName 10.0.0.7
                """, Map.of());

        SshTarget target = config.resolve(HostSpec.of("lab-07", "lab-07"));

        assertEquals(2210, target.port());
        assertEquals("second", target.user());
        assertEquals("10.0.0.7", target.host());
    }

    @Test
    void serverAliveOptionsFollowPrecedence() throws Exception {
        SshConfig config = config("""
                Host lab-*
                    ServerAliveInterval 60
                    ServerAliveCountMax 5
                """, Map.of("ServerAliveInterval", "20"));
        HostSpec withEntryOption = new HostSpec("lab-07", "lab-07", null, null, List.of(), null, null,
                Map.of("serveralivecountmax", "7"), null, null, null);

        SshTarget seven = config.resolve(withEntryOption);
        SshTarget eight = config.resolve(HostSpec.of("lab-08", "lab-08"));

        assertEquals(Duration.ofSeconds(20), seven.serverAliveInterval());
        assertEquals(7, seven.serverAliveCountMax());
        assertEquals(Duration.ofSeconds(20), eight.serverAliveInterval());
        assertEquals(5, eight.serverAliveCountMax());
    }

    @Test
    void serverAliveUnsetLeavesTransportDefault() throws Exception {
        SshConfig config = config("Host lab-07\n    Port 2207\n", Map.of());

        SshTarget target = config.resolve(HostSpec.of("lab-07", "lab-07"));

        assertNull(target.serverAliveInterval());
        assertNull(target.serverAliveCountMax());
        assertEquals(SshSettings.DEFAULT_KEEP_ALIVE, KeepAlive.interval(target, SshSettings.defaults(folder)));
        assertEquals(3, KeepAlive.countMax(target));
    }

    @Test
    void serverAliveIntervalTakesOpenSshTimes() throws Exception {
        Map<String, Long> secondsByValue = Map.of("0", 0L, "45", 45L, "1m30s", 90L, "2h", 7200L, "1d", 86400L,
                "1w", 604800L, "10S", 10L, "2147483647", 2147483647L);
        for (Map.Entry<String, Long> value : secondsByValue.entrySet()) {
            SshConfig config = config("Host lab-07\n    ServerAliveInterval " + value.getKey() + "\n", Map.of());

            SshTarget target = config.resolve(HostSpec.of("lab-07", "lab-07"));

            assertEquals(Duration.ofSeconds(value.getValue()), target.serverAliveInterval(), value.getKey());
        }
    }

    @Test
    void invalidServerAliveValuesNameSource() throws Exception {
        List<String> intervals = List.of("-1", "ten", "1x", "m", "1.5", "2147483648", "99999999999999999999");
        for (String value : intervals) {
            SshConfig config = config("Host lab-07\n    ServerAliveInterval " + value + "\n", Map.of());

            TransportException e = assertThrows(TransportException.class,
                    () -> config.resolve(HostSpec.of("lab-07", "lab-07")), value);

            assertEquals(TransportException.Kind.CONFIG_INVALID, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("host lab-07: ServerAliveInterval " + value + " from "
                    + folder.resolve("config") + " (Host lab-07) is invalid"), e.getMessage());
            assertTrue(e.getMessage().contains("or 0 to turn keep-alives off"), e.getMessage());
        }
        for (String value : List.of("0", "-2", "three", "1.5", "4294967296")) {
            SshConfig config = config("", Map.of("ServerAliveCountMax", value));

            TransportException e = assertThrows(TransportException.class,
                    () -> config.resolve(HostSpec.of("lab-07", "lab-07")), value);

            assertEquals(TransportException.Kind.CONFIG_INVALID, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("host lab-07: ServerAliveCountMax " + value
                    + " from --ssh-option is invalid. Use a whole number of 1 or more."), e.getMessage());
        }
        SshConfig config = config("", Map.of());
        HostSpec withEntryOption = new HostSpec("lab-07", "lab-07", null, null, List.of(), null, null,
                Map.of("ServerAliveInterval", "soon"), null, null, null);

        TransportException e = assertThrows(TransportException.class, () -> config.resolve(withEntryOption));

        assertTrue(e.getMessage().contains("ServerAliveInterval soon from the roster entry's ssh options is invalid"),
                e.getMessage());
    }

    @Test
    void connectTimeoutTakesOpenSshTimes() throws Exception {
        Map<String, Long> secondsByValue = Map.of("45", 45L, "1m30s", 90L, "2h", 7200L, "1d", 86400L, "1w", 604800L,
                "10S", 10L, "2147483647", 2147483647L);
        for (Map.Entry<String, Long> value : secondsByValue.entrySet()) {
            Duration expected = Duration.ofSeconds(value.getValue());
            SshConfig fromFile = config("Host lab-07\n    ConnectTimeout " + value.getKey() + "\n", Map.of());
            SshConfig fromCommandLine = config("", Map.of("ConnectTimeout", value.getKey()));
            SshConfig empty = config("", Map.of());
            HostSpec withEntryOption = new HostSpec("lab-07", "lab-07", null, null, List.of(), null, null,
                    Map.of("connecttimeout", value.getKey()), null, null, null);

            SshTarget fileTarget = fromFile.resolve(HostSpec.of("lab-07", "lab-07"));
            SshTarget commandLineTarget = fromCommandLine.resolve(HostSpec.of("lab-07", "lab-07"));
            SshTarget entryTarget = empty.resolve(withEntryOption);

            assertEquals(expected, fileTarget.connectTimeout(), "config file " + value.getKey());
            assertEquals(expected, commandLineTarget.connectTimeout(), "--ssh-option " + value.getKey());
            assertEquals(expected, entryTarget.connectTimeout(), "ssh_options " + value.getKey());
        }
    }

    @Test
    void invalidConnectTimeoutNamesSource() throws Exception {
        String advice = " is invalid. Use a positive whole number of seconds or a time such as 1m30s.";
        List<String> values = List.of("0", "0s", "0m0s", "-1", "ten", "1x", "m", "1.5", "2147483648",
                "99999999999999999999");
        for (String value : values) {
            SshConfig fromFile = config("Host lab-07\n    ConnectTimeout " + value + "\n", Map.of());
            SshConfig fromCommandLine = config("", Map.of("ConnectTimeout", value));
            SshConfig empty = config("", Map.of());
            HostSpec withEntryOption = new HostSpec("lab-07", "lab-07", null, null, List.of(), null, null,
                    Map.of("ConnectTimeout", value), null, null, null);

            TransportException fileError = assertThrows(TransportException.class,
                    () -> fromFile.resolve(HostSpec.of("lab-07", "lab-07")), value);
            TransportException commandLineError = assertThrows(TransportException.class,
                    () -> fromCommandLine.resolve(HostSpec.of("lab-07", "lab-07")), value);
            TransportException entryError = assertThrows(TransportException.class,
                    () -> empty.resolve(withEntryOption), value);

            assertEquals(TransportException.Kind.CONFIG_INVALID, fileError.kind(), fileError.getMessage());
            assertTrue(fileError.getMessage().contains("host lab-07: ConnectTimeout " + value + " from "
                    + folder.resolve("config") + " (Host lab-07)" + advice), fileError.getMessage());
            assertEquals(TransportException.Kind.CONFIG_INVALID, commandLineError.kind(), commandLineError.getMessage());
            assertTrue(commandLineError.getMessage().contains("host lab-07: ConnectTimeout " + value
                    + " from --ssh-option" + advice), commandLineError.getMessage());
            assertEquals(TransportException.Kind.CONFIG_INVALID, entryError.kind(), entryError.getMessage());
            assertTrue(entryError.getMessage().contains("host lab-07: ConnectTimeout " + value
                    + " from the roster entry's ssh options" + advice), entryError.getMessage());
        }
    }

    @Test
    void serverAliveOptionsParse() {
        assertEquals(Map.entry("ServerAliveInterval", "15"), SshConfig.parseOption("ServerAliveInterval=15"));
        assertEquals(Map.entry("ServerAliveCountMax", "4"), SshConfig.parseOption("ServerAliveCountMax 4"));
    }

    @Test
    void unparsableFileIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config("""
                Host lab-07
                    Port twenty
                """, Map.of()));

        assertTrue(e.getMessage().contains(folder.resolve("config").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("twenty"), e.getMessage());
    }

    @Test
    void unsupportedOptionIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SshConfig.parseOption("ForwardAgent=yes"));

        assertTrue(e.getMessage().contains("ForwardAgent"), e.getMessage());
        assertTrue(e.getMessage().contains("ProxyJump"), e.getMessage());
        assertEquals(Map.entry("Port", "2222"), SshConfig.parseOption("Port=2222"));
        assertEquals(Map.entry("User", "admin"), SshConfig.parseOption("User admin"));
        assertThrows(IllegalArgumentException.class, () -> SshConfig.parseOption("Port="));
    }

    @Test
    void configPortAndKeyReachServer() throws Exception {
        Path key = TestSshServer.sshKeygen(folder, "config_key", "-t", "ed25519");
        Path authorizedKeys = folder.resolve("authorized_keys");
        TestSshServer.authorize(authorizedKeys, key);
        TestSshServer server = TestSshServer.start(authorizedKeys);
        toClose.add(server);
        Path knownHosts = folder.resolve("known_hosts");
        Files.writeString(knownHosts, server.knownHostsLine() + "\n");
        SshConfig config = config("Host lab-07\n  HostName 127.0.0.1\n  Port " + server.port() + "\n  User admin\n"
                + "  IdentityFile " + key + "\n  UserKnownHostsFile " + knownHosts + "\n", Map.of());
        SshTransport transport = new SshTransport(SshSettings.defaults(folder.resolve("unused_known_hosts")));
        toClose.add(transport);

        SshSession session = transport.connect(config.resolve(HostSpec.of("lab-07", "lab-07")));
        toClose.add(session);
        List<String> lines = new ArrayList<>();
        ExecResult result = session.exec("echo connected", null, lines::add, Duration.ofSeconds(20));

        assertEquals(0, result.exitStatus());
        assertEquals(List.of("connected"), lines);
        assertFalse(Files.exists(folder.resolve("unused_known_hosts")));
    }
}
