package org.qfleet.states.plan;

import java.util.List;

/**
 * The steps that the shim runs as a state's {@code mod_watch}, written as
 * {@code "mod_watch": {"steps": [...], "comment_ok": "..."}}.
 *
 * @param steps run as a chunk's steps when a watched chunk changed and the chunk itself
 *     reported no changes
 * @param commentOk the comment when every step held, or null for the chunk's own
 */
public record WatchSteps(List<Step> steps, String commentOk) {

    public WatchSteps {
        steps = List.copyOf(steps);
    }
}
