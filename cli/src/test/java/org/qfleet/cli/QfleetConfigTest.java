package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
        assertTrue(error.getMessage().contains("unknown setting 'roster'"), error.getMessage());
        assertTrue(error.getMessage().contains("max_procs must be a positive whole number, got: 0"), error.getMessage());
        assertTrue(error.getMessage().contains("timeout must be a positive whole number, got: soon"),
                error.getMessage());
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
}
