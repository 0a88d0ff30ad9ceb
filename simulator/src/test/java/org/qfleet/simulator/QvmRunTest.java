package org.qfleet.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qvm-run answers from the host's qvm_run rules and records every request in the state file. */
class QvmRunTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void rulesSetOutputAndExitCode() throws Exception {
        ToolRunner tools = ToolRunner.install(dir, "lab-01");
        assertEquals(0, tools.run("qvm-ls", "--raw-list").exitCode());
        ObjectNode state = (ObjectNode) JSON.readTree(tools.stateFile().toFile());
        ArrayNode rules = (ArrayNode) state.path("qvm_run").path("rules");
        rules.addObject().put("match", "work cat /etc/os-release*").put("stdout", "ID=fedora\n")
                .put("stderr", "").put("exit_code", 0);
        rules.addObject().put("match", "vault *").put("stdout", "").put("stderr", "denied\n").put("exit_code", 126);
        Files.writeString(tools.stateFile(), JSON.writeValueAsString(state));

        ToolRunner.Result osRelease = tools.run("qvm-run", "-p", "--user", "root", "work", "cat /etc/os-release");
        assertEquals(0, osRelease.exitCode(), osRelease.toString());
        assertEquals("ID=fedora\n", osRelease.stdout());

        ToolRunner.Result denied = tools.run("qvm-run", "--pass-io", "vault", "ls");
        assertEquals(126, denied.exitCode(), denied.toString());
        assertEquals("denied\n", denied.stderr());

        ToolRunner.Result other = tools.run("qvm-run", "-p", "personal", "true");
        assertEquals(0, other.exitCode(), other.toString());
        assertEquals("", other.stdout());

        JsonNode log = JSON.readTree(tools.stateFile().toFile()).path("qvm_run_log");
        assertEquals(3, log.size(), log.toString());
        assertEquals("work", log.get(0).path("vm").asText());
        assertEquals("cat /etc/os-release", log.get(0).path("command").asText());
        assertEquals("root", log.get(0).path("user").asText());
        assertEquals("Running", JSON.readTree(tools.stateFile().toFile()).path("vms").path("vault").path("state")
                .asText());
    }
}
