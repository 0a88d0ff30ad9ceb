package org.qfleet.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one host returned for a run: state results, or the errors that kept the states from
 * running, or the low state for {@code state.show_lowstate}.
 */
final class HostReport {

    /** Per-host return code for state failures, as Salt's state functions set it. */
    static final int RETCODE_STATE_FAILED = 2;
    /** Per-host return code when the formulas did not render or compile. */
    static final int RETCODE_COMPILE_ERROR = 1;
    /** Per-host return code when the host could not be reached or logged into, as ssh's own. */
    static final int RETCODE_UNREACHABLE = 255;
    /** Per-host return code when the shim on the host did not finish. */
    static final int RETCODE_SHIM_FAILED = 1;

    final String id;
    /** State results keyed by state tag, in the order the shim ran them. */
    final Map<String, Map<String, Object>> states = new LinkedHashMap<>();
    List<String> compileErrors = List.of();
    /** A problem that stopped the host: unreachable, refused, the shim died. */
    String failure;
    int failureRetcode;
    List<Map<String, Object>> lowstate;
    Duration elapsed = Duration.ZERO;

    HostReport(String id) {
        this.id = id;
    }

    /** The host's return code: 0 when everything succeeded. */
    int retcode() {
        if (failure != null && failureRetcode != 0) {
            return failureRetcode;
        }
        if (!compileErrors.isEmpty()) {
            return RETCODE_COMPILE_ERROR;
        }
        for (Map<String, Object> state : states.values()) {
            if (Boolean.FALSE.equals(state.get("result"))) {
                return RETCODE_STATE_FAILED;
            }
        }
        return 0;
    }

    void fail(String message, int retcode) {
        this.failure = message;
        this.failureRetcode = retcode;
    }
}
