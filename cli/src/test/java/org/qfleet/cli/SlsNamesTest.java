package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlsNamesTest {

    @TempDir
    Path root;

    @Test
    void listsDottedNamesSorted() throws Exception {
        Files.createDirectories(root.resolve("qvm/lib"));
        Files.writeString(root.resolve("top.sls"), "");
        Files.writeString(root.resolve("qvm/sys-net.sls"), "");
        Files.writeString(root.resolve("qvm/init.sls"), "");
        Files.writeString(root.resolve("qvm/lib/a.sls"), "");
        Files.writeString(root.resolve("qvm/template.jinja"), "");

        assertEquals(List.of("qvm", "qvm.lib.a", "qvm.sys-net", "top"), SlsNames.list(List.of(root)));
    }

    @Test
    void missingRootIsSkipped() {
        assertEquals(List.of(), SlsNames.list(List.of(root.resolve("absent"))));
    }
}
