package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qfleet.states.MessageValues;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.Probe;
import org.qfleet.states.plan.ShimAction;
import org.qfleet.states.plan.Step;

/**
 * The steps of the qvm states that check or change a qube's power state, remove a qube or clone
 * one. A power change is reported under the key {@code state} as the qvm-ls state names it
 * ({@code Running}, {@code Halted}, {@code Paused}). The power state is read with
 * {@code qvm-check --running} and {@code --paused}, so a qube in another state (such as
 * Transient) counts as halted.
 */
final class QvmLifecycle {

    private static final String STATE_KEY = "state";
    private static final List<String> CLASSES =
            List.of("AppVM", "TemplateVM", "StandaloneVM", "DispVM");

    private QvmLifecycle() {}

    /** qvm.running: a check that the qube is running; it starts nothing. */
    static List<Step> running(Invocation call) {
        call.checkKnown(Set.of(), Set.of());
        return List.of(check(call, List.of("qvm-check", "--running", call.name), 0));
    }

    /**
     * qvm.halted: a check that the qube is neither running nor paused; it stops nothing. A qube
     * that does not exist is halted, as in Qubes' qvm.halted.
     */
    static List<Step> halted(Invocation call) {
        call.checkKnown(Set.of(), Set.of());
        return List.of(check(call, List.of("qvm-check", "--running", call.name), 1),
                check(call, List.of("qvm-check", "--paused", call.name), 1));
    }

    /** qvm.start: unpauses a paused qube and starts a halted one with {@code qvm-start}. */
    static List<Step> start(Invocation call) {
        call.checkKnown(Set.of("drive", "hddisk", "cdrom"), Set.of("quiet", "install_windows_tools"));
        rejectDom0(call, "started");
        List<String> media = new ArrayList<>();
        for (String option : List.of("drive", "hddisk", "cdrom")) {
            String value = call.string(option);
            if (value != null) {
                media.add("--" + option + "=" + value);
            }
        }
        if (call.hasFlag("install_windows_tools")) {
            media.add("--install-windows-tools");
        }
        if (media.size() > 1) {
            call.error("drive, hddisk, cdrom and install-windows-tools exclude each other in"
                    + " qvm-start; give only one of them");
        }
        List<String> start = new ArrayList<>(List.of("qvm-start"));
        if (call.hasFlag("quiet")) {
            start.add("--quiet");
        }
        start.addAll(media);
        start.add(call.name);
        return List.of(existsCheck(call),
                powerStep(call, paused(call), 1, List.of(List.of("qvm-unpause", call.name)),
                        "Paused", "Running"),
                powerStep(call, running(call.name), 0, List.of(start), "Halted", "Running"));
    }

    /**
     * qvm.shutdown: shuts a running or paused qube down and waits until it is halted. With the
     * {@code kill} flag it uses {@code qvm-kill}; with {@code force} qvm-shutdown also stops a
     * qube that other running qubes use as their netvm. A qube that does not exist is halted.
     */
    static List<Step> shutdown(Invocation call) {
        call.checkKnown(Set.of(), Set.of("quiet", "force", "wait", "kill"));
        rejectDom0(call, "shut down");
        List<String> stop;
        if (call.hasFlag("kill")) {
            stop = List.of("qvm-kill", call.name);
        } else {
            stop = new ArrayList<>(List.of("qvm-shutdown", "--wait"));
            if (call.hasFlag("force")) {
                stop.add("--force");
            }
            if (call.hasFlag("quiet")) {
                stop.add("--quiet");
            }
            stop.add(call.name);
        }
        return stopSteps(call, stop);
    }

    /** qvm.kill: stops a running or paused qube at once with {@code qvm-kill}. */
    static List<Step> kill(Invocation call) {
        call.checkKnown(Set.of(), Set.of());
        rejectDom0(call, "killed");
        return stopSteps(call, List.of("qvm-kill", call.name));
    }

    /**
     * Returns the steps that bring a qube to Halted: a paused qube is resumed first, because a
     * paused domain does not react to a shutdown request, then it is stopped like a running one.
     */
    private static List<Step> stopSteps(Invocation call, List<String> stop) {
        List<List<String>> resumeAndStop = stop.get(0).equals("qvm-kill")
                ? List.of(stop) : List.of(List.of("qvm-unpause", call.name), stop);
        return List.of(
                powerStep(call, paused(call), 1, resumeAndStop, "Paused", "Halted"),
                powerStep(call, running(call.name), 1, List.of(stop), "Running", "Halted"));
    }

    /** qvm.pause: pauses a running qube; a halted qube cannot be paused and fails the state. */
    static List<Step> pause(Invocation call) {
        call.checkKnown(Set.of(), Set.of());
        rejectDom0(call, "paused");
        return List.of(existsCheck(call), powerStep(call, paused(call), 0,
                List.of(List.of("qvm-pause", call.name)), "Running", "Paused"));
    }

    /** qvm.unpause: resumes a paused qube; a qube that is not paused is left as it is. */
    static List<Step> unpause(Invocation call) {
        call.checkKnown(Set.of(), Set.of());
        rejectDom0(call, "unpaused");
        return List.of(existsCheck(call), powerStep(call, paused(call), 1,
                List.of(List.of("qvm-unpause", call.name)), "Paused", "Running"));
    }

    /**
     * qvm.absent: removes the qube with {@code qvm-remove --force}, shutting it down first. A
     * qube that does not exist is left alone.
     */
    static List<Step> absent(Invocation call) {
        call.checkKnown(Set.of(), Set.of("quiet", "just_db", "force_root"));
        if (call.hasFlag("just_db")) {
            call.errorInFlag("just_db", "flag 'just-db' is not an option of qvm-remove in Qubes 4;"
                    + " remove the flag");
        }
        rejectDom0(call, "removed");
        List<String> remove = new ArrayList<>(List.of("qvm-remove", "--force"));
        if (call.hasFlag("quiet")) {
            remove.add("--quiet");
        }
        if (call.hasFlag("force_root")) {
            remove.add("--force-root");
        }
        remove.add(call.name);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("old", "exists");
        report.put("new", "removed");
        return List.of(new Step(call.group, call.name, call.name,
                Probe.exit(List.of("qvm-check", "--quiet", call.name)), Expect.exit(1),
                List.of(List.of("qvm-shutdown", "--wait", "--force", call.name), remove), null,
                report));
    }

    /**
     * qvm.clone: creates the qube as a copy of {@code source} with {@code qvm-clone} when it does
     * not exist yet, then sets its {@code label} when one is given. An existing qube is not
     * cloned again, whatever it was cloned from.
     */
    static List<Step> clone(Invocation call) {
        call.checkKnown(Set.of("source", "label", "class", "pool", "path"),
                Set.of("quiet", "shutdown", "ignore_errors", "force_root"));
        if (call.kwargs.containsKey("path")) {
            call.errorIn("path", "argument 'path' is not an option of qvm-clone in Qubes 4; use 'pool' to"
                    + " choose the storage pool");
        }
        rejectDom0(call, "created by cloning");
        String source = call.string("source");
        if (source == null) {
            call.error("missing argument 'source': the qube to clone");
            return List.of();
        }
        call.checkQubeName("source", source);
        String qubeClass = call.string("class");
        if (qubeClass != null && !CLASSES.contains(qubeClass)) {
            call.errorIn("class", "invalid value for field 'class': " + MessageValues.quote(qubeClass)
                    + "; valid classes: "
                    + String.join(", ", CLASSES));
        }
        String label = call.string("label");
        if (label != null && !QubeProperty.LABELS.contains(label)) {
            call.errorIn("label", "invalid value for field 'label': " + MessageValues.quote(label)
                    + "; valid labels: "
                    + String.join(", ", QubeProperty.LABELS));
        }
        String pool = call.string("pool");

        List<List<String>> commands = new ArrayList<>();
        if (call.hasFlag("shutdown")) {
            commands.add(List.of("qvm-shutdown", "--wait", source));
        }
        List<String> cloneCommand = new ArrayList<>(List.of("qvm-clone"));
        if (qubeClass != null) {
            cloneCommand.add("--class=" + qubeClass);
        }
        if (pool != null) {
            cloneCommand.add("-P");
            cloneCommand.add(pool);
        }
        for (String flag : List.of("quiet", "ignore_errors", "force_root")) {
            if (call.hasFlag(flag)) {
                cloneCommand.add("--" + flag.replace('_', '-'));
            }
        }
        cloneCommand.add(source);
        cloneCommand.add(call.name);
        commands.add(cloneCommand);

        Map<String, Object> created = new LinkedHashMap<>();
        created.put("source", source);
        if (qubeClass != null) {
            created.put("class", qubeClass);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("old", null);
        report.put("new", created);
        List<Step> steps = new ArrayList<>();
        // qvm-prefs fails with "no such domain" for a missing qube and otherwise for a refused
        // call, which qvm-check --quiet does not distinguish. Its listing also serves the label step.
        steps.add(new Step(call.group, call.name, call.name,
                Probe.exists(List.of("qvm-prefs", call.name)), Expect.present(true), commands,
                call.name, report));
        if (label != null) {
            steps.add(new Step(call.group, "label", call.name,
                    Probe.prefs(call.name, "label", false), Expect.value(label),
                    List.of(List.of("qvm-prefs", call.name, "label", label)), null, null));
        }
        return steps;
    }

    /**
     * qvm.run: runs {@code cmd} in the qube with {@code qvm-run --pass-io}, on every run, and
     * reports its exit code and output in {@code changes} as Salt's {@code cmd.run} does. The
     * qube is started first unless the {@code no_autostart} flag is given. A non-zero exit fails
     * the state.
     */
    static List<Step> run(Invocation call) {
        call.checkKnown(Set.of("cmd", "user"), Set.of("gui", "nogui", "no_autostart", "service"));
        rejectDom0(call, "the target of qvm-run");
        String command = call.string("cmd");
        if (command == null || command.isBlank()) {
            call.error("missing argument 'cmd': the command to run in the qube");
            return List.of();
        }
        if (call.hasFlag("gui") && call.hasFlag("nogui")) {
            call.error("flags 'gui' and 'nogui' exclude each other; give one of them");
        }
        List<String> argv = new ArrayList<>(List.of("qvm-run", "--pass-io"));
        String user = call.string("user");
        if (user != null) {
            argv.add("--user=" + user);
        }
        if (call.hasFlag("gui")) {
            argv.add("--gui");
        }
        if (call.hasFlag("nogui")) {
            argv.add("--nogui");
        }
        if (call.hasFlag("no_autostart")) {
            argv.add("--no-autostart");
        }
        if (call.hasFlag("service")) {
            argv.add("--service");
        }
        argv.add(call.name);
        argv.add(command);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("shell", shellWords(argv));
        spec.put("runas", null);
        spec.put("cwd", null);
        spec.put("env", Map.of());
        spec.put("unless", List.of());
        spec.put("onlyif", List.of());
        spec.put("creates", List.of());
        return List.of(Step.performed(call.group, call.name, new ShimAction("command", spec)));
    }

    /** Joins argv into one shell command, quoting each word that needs it. */
    static String shellWords(List<String> argv) {
        List<String> words = new ArrayList<>();
        for (String word : argv) {
            if (word.matches("[A-Za-z0-9_./=:@%+-]+")) {
                words.add(word);
            } else {
                words.add("'" + word.replace("'", "'\\''") + "'");
            }
        }
        return String.join(" ", words);
    }

    private static void rejectDom0(Invocation call, String verb) {
        if (call.name.equals("dom0")) {
            call.error("dom0 cannot be " + verb + "; name a qube other than dom0");
        }
    }

    /** Returns a check-only step: the probe's exit code must be {@code exit}. */
    private static Step check(Invocation call, List<String> argv, int exit) {
        return new Step(call.group, STATE_KEY, call.name, Probe.exit(argv), Expect.exit(exit),
                List.of(), null, null);
    }

    /** Returns the check that the qube exists, which fails with qvm-check's message otherwise. */
    static Step existsCheck(Invocation call) {
        return new Step(call.group, "exists", call.name,
                Probe.exit(List.of("qvm-check", call.name)), Expect.exit(0), List.of(), null, null);
    }

    private static List<String> running(String qube) {
        return List.of("qvm-check", "--quiet", "--running", qube);
    }

    private static List<String> paused(Invocation call) {
        return List.of("qvm-check", "--quiet", "--paused", call.name);
    }

    /** Returns a step that changes the power state, reported as {@code from} to {@code to}. */
    private static Step powerStep(Invocation call, List<String> probe, int exit,
            List<List<String>> change, String from, String to) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("old", from);
        report.put("new", to);
        return new Step(call.group, STATE_KEY, call.name, Probe.exit(probe), Expect.exit(exit),
                change, null, report);
    }
}
