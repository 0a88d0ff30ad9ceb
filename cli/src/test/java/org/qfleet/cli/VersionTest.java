package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        assertEquals("qfleet 0.1.0 (shim protocol " + Shim.PROTOCOL + ")", out.toString(StandardCharsets.UTF_8).strip());
    }
}
