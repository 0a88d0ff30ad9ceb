package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.qfleet.roster.HttpRoster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QfleetConfigTest {

    @TempDir
    Path dir;

    @Test
    void relativePathsResolveAgainstTheFile() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "roster_file: roster\nknown_hosts: keys/known_hosts\nfile_roots: [salt, /srv/other]\n"
                + "max_procs: 4\ntimeout: 7\n");

        QfleetConfig config = QfleetConfig.load(file);

        assertEquals(dir.resolve("roster"), config.rosterFile());
        assertEquals(dir.resolve("keys/known_hosts"), config.knownHosts());
        assertEquals(List.of(dir.resolve("salt"), Path.of("/srv/other")), config.fileRoots());
        assertEquals(4, config.maxProcs());
        assertEquals(Duration.ofSeconds(7), config.connectTimeout());
    }

    @Test
    void everyProblemIsReportedAtOnce() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "roster: roster\nmax_procs: 0\ntimeout: soon\n");

        UsageException error = assertThrows(UsageException.class, () -> QfleetConfig.load(file));

        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains(file + ", line 1: unknown setting 'roster'"), error.getMessage());
        assertTrue(error.getMessage().contains(file + ", line 2: max_procs: invalid value 0."
                + " Expected a positive whole number."), error.getMessage());
        assertTrue(error.getMessage().contains(file + ", line 3: timeout: invalid value 'soon'."
                + " Expected a positive whole number."), error.getMessage());
    }

    @Test
    void duplicateKeyIsRejectedWithLine() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "roster_file: a\nroster_file: b\n");

        UsageException error = assertThrows(UsageException.class, () -> QfleetConfig.load(file));

        assertTrue(error.getMessage().startsWith(file + ":2:"), error.getMessage());
    }

    @Test
    void commandLineOverridesTheFile() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "roster_file: roster\nfile_roots: [salt]\n");

        QfleetConfig config = QfleetConfig.load(file).withOverrides(dir.resolve("other-roster"),
                List.of(dir.resolve("formulas")), List.of(), 3);

        assertEquals(dir.resolve("other-roster"), config.rosterFile());
        assertEquals(List.of(dir.resolve("formulas")), config.fileRoots());
        assertEquals(3, config.maxProcs());
    }

    @Test
    void explicitFileWinsOverEveryOther() throws Exception {
        Sources sources = new Sources();

        QfleetConfig config = QfleetConfig.locate(sources.explicit, sources.environment(), sources.workingDir,
                sources.home);

        assertEquals(Optional.of(sources.explicit), config.source());
        assertEquals(1, config.maxProcs());
    }

    @Test
    void environmentWinsOverWorkingDirAndHome() throws Exception {
        Sources sources = new Sources();

        QfleetConfig config = QfleetConfig.locate(null, sources.environment(), sources.workingDir, sources.home);

        assertEquals(Optional.of(sources.fromEnvironment), config.source());
        assertEquals(2, config.maxProcs());
    }

    @Test
    void workingDirWinsOverHome() throws Exception {
        Sources sources = new Sources();

        QfleetConfig config = QfleetConfig.locate(null, name -> null, sources.workingDir, sources.home);

        assertEquals(Optional.of(sources.workingDir.resolve("qfleet.yaml")), config.source());
        assertEquals(3, config.maxProcs());
    }

    @Test
    void homeConfigUsedLast() throws Exception {
        Sources sources = new Sources();
        Files.delete(sources.workingDir.resolve("qfleet.yaml"));

        QfleetConfig config = QfleetConfig.locate(null, name -> null, sources.workingDir, sources.home);

        assertEquals(Optional.of(sources.home.resolve(".config/qfleet/qfleet.yaml")), config.source());
        assertEquals(4, config.maxProcs());
    }

    @Test
    void noFileGivesDefaults() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));

        QfleetConfig config = QfleetConfig.locate(null, name -> null, empty, empty);

        assertEquals(Optional.empty(), config.source());
        assertEquals(QfleetConfig.DEFAULT_MAX_PROCS, config.maxProcs());
    }

    @Test
    void missingFileFromEnvironmentRejected() {
        UsageException error = assertThrows(UsageException.class, () -> QfleetConfig.locate(null,
                name -> name.equals("QFLEET_CONFIG") ? "nowhere.yaml" : null, dir, dir));

        assertEquals("configuration file not found: " + dir.resolve("nowhere.yaml") + " (from QFLEET_CONFIG). Check"
                + " the path, or unset QFLEET_CONFIG.", error.getMessage());
    }

    @Test
    void rosterSettingsAreRead() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, """
                roster_file: roster
                roster_defaults: {user: admin, sudo: true, priv: keys/fleet}
                nodegroups:
                  web: 'G@role:web and not lab-09'
                  pair: [lab-01, lab-02]
                state_output: terse
                state_verbose: false
                color: true
                returners:
                  webhook: {url: 'https://hooks.example.org/x', api_key: k-123}
                """);

        QfleetConfig config = QfleetConfig.load(file);

        assertEquals(Map.of("user", "admin", "sudo", true, "priv", dir.resolve("keys/fleet").toString()),
                config.rosterDefaults().withoutSecrets());
        assertEquals(Map.of("web", "G@role:web and not lab-09", "pair", "lab-01 lab-02"),
                config.nodegroups().definitions());
        assertEquals(new QfleetConfig.OutputSettings("terse", false, true), config.output());
        assertEquals(Map.of("webhook", Map.of("url", "https://hooks.example.org/x", "api_key", "k-123")),
                config.returners());
        assertNull(config.rosterUrl());
    }

    @Test
    void returnerNamesAloneAreStored() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "returners: [webhook]\n");

        assertEquals(Map.of("webhook", Map.of()), QfleetConfig.load(file).returners());
    }

    @Test
    void rosterUrlSettingsAreRead() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, """
                roster_url: https://inventory.example.org/roster.json
                roster_token_env: INVENTORY_TOKEN
                roster_timeout: 4
                roster_retries: 1
                roster_max_bytes: 65536
                roster_cache_dir: cache
                """);

        HttpRoster.Settings url = QfleetConfig.load(file).rosterUrl();

        assertEquals(URI.create("https://inventory.example.org/roster.json"), url.url());
        assertEquals("INVENTORY_TOKEN", url.tokenVariable());
        assertEquals(Duration.ofSeconds(4), url.timeout());
        assertEquals(1, url.retries());
        assertEquals(65536, url.maxBytes());
        assertEquals(dir.resolve("cache"), url.cacheDir());
    }

    @Test
    void invalidNewSettingsAllReported() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, """
                roster_file: roster
                roster_url: ftp://inventory.example.org/roster
                roster_token_env: 'not a name'
                roster_defaults: {usr: admin, port: x}
                nodegroups: {bad: 42}
                state_output: loud
                state_verbose: sometimes
                returners: webhook
                """);

        UsageException error = assertThrows(UsageException.class, () -> QfleetConfig.load(file));

        String message = error.getMessage();
        assertTrue(message.contains(file + ", line 2: roster_url: invalid value"
                + " 'ftp://inventory.example.org/roster'. Expected an https:// or http:// address."), message);
        assertTrue(message.contains(file + ", line 4: roster_defaults: unknown key 'usr'. Did you mean 'user'?"),
                message);
        assertTrue(message.contains(file + ", line 4: roster_defaults: field 'port': invalid value 'x'."), message);
        assertTrue(message.contains(file + ", line 5: nodegroups: group 'bad': invalid value 42."), message);
        assertTrue(message.contains(file + ", line 6: state_output: invalid value 'loud'. Expected one of changes,"
                + " changes_id, full, full_id, mixed, mixed_id, terse, terse_id."), message);
        assertTrue(message.contains(file + ", line 7: state_verbose: invalid value 'sometimes'."
                + " Expected true or false."), message);
        assertTrue(message.contains(file + ", line 8: returners: invalid value 'webhook'. Expected a list of"
                + " returner names or a mapping"), message);
    }

    @Test
    void rosterFileAndUrlConflict() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "roster_file: roster\nroster_url: https://inventory.example.org/r\n");

        UsageException error = assertThrows(UsageException.class, () -> QfleetConfig.load(file));

        assertTrue(error.getMessage().contains(file + ", line 2: roster_file and roster_url are both set"),
                error.getMessage());
    }

    @Test
    void urlSettingWithoutUrlRejected() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "roster_token_env: TOKEN\n");

        UsageException error = assertThrows(UsageException.class, () -> QfleetConfig.load(file));

        assertTrue(error.getMessage().contains(file + ", line 1: roster_token_env is set but roster_url is not"),
                error.getMessage());
    }

    @Test
    void rosterFileFlagReplacesConfiguredUrl() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "roster_url: https://inventory.example.org/r\n");

        QfleetConfig config = QfleetConfig.load(file).withOverrides(dir.resolve("local-roster"), null, null, null);

        assertNull(config.rosterUrl());
        assertEquals(dir.resolve("local-roster"), config.rosterFile());
    }

    @Test
    void rosterUrlFlagKeepsConfiguredToken() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "roster_url: https://a.example.org/r\nroster_token_env: TOKEN\n");

        QfleetConfig config = QfleetConfig.load(file).withRosterUrl(URI.create("https://b.example.org/r"));

        assertEquals(URI.create("https://b.example.org/r"), config.rosterUrl().url());
        assertEquals("TOKEN", config.rosterUrl().tokenVariable());
    }

    /** One configuration file in each place that locate() looks, each with its own max_procs. */
    private final class Sources {
        final Path explicit;
        final Path fromEnvironment;
        final Path workingDir;
        final Path home;

        Sources() throws Exception {
            explicit = write(dir.resolve("explicit/qfleet.yaml"), 1);
            fromEnvironment = write(dir.resolve("environment/qfleet.yaml"), 2);
            workingDir = dir.resolve("work");
            write(workingDir.resolve("qfleet.yaml"), 3);
            home = dir.resolve("home");
            write(home.resolve(".config/qfleet/qfleet.yaml"), 4);
        }

        java.util.function.Function<String, String> environment() {
            return name -> name.equals("QFLEET_CONFIG") ? fromEnvironment.toString() : null;
        }

        private Path write(Path file, int maxProcs) throws Exception {
            Files.createDirectories(file.getParent());
            Files.writeString(file, "max_procs: " + maxProcs + "\n");
            return file;
        }
    }
}
