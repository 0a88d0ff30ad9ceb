package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRootsTest {

    @TempDir
    Path directory;

    @Test
    void firstRootWins() throws Exception {
        Path first = Files.createDirectories(directory.resolve("first"));
        Path second = Files.createDirectories(directory.resolve("second"));
        Files.writeString(first.resolve("a.sls"), "");
        Files.writeString(second.resolve("a.sls"), "");
        Files.writeString(second.resolve("b.sls"), "");
        FileRoots roots = new FileRoots(List.of(first, second));

        assertEquals(Optional.of(first.resolve("a.sls")), roots.find("a.sls"));
        assertEquals(Optional.of(second.resolve("b.sls")), roots.find("b.sls"));
        assertEquals(Optional.empty(), roots.find("c.sls"));
    }

    @Test
    void pathsOutsideRootAreRejected() throws Exception {
        Path root = Files.createDirectories(directory.resolve("root"));
        Files.writeString(directory.resolve("secret"), "");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/ok.sls"), "");
        FileRoots roots = new FileRoots(List.of(root));

        assertEquals(Optional.empty(), roots.find("../secret"));
        assertEquals(Optional.empty(), roots.find("sub/../../secret"));
        assertEquals(Optional.empty(), roots.find(directory.resolve("secret").toString()));
        assertEquals(Optional.empty(), roots.find("sub"));
        assertTrue(roots.find("sub/../sub/ok.sls").isPresent());
    }
}
