package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.plan.Outcome;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Step;
import org.qfleet.states.plan.WatchSteps;

/**
 * The state functions about dom0 itself rather than a qube: {@code file}, {@code cmd} and
 * {@code pkg}. Their {@code name} is a path, a shell command or a package, never a qube name.
 */
final class Dom0States {

    static final Set<String> MODULES = Set.of("file", "cmd", "pkg");

    private static final Set<String> FILE_FUNCTIONS = FileStates.OK_COMMENTS.keySet();
    private static final Set<String> CMD_FUNCTIONS = Set.of("run", "wait");
    private static final Set<String> PKG_FUNCTIONS = Set.of("installed", "removed", "uptodate");

    private Dom0States() {}

    static Set<String> functions() {
        Set<String> names = new TreeSet<>();
        FILE_FUNCTIONS.forEach(fun -> names.add("file." + fun));
        CMD_FUNCTIONS.forEach(fun -> names.add("cmd." + fun));
        PKG_FUNCTIONS.forEach(fun -> names.add("pkg." + fun));
        return names;
    }

    /**
     * Compiles a chunk of one of {@link #MODULES}. {@code cmd.wait} runs nothing itself: its
     * command runs as its {@code mod_watch}, when a watched state changed.
     */
    static PlanChunk compile(LowChunk chunk, boolean failhard, String unknownFunctionMessage,
            FileSource files) throws CompileException {
        String function = chunk.state() + "." + chunk.fun();
        // The listener_ chunk of a cmd state with listen runs the command, as Salt's
        // cmd.mod_watch does for run and wait.
        boolean listener = function.equals("cmd.mod_watch");
        if (!functions().contains(function) && !listener) {
            throw new CompileException(unknownFunctionMessage);
        }
        List<String> errors = new ArrayList<>();
        Invocation call = new Invocation(function, chunk.name(), null, Invocation.location(chunk),
                chunk.lines(), errors);
        chunk.args().forEach((key, value) -> {
            if (key.equals("flags")) {
                // file.replace's regular expression flags, not the bare flags of the qvm states.
                call.kwargs.put(key, value);
            } else {
                call.addKwarg(key, value);
            }
        });
        List<Step> steps = switch (chunk.state()) {
            case "file" -> FileStates.steps(chunk.fun(), call, files);
            case "cmd" -> CmdStates.steps(call);
            default -> switch (chunk.fun()) {
                case "installed" -> PkgStates.installed(call);
                case "removed" -> PkgStates.removed(call);
                default -> PkgStates.uptodate(call);
            };
        };
        if (!errors.isEmpty()) {
            throw new CompileException(errors);
        }
        String okComment = okComment(chunk);
        if (listener) {
            return new PlanChunk(chunk.tag(), chunk.id(), chunk.sls(), chunk.state(), chunk.fun(),
                    chunk.name(), chunk.order(), chunk.requisites(), null, steps, null, null, null,
                    failhard);
        }
        if (chunk.state().equals("cmd")) {
            boolean wait = chunk.fun().equals("wait");
            Outcome waiting = wait ? new Outcome(true, Map.of(), "", null) : null;
            return new PlanChunk(chunk.tag(), chunk.id(), chunk.sls(), chunk.state(), chunk.fun(),
                    chunk.name(), chunk.order(), chunk.requisites(), okComment,
                    wait ? List.of() : steps, waiting, null, null, failhard, new WatchSteps(steps, null));
        }
        return new PlanChunk(chunk.tag(), chunk.id(), chunk.sls(), chunk.state(), chunk.fun(),
                chunk.name(), chunk.order(), chunk.requisites(), okComment, steps, null, null, null,
                failhard);
    }

    private static String okComment(LowChunk chunk) {
        return switch (chunk.state()) {
            case "file" -> String.format(FileStates.OK_COMMENTS.get(chunk.fun()), chunk.name());
            case "cmd" -> null;
            default -> chunk.fun().equals("uptodate") ? "System is already up-to-date"
                    : chunk.fun().equals("installed") ? "All specified packages are already installed"
                    : "All specified packages are already absent";
        };
    }
}
