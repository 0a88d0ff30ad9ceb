package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A formula or pillar folder that does not exist is a usage error found before any host is contacted. */
class FolderCheckTest {

    @TempDir
    Path dir;

    private int runCapturingStderr(ByteArrayOutputStream stderr, String... args) {
        PrintStream original = System.err;
        System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setErr(original);
        }
    }

    private Path rosterWithUnreachableHost() throws Exception {
        // Port 1 on loopback refuses connections, so contacting the host would fail with exit 20.
        Path roster = dir.resolve("roster");
        Files.writeString(roster, "lab-01:\n  host: 127.0.0.1\n  port: 1\n");
        return roster;
    }

    @Test
    void missingFileRootIsUsageError() throws Exception {
        Path roster = rosterWithUnreachableHost();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        int exit = runCapturingStderr(stderr, "--roster-file", roster.toString(),
                "--file-root", dir.resolve("nope").toString(), "*", "state.apply");

        String message = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.USAGE, exit, message);
        assertTrue(message.contains("file root " + dir.resolve("nope") + " does not exist"), message);
    }

    @Test
    void fileAsPillarRootIsUsageError() throws Exception {
        Path roster = rosterWithUnreachableHost();
        Path file = Files.writeString(dir.resolve("top.sls"), "base: {}\n");
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        int exit = runCapturingStderr(stderr, "--roster-file", roster.toString(), "--file-root", dir.toString(),
                "--pillar-root", file.toString(), "*", "state.apply");

        String message = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCodes.USAGE, exit, message);
        assertTrue(message.contains("pillar root " + file + " is not a folder"), message);
    }
}
