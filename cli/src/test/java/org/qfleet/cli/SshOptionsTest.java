package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.roster.RosterEntry;
import org.qfleet.transport.HostSpec;
import org.qfleet.transport.SshSettings;
import org.qfleet.transport.SshTarget;
import picocli.CommandLine;

class SshOptionsTest {

    @TempDir
    Path folder;

    private static RosterEntry entry(String id, int port, String user, String priv, boolean sudo, String sudoUser,
                                     List<String> sshOptions) {
        return new RosterEntry(id, id, port, user, "login-secret", priv, "key-secret", sudo, sudoUser, false, null,
                Map.of(), null, sshOptions, Map.of(), List.of());
    }

    @Test
    void specMapsRosterFields() {
        HostSpec spec = SshOptions.spec(entry("lab-01", 2222, "admin", "/keys/lab", true, "qubes",
                List.of("ProxyJump=bastion")));

        assertEquals(2222, spec.port());
        assertEquals("admin", spec.user());
        assertEquals(List.of(Path.of("/keys/lab")), spec.identities());
        assertEquals("login-secret", spec.password());
        assertEquals("key-secret", spec.keyPassphrase());
        assertEquals(new SshTarget.Sudo("qubes"), spec.sudo());
        assertEquals(Map.of("ProxyJump", "bastion"), spec.options());
    }

    @Test
    void rosterDefaultsYieldToSshConfig() {
        HostSpec spec = SshOptions.spec(entry("lab-01", 22, "root", "agent-forwarding", false, null, List.of()));

        assertNull(spec.port());
        assertNull(spec.user());
        assertTrue(spec.identities().isEmpty());
        assertNull(spec.sudo());
    }

    @Test
    void commandLineAndConfigFileResolveTargets() throws Exception {
        Path config = folder.resolve("ssh_config");
        Files.writeString(config, "Host lab-*\n  HostName 10.0.0.7\n  Port 2200\n  User fleet\n");
        SshOptions options = new SshOptions();
        new CommandLine(options).parseArgs("--ssh-config", config.toString(), "--ssh-option", "Port=2300",
                "--timeout", "90", "--idle-timeout", "30", "--ignore-host-keys", "--local");
        RosterEntry entry = entry("lab-01", 22, "root", null, false, null, List.of());

        SshSettings settings = options.settings(QfleetConfig.defaults(), false, List.of(entry));
        SshTarget target = options.target(entry);

        assertEquals("10.0.0.7", target.host());
        assertEquals(2300, target.port());
        assertEquals("fleet", target.user());
        assertEquals(Duration.ofSeconds(90), settings.hostTimeout());
        assertEquals(Duration.ofSeconds(30), settings.idleTimeout());
        assertTrue(settings.ignoreHostKeys());
        assertTrue(settings.local());
    }

    @Test
    void serverAliveOptionsReachTarget() throws Exception {
        SshOptions options = new SshOptions();
        new CommandLine(options).parseArgs("--ssh-config", folder.resolve("none").toString(), "--ssh-option",
                "ServerAliveInterval=5", "--ssh-option", "ServerAliveCountMax=2");
        RosterEntry entry = entry("lab-01", 22, "root", null, false, null, List.of("ServerAliveCountMax=4"));

        options.settings(QfleetConfig.defaults(), false, List.of(entry));
        SshTarget target = options.target(entry);

        assertEquals(Duration.ofSeconds(5), target.serverAliveInterval());
        assertEquals(4, target.serverAliveCountMax());
    }

    @Test
    void invalidServerAliveIsUsageError() {
        SshOptions options = new SshOptions();
        new CommandLine(options).parseArgs("--ssh-config", folder.resolve("none").toString(), "--ssh-option",
                "ServerAliveCountMax=0");
        RosterEntry entry = entry("lab-02", 22, "root", null, false, null, List.of());

        UsageException e = assertThrows(UsageException.class,
                () -> options.settings(QfleetConfig.defaults(), false, List.of(entry)));

        assertTrue(e.getMessage().contains("host lab-02: ServerAliveCountMax 0 from --ssh-option is invalid"),
                e.getMessage());
    }

    @Test
    void sshOptionHelpListsServerAlive() {
        String usage = new CommandLine(new SshOptions()).getUsageMessage();

        assertTrue(usage.contains("ServerAliveInterval"), usage);
        assertTrue(usage.contains("ServerAliveCountMax"), usage);
    }

    @Test
    void unsupportedOptionIsUsageError() {
        SshOptions options = new SshOptions();
        new CommandLine(options).parseArgs("--ssh-option", "ForwardAgent=yes");

        UsageException e = assertThrows(UsageException.class,
                () -> options.settings(QfleetConfig.defaults(), false, List.of()));

        assertTrue(e.getMessage().contains("ForwardAgent"), e.getMessage());
    }

    @Test
    void invalidRosterSshOptionNamesHost() {
        SshOptions options = new SshOptions();
        new CommandLine(options).parseArgs("--ssh-config", folder.resolve("none").toString());
        RosterEntry entry = entry("lab-03", 22, "root", null, false, null, List.of("Port=many"));

        UsageException e = assertThrows(UsageException.class,
                () -> options.settings(QfleetConfig.defaults(), false, List.of(entry)));

        assertTrue(e.getMessage().contains("lab-03"), e.getMessage());
        assertTrue(e.getMessage().contains("Port many"), e.getMessage());
    }
}
