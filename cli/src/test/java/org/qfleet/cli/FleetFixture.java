package org.qfleet.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fleet of six host reports built in-process, one of each kind a run can produce: clean,
 * changed, a failed state, test mode, unreachable, and formulas that did not compile.
 */
final class FleetFixture {

    private FleetFixture() {
    }

    static Map<String, Object> state(String id, String name, Object result, String comment,
            Map<String, Object> changes, String startTime, double duration, int runNum) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("__id__", id);
        state.put("__sls__", "qvm.work");
        state.put("__run_num__", runNum);
        state.put("name", name);
        state.put("result", result);
        state.put("changes", changes);
        state.put("comment", comment);
        state.put("start_time", startTime);
        state.put("duration", duration);
        return state;
    }

    /** Returns a change in insertion order, because Map.of iterates in an order that varies between JVM runs. */
    private static Map<String, Object> labelChange() {
        Map<String, Object> label = new LinkedHashMap<>();
        label.put("old", "red");
        label.put("new", "blue");
        Map<String, Object> prefs = new LinkedHashMap<>();
        prefs.put("label", label);
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("prefs", prefs);
        return changes;
    }

    private static HostReport host(String id, int startSecond, long elapsedMillis) {
        HostReport report = new HostReport(id);
        report.started = Instant.parse("2026-12-04T10:00:00Z").plusSeconds(startSecond);
        report.elapsed = Duration.ofMillis(elapsedMillis);
        return report;
    }

    /** Returns the six hosts, in the order they finish. */
    static List<HostReport> reports() {
        HostReport clean = host("lab-01", 0, 1200);
        clean.states.put("qvm_|-work_|-work_|-vm", state("work", "work", true,
                "qube work is as expected", Map.of(), "10:00:01.000001", 310.5, 0));

        HostReport changed = host("lab-02", 0, 4250);
        changed.states.put("qvm_|-work_|-work_|-vm", state("work", "work", true,
                "Ran: qvm-prefs work label blue", labelChange(),
                "10:00:01.5", 820.25, 0));
        changed.states.put("qvm_|-personal_|-personal_|-present", state("personal", "personal", true,
                "qube personal exists", Map.of(), "10:00:02.3", 12.0, 1));

        HostReport failed = host("lab-03", 1, 2750);
        failed.states.put("qvm_|-work_|-work_|-vm", state("work", "work", false,
                "qvm-prefs work netvm sys-vpn failed with exit code 1:\nno such domain: 'sys-vpn'",
                Map.of(), "10:00:02.25", 95.125, 0));
        failed.states.put("qvm_|-vault_|-vault_|-vm", state("vault", "vault", false,
                "One or more requisite failed: qvm.work.work", Map.of(), "10:00:02.35", 0.004, 1));

        HostReport testMode = host("lab-04", 1, 900);
        testMode.states.put("qvm_|-work_|-work_|-vm", state("work", "work", null,
                "Would run: qvm-prefs work label blue",
                labelChange(), "10:00:01.75", 40.0, 0));

        HostReport unreachable = host("lab-05", 0, 30);
        unreachable.fail("connecting to 127.0.0.1:1 failed: Connection refused", HostReport.RETCODE_UNREACHABLE);

        HostReport broken = host("lab-06", 0, 450);
        broken.compileErrors = List.of("qvm/work.sls:3: Jinja variable 'netvm' is undefined",
                "Rendering SLS 'base:qvm.vault' failed: mapping values are not allowed here <here> & \"there\"");

        return List.of(unreachable, testMode, clean, broken, failed, changed);
    }
}
