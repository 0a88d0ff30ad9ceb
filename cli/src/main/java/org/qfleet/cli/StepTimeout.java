package org.qfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Sets the shim's per-command time limit, the request field {@code step_timeout}, in a request
 * that is already JSON. The shim kills a probe or change command that runs longer, with every
 * process it started, and fails that command's state; the plan then goes on with the next state.
 */
final class StepTimeout {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StepTimeout() {
    }

    /** Returns {@code requestJson} with {@code step_timeout} set to {@code seconds}, or unchanged when it is null. */
    static byte[] apply(byte[] requestJson, Integer seconds) {
        if (seconds == null) {
            return requestJson;
        }
        try {
            ObjectNode request = (ObjectNode) JSON.readTree(requestJson);
            request.put("step_timeout", seconds);
            return JSON.writeValueAsBytes(request);
        } catch (IOException ex) {
            throw new UncheckedIOException("a plan that qfleet wrote is not a JSON object", ex);
        }
    }
}
