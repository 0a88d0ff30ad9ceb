package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.qfleet.shim.Shim;

class VersionTest {

    @Test
    void versionNamesShimProtocol() {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.run("--version");
        } finally {
            System.setOut(original);
        }

        assertEquals(ExitCodes.OK, exit);
        String printed = out.toString(StandardCharsets.UTF_8).strip();
        assertTrue(printed.matches("qfleet [0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)? \\(shim protocol " + Shim.PROTOCOL + "\\)"),
                printed);
    }
}
