package org.qfleet.roster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RosterDefaultsTest {

    @TempDir
    Path folder;

    @Test
    void defaultsApplyUnderEveryEntry() throws Exception {
        RosterDefaults defaults = defaults(Map.of("user", "admin", "port", 2222, "sudo", true, "timeout", 3));

        List<RosterEntry> entries = load("""
                lab-01: 10.0.0.1
                lab-02: {host: 10.0.0.2}
                lab-03: {host: 10.0.0.3, user: ops, port: 22, sudo: false}
                """, defaults);

        RosterEntry plain = entries.get(0);
        assertEquals("10.0.0.1", plain.host());
        assertEquals("admin", plain.user());
        assertEquals(2222, plain.port());
        assertTrue(plain.sudo());
        assertEquals(Duration.ofSeconds(3), plain.timeout());
        assertEquals("admin", entries.get(1).user());
        RosterEntry own = entries.get(2);
        assertEquals("ops", own.user());
        assertEquals(22, own.port());
        assertFalse(own.sudo());
        assertEquals(Duration.ofSeconds(3), own.timeout());
    }

    @Test
    void entryMappingReplacesDefaultMapping() throws Exception {
        RosterDefaults defaults = defaults(Map.of("grains", Map.of("site", "lab", "tier", 1),
                "minion_opts", Map.of("log_level", "info")));

        List<RosterEntry> entries = load("""
                lab-01: {grains: {role: web}}
                lab-02: {}
                """, defaults);

        assertEquals(Map.of("role", "web"), entries.get(0).grains());
        assertEquals(Map.of("log_level", "info"), entries.get(0).minionOpts());
        assertEquals(Map.of("site", "lab", "tier", 1), entries.get(1).grains());
    }

    @Test
    void entryListReplacesDefaultList() throws Exception {
        RosterDefaults defaults = defaults(Map.of("manage", List.of("work-*"), "ssh_options", List.of("Compression=yes")));

        List<RosterEntry> entries = load("""
                lab-01: {manage: [sys-usb], ssh_options: ['ServerAliveInterval=5']}
                lab-02: {}
                """, defaults);

        assertEquals(List.of("sys-usb"), entries.get(0).manage());
        assertEquals(List.of("ServerAliveInterval=5"), entries.get(0).sshOptions());
        assertEquals(List.of("work-*"), entries.get(1).manage());
        assertEquals(List.of("Compression=yes"), entries.get(1).sshOptions());
    }

    @Test
    void everyHostGetsItsOwnCopy() throws Exception {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("zone", "a");
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("net", nested);
        RosterDefaults defaults = defaults(Map.of("grains", grains));

        List<RosterEntry> entries = load("lab-01: {}\nlab-02: {}\n", defaults);
        nested.put("zone", "changed after loading");

        Object first = entries.get(0).grains().get("net");
        Object second = entries.get(1).grains().get("net");
        assertNotSame(first, second);
        assertEquals(Map.of("zone", "a"), first);
        assertEquals(Map.of("zone", "a"), second);
        assertThrows(UnsupportedOperationException.class, () -> entries.get(0).grains().put("x", 1));
    }

    @Test
    void defaultHostWinsOverId() throws Exception {
        // salt-ssh fills the host from the ID only after the merge, so a default host applies to every entry.
        List<RosterEntry> entries = load("lab-01: {}\n", defaults(Map.of("host", "bastion.example.org")));

        assertEquals("bastion.example.org", entries.get(0).host());
    }

    @Test
    void defaultPrivResolvesAgainstConfigFolder() throws Exception {
        RosterDefaults defaults = RosterDefaults.of(Map.of("priv", "keys/fleet"), "qfleet.yaml", folder.resolve("conf"));
        Path roster = folder.resolve("rosters/roster");
        Files.createDirectories(roster.getParent());
        Files.writeString(roster, "lab-01: {}\nlab-02: {priv: own}\n");

        List<RosterEntry> entries = Roster.load(roster, defaults).entries();

        assertEquals(folder.resolve("conf/keys/fleet").toString(), entries.get(0).priv());
        assertEquals(folder.resolve("rosters/own").toString(), entries.get(1).priv());
    }

    @Test
    void invalidDefaultsListEveryProblem() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("usr", "admin");
        values.put("port", "x");
        values.put("passwd", 99);
        values.put("cmd_umask", "077");

        RosterException e = assertThrows(RosterException.class,
                () -> RosterDefaults.of(values, "/etc/qfleet.yaml", folder));

        String where = "/etc/qfleet.yaml: roster_defaults: ";
        assertEquals(List.of(
                where + "unknown key 'usr'. Did you mean 'user'? Valid keys: " + RosterKey.validKeys() + ".",
                where + "field 'port': invalid value 'x'. Expected an integer from 1 to 65535.",
                where + "field 'passwd': invalid value (hidden, an integer). Expected a string; quote the value in"
                        + " YAML if it should be text.",
                where + "key 'cmd_umask' is a salt-ssh setting that qfleet does not support. Remove it."),
                e.problems());
        assertTrue(e.getMessage().startsWith("Invalid roster_defaults in /etc/qfleet.yaml (4 problems):"),
                e.getMessage());
        assertFalse(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void ignoredDefaultKeyGivesNotice() throws Exception {
        RosterDefaults defaults = RosterDefaults.of(Map.of("thin_dir", "/tmp/x"), "qfleet.yaml", folder);

        Roster roster = Roster.parse("lab-01: {}", "roster", folder, defaults);

        assertEquals(List.of("qfleet.yaml: roster_defaults: key 'thin_dir' is ignored: qfleet copies nothing to the"
                + " host, so it has no thin directory."), roster.notices());
    }

    @Test
    void shownDefaultsHideSecrets() throws Exception {
        RosterDefaults defaults = defaults(Map.of("passwd", "hunter2", "priv_passwd", "key-pass", "timeout", 2.5));

        assertEquals(Map.of("passwd", "***", "priv_passwd", "***", "timeout", 2.5), defaults.withoutSecrets());
    }

    private RosterDefaults defaults(Map<String, Object> values) throws RosterException {
        return RosterDefaults.of(values, "qfleet.yaml", folder);
    }

    private List<RosterEntry> load(String yaml, RosterDefaults defaults) throws Exception {
        Path file = folder.resolve("roster");
        Files.writeString(file, yaml);
        return Roster.load(file, defaults).entries();
    }
}
