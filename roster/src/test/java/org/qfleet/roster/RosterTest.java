package org.qfleet.roster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RosterTest {

    @TempDir
    Path folder;

    @Test
    void stringAndMappingEntries() throws Exception {
        Path file = write("roster", """
                lab-01: 10.0.0.11
                lab-02:
                  host: lab-02.example.org
                  port: 2222
                  user: admin
                  passwd: s3cret
                  priv: /etc/qfleet/lab_ed25519
                  priv_passwd: ''
                  sudo: true
                  sudo_user: root
                  tty: false
                  timeout: 2.5
                  minion_opts: {log_level: debug}
                  thin_dir: /var/tmp/qfleet
                  set_path: /usr/local/bin:/usr/bin
                  ssh_options: ['ServerAliveInterval=10']
                  grains: {role: lab, rack: 3}
                  manage: ['work-*', sys-usb]
                """);

        List<RosterEntry> entries = Roster.load(file).entries();

        assertEquals(2, entries.size());
        RosterEntry first = entries.get(0);
        assertEquals("lab-01", first.id());
        assertEquals("10.0.0.11", first.host());
        RosterEntry second = entries.get(1);
        assertEquals("lab-02.example.org", second.host());
        assertEquals(2222, second.port());
        assertEquals("admin", second.user());
        assertEquals("s3cret", second.passwd());
        assertEquals("/etc/qfleet/lab_ed25519", second.priv());
        assertEquals(Duration.ofMillis(2500), second.timeout());
        assertEquals("", second.privPasswd());
        assertTrue(second.sudo());
        assertEquals("root", second.sudoUser());
        assertFalse(second.tty());
        assertEquals(Map.of("log_level", "debug"), second.minionOpts());
        assertEquals("/usr/local/bin:/usr/bin", second.setPath());
        assertEquals(List.of("ServerAliveInterval=10"), second.sshOptions());
        assertEquals(Map.of("role", "lab", "rack", 3), second.grains());
        assertEquals(List.of("role", "rack"), List.copyOf(second.grains().keySet()));
        assertEquals(List.of("work-*", "sys-usb"), second.manage());
    }

    @Test
    void ignoredKeyAcceptedWithNotice() throws Exception {
        Path file = write("roster", """
                lab-01:
                  thin_dir: /var/tmp/salt
                lab-02:
                  thin_dir: /var/tmp/salt
                  disable_wipe: true
                """);

        Roster roster = Roster.load(file);

        assertEquals(2, roster.entries().size());
        assertEquals(List.of(
                file + ", line 2: host 'lab-01': key 'thin_dir' is ignored: qfleet copies nothing to the host, so it"
                        + " has no thin directory. (set on 2 hosts; first shown)",
                file + ", line 5: host 'lab-02': key 'disable_wipe' is ignored: qfleet copies nothing to the host, so"
                        + " there is nothing to wipe."), roster.notices());
    }

    @Test
    void rosterWithoutIgnoredKeysHasNoNotices() throws Exception {
        assertEquals(List.of(), Roster.load(write("roster", "lab-01: {port: 22}\n")).notices());
    }

    @Test
    void newKeysRejectInvalidValues() throws Exception {
        Path file = write("roster", """
                lab-01:
                  priv_passwd: 1234
                  sudo_user: two words
                  tty: yes please
                  minion_opts: [a]
                  set_path: 5
                  ssh_options: ['-o Port=22']
                  sudo: 1
                """);

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        String where = file + ", line ";
        assertEquals(List.of(
                where + "2: host 'lab-01': field 'priv_passwd': invalid value (hidden, an integer). Expected a string;"
                        + " quote the value in YAML if it should be text.",
                where + "3: host 'lab-01': field 'sudo_user': invalid value 'two words'. Expected a user name without"
                        + " spaces.",
                where + "4: host 'lab-01': field 'tty': invalid value 'yes please'. Expected true or false.",
                where + "5: host 'lab-01': field 'minion_opts': invalid value [a]. Expected a mapping.",
                where + "6: host 'lab-01': field 'set_path': invalid value 5. Expected a string; quote the value in"
                        + " YAML if it should be text.",
                where + "7: host 'lab-01': field 'ssh_options': invalid value [-o Port=22]. Its item '-o Port=22' is"
                        + " not in Option=value form, such as 'ServerAliveInterval=10'.",
                where + "8: host 'lab-01': field 'sudo': invalid value 1. Expected true or false."), e.problems());
        assertFalse(e.getMessage().contains("1234"), "the passphrase leaked into: " + e.getMessage());
    }

    @Test
    void sshOptionsAcceptSpaceOrEquals() throws Exception {
        RosterEntry entry = Roster.parse("lab-01: {ssh_options: ['Port=2222', 'ServerAliveInterval 10']}",
                folder.resolve("roster")).entries().get(0);

        assertEquals(List.of("Port=2222", "ServerAliveInterval 10"), entry.sshOptions());
    }

    @Test
    void missingKeysGetSaltSshDefaults() throws Exception {
        Path file = write("roster", """
                lab-05: {}
                lab-06:
                  port: "2200"
                """);

        List<RosterEntry> entries = Roster.load(file).entries();

        RosterEntry bare = entries.get(0);
        assertEquals("lab-05", bare.host());
        assertEquals(22, bare.port());
        assertEquals("root", bare.user());
        assertNull(bare.priv());
        assertNull(bare.passwd());
        assertNull(bare.timeout());
        assertNull(bare.privPasswd());
        assertFalse(bare.sudo());
        assertNull(bare.sudoUser());
        assertFalse(bare.tty());
        assertEquals(Map.of(), bare.minionOpts());
        assertNull(bare.setPath());
        assertEquals(List.of(), bare.sshOptions());
        assertEquals(Map.of(), bare.grains());
        assertEquals(List.of(), bare.manage());
        assertEquals(2200, entries.get(1).port());
        assertEquals("lab-06", entries.get(1).host());
    }

    @Test
    void jinjaLoopGeneratesEntries() throws Exception {
        Path file = write("roster", """
                {% for i in range(3) %}
                lab-0{{ i + 1 }}:
                  host: 10.0.0.{{ 11 + i }}
                  port: {{ 2200 + i }}
                {% endfor %}
                """);

        List<RosterEntry> entries = Roster.load(file).entries();

        assertEquals(List.of("lab-01", "lab-02", "lab-03"), entries.stream().map(RosterEntry::id).toList());
        assertEquals(List.of("10.0.0.11", "10.0.0.12", "10.0.0.13"), entries.stream().map(RosterEntry::host).toList());
        assertEquals(List.of(2200, 2201, 2202), entries.stream().map(RosterEntry::port).toList());
    }

    @Test
    void privPathsResolveAgainstRosterFolder() throws Exception {
        Path file = write("fleet/roster", """
                relative: {priv: keys/lab_ed25519}
                dotted: {priv: ../shared_key}
                home: {priv: ~/.ssh/id_ed25519}
                absolute: {priv: /etc/qfleet/key}
                agent: {priv: agent-forwarding}
                """);

        List<RosterEntry> entries = Roster.load(file).entries();

        Path fleet = folder.resolve("fleet").toAbsolutePath();
        assertEquals(fleet.resolve("keys/lab_ed25519").toString(), entries.get(0).priv());
        assertEquals(folder.toAbsolutePath().resolve("shared_key").toString(), entries.get(1).priv());
        assertEquals(Path.of(System.getProperty("user.home"), ".ssh/id_ed25519").toString(), entries.get(2).priv());
        assertEquals("/etc/qfleet/key", entries.get(3).priv());
        assertEquals("agent-forwarding", entries.get(4).priv());
    }

    @Test
    void secretsHiddenFromToString() throws Exception {
        RosterEntry entry = Roster.parse("lab-01: {passwd: hunter2, priv_passwd: open-sesame}",
                folder.resolve("roster")).entries().get(0);

        assertFalse(entry.toString().contains("hunter2"), entry.toString());
        assertFalse(entry.toString().contains("open-sesame"), entry.toString());
        assertTrue(entry.toString().contains("passwd=***"), entry.toString());
        assertTrue(entry.toString().contains("privPasswd=***"), entry.toString());
    }

    @Test
    void everyProblemReportedTogether() throws Exception {
        Path file = write("roster", """
                lab-01:
                  prot: 22
                lab-02:
                  port: 70000
                lab-03:
                  timeout: -5
                lab-04:
                  user: 42
                  sudo: maybe
                123: 10.0.0.9
                lab-05:
                  passwd: 12345
                  manage: []
                lab-06:
                  cmd_umask: 077
                  ssh_options: ServerAliveInterval=10
                lab-07:
                lab-08: [a, b]
                lab-09:
                  timeout: soon
                  port: abc
                  grains: [x]
                """);

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        List<String> problems = e.problems();
        String where = file + ", line ";
        assertEquals(List.of(
                where + "2: host 'lab-01': unknown key 'prot'. Did you mean 'port'? Valid keys: " + RosterKey.validKeys()
                        + ".",
                where + "4: host 'lab-02': field 'port': invalid value 70000. Expected an integer from 1 to 65535.",
                where + "6: host 'lab-03': field 'timeout': invalid value -5. Expected a positive number of seconds,"
                        + " at most 86400 (one day).",
                where + "8: host 'lab-04': field 'user': invalid value 42. Expected a user name; quote the value in"
                        + " YAML if it should be text.",
                where + "9: host 'lab-04': field 'sudo': invalid value 'maybe'. Expected true or false.",
                where + "10: host ID 123 is an integer, not a non-empty string. Quote it in YAML, for example '123':",
                where + "12: host 'lab-05': field 'passwd': invalid value (hidden, an integer). Expected a string;"
                        + " quote the value in YAML if it should be text.",
                where + "13: host 'lab-05': field 'manage': invalid value []. An empty list would let qfleet change"
                        + " no qube. Remove the key to allow every qube, or list globs such as ['work-*', 'sys-usb'].",
                where + "15: host 'lab-06': key 'cmd_umask' is a salt-ssh setting that qfleet does not support."
                        + " Remove it.",
                where + "16: host 'lab-06': field 'ssh_options': invalid value 'ServerAliveInterval=10'. Expected a"
                        + " list of Option=value strings.",
                where + "17: host 'lab-07': has no value. Give a host name (lab-07: 10.0.0.5) or a mapping of"
                        + " settings.",
                where + "18: host 'lab-08': the value is a list. Give a host name or a mapping of settings.",
                where + "20: host 'lab-09': field 'timeout': invalid value 'soon'. Expected a positive number of"
                        + " seconds, at most 86400 (one day).",
                where + "21: host 'lab-09': field 'port': invalid value 'abc'. Expected an integer from 1 to 65535.",
                where + "22: host 'lab-09': field 'grains': invalid value [x]. Expected a mapping of grain names to"
                        + " values."), problems);
        assertTrue(e.getMessage().startsWith("Invalid roster " + file + " (15 problems):\n"), e.getMessage());
        assertFalse(e.getMessage().contains("12345"), "the password leaked into: " + e.getMessage());
    }

    @Test
    void duplicateKeysReportedWithLines() throws Exception {
        Path file = write("roster", """
                lab-01: 10.0.0.1
                lab-02:
                  port: 22
                  port: 2222
                  grains:
                    role: a
                    role: b
                lab-01: 10.0.0.2
                """);

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        assertEquals(List.of(
                file + ", line 8: duplicate host ID 'lab-01' (first on line 1). Remove one of them.",
                file + ", line 4: host 'lab-02': duplicate field 'port' (first on line 3). Remove one of them.",
                file + ", line 7: host 'lab-02': field 'grains': duplicate key 'role' (first on line 6)."
                        + " Remove one of them."), e.problems());
    }

    @Test
    void jinjaOutputLinesAreLabelled() throws Exception {
        Path file = write("roster", """
                {% set base = 2200 %}
                lab-01:
                  port: {{ base * 100 }}
                """);

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        assertEquals(List.of(file + ", line 3 of the Jinja output: host 'lab-01': field 'port': invalid value 220000."
                + " Expected an integer from 1 to 65535."), e.problems());
    }

    @Test
    void mergeKeysApplyInsideEntries() throws Exception {
        Path file = write("roster", """
                lab-01: &lab
                  port: 2222
                  user: admin
                lab-02:
                  <<: *lab
                  user: ops
                """);

        RosterEntry merged = Roster.load(file).entries().get(1);

        assertEquals(2222, merged.port());
        assertEquals("ops", merged.user());
    }

    @Test
    void missingFileNamesPath() {
        Path missing = folder.resolve("no-such-roster");

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(missing));

        assertTrue(e.getMessage().startsWith("Roster file " + missing.toAbsolutePath() + " not found."), e.getMessage());
    }

    @Test
    void yamlSyntaxErrorNamesLine() throws Exception {
        Path file = write("roster", """
                lab-01: 10.0.0.1
                lab-02: {host: 10.0.0.2
                lab-03: 10.0.0.3
                """);

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        assertTrue(e.getMessage().startsWith(file + ", line "), e.getMessage());
        assertTrue(e.getMessage().contains("invalid YAML"), e.getMessage());
    }

    @Test
    void jinjaErrorNamesLine() throws Exception {
        Path file = write("roster", """
                lab-01: 10.0.0.1
                {% for i in range(2) %}
                lab-1{{ i }}: 10.0.1.{{ i }}
                """);

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        assertTrue(e.getMessage().startsWith("Roster " + file + " failed to render with Jinja."), e.getMessage());
        assertEquals(List.of(file + ", line 2: Jinja syntax error: '{% for i in range(2) %}' has no matching"
                + " '{% endfor %}'. Add '{% endfor %}' where the block ends."), e.problems());
    }

    @Test
    void topLevelListRejected() throws Exception {
        Path file = write("roster", "- lab-01\n- lab-02\n");

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        assertEquals(file + ", line 1: the roster must be a mapping of host IDs to a host name or to a mapping of"
                + " settings, but it is a list.", e.getMessage());
    }

    @Test
    void emptyFileHasNoEntries() throws Exception {
        assertEquals(List.of(), Roster.load(write("roster", "# no hosts yet\n")).entries());
    }

    private Path write(String name, String content) throws IOException {
        Path file = folder.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }
}
