package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Step;

/** Compile output and errors of the power, removal and clone states. */
class QvmLifecycleTest {

    @Test
    void startChecksExistenceThenUnpausesOrStarts() throws Exception {
        List<Step> steps = compile("work:\n  qvm.start: []\n").steps();

        assertEquals(3, steps.size());
        assertEquals(List.of("qvm-check", "work"), steps.get(0).probe().argv());
        assertEquals(List.of(), steps.get(0).change());
        assertEquals(List.of("qvm-check", "--quiet", "--paused", "work"), steps.get(1).probe().argv());
        assertEquals(Expect.exit(1), steps.get(1).expect());
        assertEquals(List.of(List.of("qvm-unpause", "work")), steps.get(1).change());
        assertEquals(report("Paused", "Running"), steps.get(1).report());
        assertEquals(List.of("qvm-check", "--quiet", "--running", "work"), steps.get(2).probe().argv());
        assertEquals(Expect.exit(0), steps.get(2).expect());
        assertEquals(List.of(List.of("qvm-start", "work")), steps.get(2).change());
        assertEquals("state", steps.get(2).key());
        assertEquals(report("Halted", "Running"), steps.get(2).report());
    }

    @Test
    void startPassesMediaAndQuiet() throws Exception {
        Step start = compile("win:\n  qvm.start:\n    - cdrom: dom0:/tmp/w.iso\n    - flags: [quiet]\n")
                .steps().get(2);
        assertEquals(List.of(List.of("qvm-start", "--quiet", "--cdrom=dom0:/tmp/w.iso", "win")),
                start.change());
    }

    @Test
    void startRejectsTwoMediaAndOldOptions() {
        assertTrue(error("w:\n  qvm.start:\n    - cdrom: a\n    - drive: b\n")
                .contains("exclude each other in qvm-start"));
        assertEquals("qvm.start state with ID 'w' in SLS 'main': unknown flag 'debug'; valid flags:"
                + " install_windows_tools, quiet", error("w:\n  qvm.start:\n    - flags: [debug]\n"));
    }

    @Test
    void shutdownResumesPausedQubeFirst() throws Exception {
        List<Step> steps = compile("sys-usb:\n  qvm.shutdown:\n    - flags: [force]\n").steps();

        assertEquals(2, steps.size());
        List<String> stop = List.of("qvm-shutdown", "--wait", "--force", "sys-usb");
        assertEquals(List.of(List.of("qvm-unpause", "sys-usb"), stop), steps.get(0).change());
        assertEquals(report("Paused", "Halted"), steps.get(0).report());
        assertEquals(Expect.exit(1), steps.get(1).expect());
        assertEquals(List.of(stop), steps.get(1).change());
        assertEquals(report("Running", "Halted"), steps.get(1).report());
    }

    @Test
    void shutdownWithKillFlagUsesQvmKill() throws Exception {
        List<Step> steps = compile("x:\n  qvm.shutdown:\n    - flags: [kill, wait]\n").steps();
        assertEquals(List.of(List.of("qvm-kill", "x")), steps.get(0).change());
        assertEquals(List.of(List.of("qvm-kill", "x")), steps.get(1).change());
        assertEquals(steps, compile("x:\n  qvm.kill: []\n").steps());
    }

    @Test
    void runningAndHaltedOnlyCheck() throws Exception {
        Step running = compile("sys-net:\n  qvm.running: []\n").steps().get(0);
        assertEquals(List.of("qvm-check", "--running", "sys-net"), running.probe().argv());
        assertEquals(List.of(), running.change());
        List<Step> halted = compile("sys-net:\n  qvm.halted: []\n").steps();
        assertEquals(2, halted.size());
        assertTrue(halted.stream().allMatch(step -> step.change().isEmpty()));
        assertEquals(Expect.exit(1), halted.get(1).expect());
        assertEquals(List.of("qvm-check", "--paused", "sys-net"), halted.get(1).probe().argv());
    }

    @Test
    void pauseAndUnpauseFlipThePausedCheck() throws Exception {
        Step pause = compile("work:\n  qvm.pause: []\n").steps().get(1);
        assertEquals(Expect.exit(0), pause.expect());
        assertEquals(List.of(List.of("qvm-pause", "work")), pause.change());
        Step unpause = compile("work:\n  qvm.unpause: []\n").steps().get(1);
        assertEquals(Expect.exit(1), unpause.expect());
        assertEquals(List.of(List.of("qvm-unpause", "work")), unpause.change());
    }

    @Test
    void absentShutsDownThenRemoves() throws Exception {
        Step step = compile("old:\n  qvm.absent:\n    - flags: [quiet]\n").steps().get(0);
        assertEquals(List.of("qvm-check", "--quiet", "old"), step.probe().argv());
        assertEquals(Expect.exit(1), step.expect());
        assertEquals(List.of(List.of("qvm-shutdown", "--wait", "--force", "old"),
                List.of("qvm-remove", "--force", "--quiet", "old")), step.change());
        assertEquals(report("exists", "removed"), step.report());
    }

    @Test
    void absentRejectsDom0AndJustDb() {
        assertEquals("qvm.absent state with ID 'dom0' in SLS 'main': dom0 cannot be removed; name a"
                + " qube other than dom0", error("dom0:\n  qvm.absent: []\n"));
        assertTrue(error("x:\n  qvm.absent:\n    - flags: [just-db]\n")
                .contains("flag 'just-db' is not an option of qvm-remove in Qubes 4"));
    }

    @Test
    void cloneBuildsQvmCloneAndLabel() throws Exception {
        List<Step> steps = compile("""
                fedora-dev:
                  qvm.clone:
                    - source: fedora-42
                    - label: orange
                    - class: TemplateVM
                    - pool: vm-pool
                    - flags: [shutdown, ignore-errors]
                """).steps();

        assertEquals(2, steps.size());
        Step clone = steps.get(0);
        assertEquals(List.of("qvm-prefs", "fedora-dev"), clone.probe().argv());
        assertEquals("exists", clone.probe().read());
        assertEquals(Expect.present(true), clone.expect());
        assertEquals(List.of(List.of("qvm-shutdown", "--wait", "fedora-42"),
                List.of("qvm-clone", "--class=TemplateVM", "-P", "vm-pool", "--ignore-errors",
                        "fedora-42", "fedora-dev")), clone.change());
        assertEquals("fedora-dev", clone.creates());
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("source", "fedora-42");
        created.put("class", "TemplateVM");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("old", null);
        expected.put("new", created);
        assertEquals(expected, clone.report());
        Step label = steps.get(1);
        assertEquals(Expect.value("orange"), label.expect());
        assertEquals(List.of(List.of("qvm-prefs", "fedora-dev", "label", "orange")), label.change());
        assertNull(label.creates());
    }

    @Test
    void cloneErrorsNameTheField() {
        assertEquals("qvm.clone state with ID 'x' in SLS 'main': missing argument 'source': the"
                + " qube to clone", error("x:\n  qvm.clone: []\n"));
        assertTrue(error("x:\n  qvm.clone:\n    - source: a\n    - path: /tmp\n")
                .contains("argument 'path' is not an option of qvm-clone in Qubes 4"));
        assertTrue(error("x:\n  qvm.clone:\n    - source: a\n    - label: pink\n")
                .contains("invalid value for field 'label': 'pink'; valid labels: red,"));
        assertTrue(error("x:\n  qvm.clone:\n    - source: 1bad\n")
                .contains("invalid qube name in field 'source': '1bad'"));
        assertEquals("qvm.clone state with ID 'x' in SLS 'main': unknown argument 'template';"
                + " valid arguments: class, flags, label, path, pool, source",
                error("x:\n  qvm.clone:\n    - source: a\n    - template: b\n"));
    }

    @Test
    void runBuildsQuotedQvmRunCommand() throws Exception {
        Step step = compile("""
                work:
                  qvm.run:
                    - cmd: echo it's done > /tmp/x
                    - user: root
                    - flags: [nogui, no-autostart]
                """).steps().get(0);

        assertEquals("command", step.action().kind());
        assertEquals("qvm-run --pass-io --user=root --nogui --no-autostart work"
                + " 'echo it'\\''s done > /tmp/x'", step.action().spec().get("shell"));
        assertEquals("work", step.key());
    }

    @Test
    void runErrorsNameTheArgument() {
        assertEquals("qvm.run state with ID 'work' in SLS 'main': missing argument 'cmd': the"
                + " command to run in the qube", error("work:\n  qvm.run: []\n"));
        assertTrue(error("work:\n  qvm.run:\n    - cmd: ls\n    - flags: [gui, nogui]\n")
                .contains("flags 'gui' and 'nogui' exclude each other"));
        assertEquals("qvm.run state with ID 'work' in SLS 'main': unknown argument 'localcmd'; valid"
                + " arguments: cmd, flags, user", error("work:\n  qvm.run:\n    - cmd: ls\n    - localcmd: x\n"));
    }

    @Test
    void okCommentsNameTheQube() throws Exception {
        assertEquals("Qube work is already running", compile("work:\n  qvm.start: []\n").commentOk());
        assertEquals("Qube work does not exist", compile("work:\n  qvm.absent: []\n").commentOk());
    }

    private static Map<String, Object> report(String from, String to) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("old", from);
        report.put("new", to);
        return report;
    }

    private static PlanChunk compile(String yaml) throws CompileException {
        return OneSls.compileAll(yaml).get(0);
    }

    private static String error(String yaml) {
        return assertThrows(CompileException.class, () -> compile(yaml)).getMessage();
    }
}
