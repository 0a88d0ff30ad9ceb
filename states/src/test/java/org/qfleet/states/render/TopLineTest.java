package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.states.SourceLine;

/** Finds the top file line that lists an SLS name, for messages about a missing SLS. */
class TopLineTest {

    @TempDir
    Path root;

    private StateTop top() {
        return new StateTop(new FileRoots(List.of(root)));
    }

    @Test
    void plainItemInTopSls() throws Exception {
        Path file = Files.writeString(root.resolve("top.sls"),
                "base:\n  '*':\n    - qvm.sys-net\n    - qvm.sys_whonix\n");

        assertEquals(new SourceLine(file, 4, false), top().lineNaming("qvm.sys_whonix"));
    }

    @Test
    void quotedItemWithComment() throws Exception {
        Path file = Files.writeString(root.resolve("top.sls"),
                "base:\n  '*':\n    - \"qvm.work\"  # the work qube\n");

        assertEquals(new SourceLine(file, 3, false), top().lineNaming("qvm.work"));
    }

    @Test
    void longerNameDoesNotMatch() throws Exception {
        Files.writeString(root.resolve("top.sls"), "base:\n  '*':\n    - qvm.work.extra\n");

        assertNull(top().lineNaming("qvm.work"));
    }

    @Test
    void dotIsNotAWildcard() throws Exception {
        Files.writeString(root.resolve("top.sls"), "base:\n  '*':\n    - qvmXwork\n");

        assertNull(top().lineNaming("qvm.work"));
    }

    @Test
    void enabledTopAfterTopSls() throws Exception {
        Files.writeString(root.resolve("top.sls"), "base:\n  '*':\n    - qvm.sys-net\n");
        Path enabled = root.resolve("_tops/base/qvm.top");
        Files.createDirectories(enabled.getParent());
        Files.writeString(enabled, "base:\n  dom0:\n    - match: nodegroup\n    - qvm.sys_whonix\n");

        assertEquals(new SourceLine(enabled, 4, false), top().lineNaming("qvm.sys_whonix"));
    }

    @Test
    void noTopFileGivesNull() {
        assertNull(top().lineNaming("qvm.work"));
    }
}
