package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new qube of a qvm.vm with present and prefs costs one qvm-create for its properties, and no
 * probe before it when the facts did not list it. The report stays the one of a plain create
 * followed by qvm-prefs. Every dom0 tool call of the simulated host is logged to count them.
 */
class NewQubeCallsTest {

    private static final String TAG = "qvm_|-web_|-web_|-vm";
    private static final String WEB = """
            web:
              qvm.vm:
                - present:
                  - template: fedora-41-xfce
                  - label: orange
                - prefs:
                  - label: orange
                  - netvm: NETVM
                  - memory: 900
                  - include-in-backups: false
                - features:
                  - enable: [service.cups]
            """;

    @TempDir
    Path work;

    @Test
    void newQubePropertiesGoToQvmCreate() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1)) {
            Path calls = logToolCalls(fleet);
            Path formulas = FaultFleet.oneSlsTree(work.resolve("formulas"), "web",
                    WEB.replace("NETVM", "sys-net"));

            FaultFleet.Run run = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply");

            assertEquals(0, run.outcome().exitCode(), run.text());
            JsonNode state = run.host("lab-01").path("return").path(TAG);
            assertEquals("{\"netvm\":{\"old\":\"*default*\",\"new\":\"sys-net\"},"
                    + "\"memory\":{\"old\":\"*default*\",\"new\":\"900\"},"
                    + "\"include_in_backups\":{\"old\":\"*default*\",\"new\":\"False\"}}",
                    state.path("changes").path("qvm.prefs").toString(), run.text());
            assertEquals("orange", state.at("/changes/qvm.present/web/new/label").asText(), run.text());
            List<String> web = callsNaming(calls, "web");
            assertEquals("qvm-create web --class=AppVM --template=fedora-41-xfce --label=orange"
                    + " --property netvm=sys-net --property memory=900"
                    + " --property include_in_backups=False", web.get(0),
                    "the qube that the facts did not list is created without a probe first: " + web);
            assertEquals(List.of(), web.stream().filter(call -> call.startsWith("qvm-prefs web ")).toList());
            assertEquals(1, web.stream().filter(call -> call.equals("qvm-prefs web")).count(), web.toString());
            JsonNode properties = fleet.snapshot().get("lab-01").at("/vms/web/properties");
            assertEquals("sys-net", properties.path("netvm").asText(), properties.toString());
            assertEquals("900", properties.path("memory").asText(), properties.toString());

            FaultFleet.Run again = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply");
            JsonNode converged = again.host("lab-01").path("return").path(TAG);
            assertTrue(converged.path("result").asBoolean(), again.text());
            assertEquals(0, converged.path("changes").size(), again.text());
        }
    }

    @Test
    void unsettablePropertyFailsInPrefs() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1)) {
            Path formulas = FaultFleet.oneSlsTree(work.resolve("formulas"), "web",
                    WEB.replace("NETVM", "sys-nowhere"));

            FaultFleet.Run run = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply");

            JsonNode state = run.host("lab-01").path("return").path(TAG);
            assertFalse(state.path("result").asBoolean(), run.text());
            assertTrue(state.path("changes").has("qvm.present"), "the qube is created: " + run.text());
            String comment = state.path("comment").asText();
            assertTrue(comment.contains("web exists, so the steps below check and set its properties"), comment);
            assertTrue(comment.contains("qvm-prefs web netvm sys-nowhere failed"), comment);
            assertTrue(comment.contains("[qvm.features] skipped because an earlier step failed"), comment);
            assertTrue(fleet.snapshot().get("lab-01").path("vms").has("web"));
        }
    }

    @Test
    void unreadableQubeIsNotCreated() throws Exception {
        try (FaultFleet fleet = FaultFleet.start(work, 1, "lab-01:fail:qvm-prefs")) {
            // work and vault exist on the simulated host, so their states probe them with qvm-prefs.
            Path formulas = FaultFleet.oneSlsTree(work.resolve("formulas"), "work",
                    "work:\n  qvm.present:\n    - label: blue\n"
                            + "vault:\n  qvm.clone:\n    - source: work\n");

            for (String mode : List.of("test=True", "test=False")) {
                FaultFleet.Run run = fleet.runJson("--file-root", formulas.toString(), "*", "state.apply",
                        mode);

                for (String tag : List.of("qvm_|-work_|-work_|-present", "qvm_|-vault_|-vault_|-clone")) {
                    JsonNode state = run.host("lab-01").path("return").path(tag);
                    String qube = state.path("name").asText();
                    assertFalse(state.path("result").asBoolean(true), mode + ": " + run.text());
                    String comment = state.path("comment").asText();
                    assertTrue(comment.startsWith("qvm-prefs " + qube + " failed with exit code"),
                            mode + ": " + comment);
                    assertFalse(comment.contains("qvm-create") || comment.contains("qvm-clone"),
                            mode + ": " + comment);
                    assertEquals(0, state.path("changes").size(), mode + ": " + run.text());
                }
            }
        }
    }

    /**
     * Replaces each simulated tool on the fleet's PATH with a script that appends its command
     * line to the returned log and then runs the tool.
     */
    private static Path logToolCalls(FaultFleet fleet) throws IOException {
        Path bin = fleet.fleet.dir().resolve("bin");
        Path real = fleet.fleet.dir().resolve("bin.real");
        Path log = fleet.fleet.dir().resolve("tool-calls.log");
        Files.createDirectories(real);
        List<Path> tools;
        try (Stream<Path> entries = Files.list(bin)) {
            tools = entries.filter(Files::isSymbolicLink).toList();
        }
        for (Path tool : tools) {
            String name = tool.getFileName().toString();
            Path target = bin.resolve(Files.readSymbolicLink(tool)).toAbsolutePath().normalize();
            Files.createSymbolicLink(real.resolve(name), target);
            Files.delete(tool);
            Files.writeString(tool, "#!/bin/sh\necho \"" + name + " $*\" >> '" + log + "'\n"
                    + "exec '" + real.resolve(name) + "' \"$@\"\n");
            Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return log;
    }

    /** Returns the logged calls whose second word is {@code qube}, in order. */
    private static List<String> callsNaming(Path log, String qube) throws IOException {
        return Files.readAllLines(log).stream()
                .filter(line -> line.split(" ").length > 1 && line.split(" ")[1].equals(qube))
                .toList();
    }
}
