package org.qfleet.states.spi;

import java.util.List;
import org.qfleet.states.plan.Step;

/** A state function added through a {@link StateFunctionProvider}. */
public interface StateFunction {

    /**
     * Compiles one call into the steps that check and change the host. Problems with the
     * arguments go to {@link StateCall#error(String)}. The steps returned are then ignored, and
     * the state fails to compile with those messages.
     */
    List<Step> steps(StateCall call);

    /**
     * Returns the comment of a result whose probes all passed already. The default names the
     * state, so override it to speak of what the function manages.
     */
    default String upToDateComment(String name) {
        return "State " + name + " is already in the desired state";
    }
}
