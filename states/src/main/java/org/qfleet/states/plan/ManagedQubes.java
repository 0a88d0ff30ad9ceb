package org.qfleet.states.plan;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a plan against the qubes a roster entry allows qfleet to change ({@code manage:
 * [globs]}), so that a formula cannot reach a qube outside that set.
 */
public final class ManagedQubes {

    private final List<String> globs;
    private final List<PathMatcher> matchers = new ArrayList<>();

    /** @param globs shell globs of qube names; an empty list allows every qube */
    public ManagedQubes(List<String> globs) {
        this.globs = List.copyOf(globs);
        for (String glob : globs) {
            matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        }
    }

    /** Returns whether a step may change the qube {@code name}. */
    public boolean allows(String name) {
        if (globs.isEmpty()) {
            return true;
        }
        if (name.contains("/")) {
            return false;
        }
        Path path = Path.of(name);
        return matchers.stream().anyMatch(matcher -> matcher.matches(path));
    }

    /**
     * Returns one message per qube outside the managed set that a step changes or creates. Each
     * message names the chunk's SLS and ID, the qube and the globs. A step without a qube changes
     * dom0 or the whole host, so it counts as changing {@code dom0}.
     */
    public List<String> violations(List<PlanChunk> chunks) {
        if (globs.isEmpty()) {
            return List.of();
        }
        Set<String> messages = new LinkedHashSet<>();
        for (PlanChunk chunk : chunks) {
            List<Step> steps = new ArrayList<>(chunk.steps());
            if (chunk.modWatchSteps() != null) {
                // A mod_watch restarts its qube, which is a change too.
                steps.addAll(chunk.modWatchSteps().steps());
            }
            for (Step step : steps) {
                if (step.change().isEmpty() && step.action() == null) {
                    continue;
                }
                List<String> touched = new ArrayList<>();
                touched.add(step.vm() == null ? "dom0" : step.vm());
                if (step.creates() != null) {
                    touched.add(step.creates());
                }
                for (String qube : touched) {
                    if (!allows(qube)) {
                        messages.add("State " + chunk.state() + "." + chunk.fun() + " with ID '" + chunk.id()
                                + "' in SLS '" + chunk.sls() + "' changes qube '" + qube
                                + "', which this host's roster entry does not allow (manage: "
                                + String.join(", ", globs) + "); add the qube to 'manage' or"
                                + " remove the state");
                    }
                }
            }
        }
        return List.copyOf(messages);
    }
}
