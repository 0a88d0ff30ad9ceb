package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An unknown setting in qfleet.yaml is reported with the closest valid setting, as roster keys are. */
class UnknownSettingTest {

    @TempDir
    Path dir;

    private String loadError(String text) throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, text);
        return assertThrows(UsageException.class, () -> QfleetConfig.load(file)).getMessage();
    }

    @Test
    void typosSuggestCloseSettings() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        String message = loadError("known_host: hosts\nmax_proc: 4\n");

        assertTrue(message.contains(file + ", line 1: unknown setting 'known_host'. Did you mean 'known_hosts'?"
                + " Valid settings: "), message);
        assertTrue(message.contains(file + ", line 2: unknown setting 'max_proc'. Did you mean 'max_procs'?"
                + " Valid settings: "), message);
    }

    @Test
    void distantNameListsSettingsOnly() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        String message = loadError("colour_scheme: dark\n");

        assertTrue(message.contains(file + ", line 1: unknown setting 'colour_scheme'. Valid settings: "), message);
        assertFalse(message.contains("Did you mean"), message);
    }
}
