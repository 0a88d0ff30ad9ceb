package org.qfleet.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one host returned for a run: state results, or the errors that kept the states from
 * running, or the low state for {@code state.show_lowstate}, or a raw shell command's output.
 */
final class HostReport {

    /** Per-host return code for state failures, as Salt's state functions set it. */
    static final int RETCODE_STATE_FAILED = 2;
    /** Per-host return code when the formulas did not render or compile. */
    static final int RETCODE_COMPILE_ERROR = 1;
    /** Per-host return code when the host could not be reached or logged into, as ssh's own. */
    static final int RETCODE_UNREACHABLE = 255;
    /** Per-host return code when the host key was not accepted or the login was rejected, as salt-ssh's. */
    static final int RETCODE_LOGIN_FAILED = 254;
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
    /** The grains gathered from the host, kept in the job cache so that later runs can target by them. */
    Map<String, Object> grains;
    /** A raw shell command's {@code stdout}, {@code stderr} and {@code retcode}, as salt-ssh's {@code -r}. */
    Map<String, Object> raw;
    /** When work on the host began, or null when not recorded. */
    Instant started;
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
        if (raw != null && raw.get("retcode") instanceof Number code) {
            return code.intValue();
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

    /**
     * Replaces every occurrence of the secrets with {@link SecretRedactor#MASK} in the state
     * results (tags included), compile errors, failure, low state and raw output, so that no
     * output, job cache or returner gets them. The grains are left as they are.
     * NOTE: two state tags that differ only in a secret become one tag, and the later result is kept.
     */
    synchronized void redact(Collection<String> secrets) {
        SecretRedactor redactor = new SecretRedactor(secrets);
        if (redactor.isEmpty()) {
            return;
        }
        Map<String, Map<String, Object>> redactedStates = new LinkedHashMap<>();
        states.forEach((tag, state) -> redactedStates.put(redactor.redact(tag), redactor.redactMap(state)));
        states.clear();
        states.putAll(redactedStates);
        compileErrors = compileErrors.stream().map(redactor::redact).toList();
        failure = redactor.redact(failure);
        if (lowstate != null) {
            lowstate = lowstate.stream().map(redactor::redactMap).toList();
        }
        if (raw != null) {
            raw = redactor.redactMap(raw);
        }
    }

    /** Returns whether the host could not be reached or logged into (return code 255 or 254). */
    boolean unreachable() {
        return failure != null && (failureRetcode == RETCODE_UNREACHABLE || failureRetcode == RETCODE_LOGIN_FAILED);
    }

    /** Returns the number of states that reported changes, or in test mode would make them. */
    int changedStates() {
        int changed = 0;
        for (Map<String, Object> state : states.values()) {
            if (state.get("changes") instanceof Map<?, ?> changes && !changes.isEmpty()) {
                changed++;
            }
        }
        return changed;
    }

    /** Returns the error messages of this host: compile errors, then the failure that stopped it. */
    List<String> errors() {
        List<String> errors = new ArrayList<>(compileErrors);
        if (failure != null) {
            errors.add(failure);
        }
        return errors;
    }

    /**
     * The host's return as Salt prints it: the state results by tag, the list of compile errors,
     * the low state, the raw command's result, or the failure message.
     */
    Object saltReturn() {
        if (lowstate != null) {
            return lowstate;
        }
        if (raw != null) {
            return raw;
        }
        if (!compileErrors.isEmpty()) {
            return compileErrors;
        }
        if (failure != null && states.isEmpty()) {
            return failure;
        }
        return states;
    }

    /**
     * Returns the report as plain maps and lists for JSON and YAML: {@code retcode},
     * {@code started}, {@code elapsed_s}, {@code errors} and {@code return}; the job cache stores
     * this form and {@link #fromMap} reads it back.
     */
    Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", id);
        map.put("retcode", retcode());
        map.put("started", started == null ? null : started.toString());
        map.put("elapsed_s", elapsed.toNanos() / 1e9);
        map.put("unreachable", unreachable());
        map.put("errors", errors());
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("states", states);
        detail.put("compile_errors", compileErrors);
        detail.put("failure", failure);
        detail.put("failure_retcode", failureRetcode);
        detail.put("lowstate", lowstate);
        detail.put("raw", raw);
        if (grains != null) {
            detail.put("grains", grains);
        }
        map.put("return", saltReturn());
        map.put("detail", detail);
        return map;
    }

    /** Reads a report written by {@link #toMap}; throws IllegalArgumentException naming the missing field. */
    @SuppressWarnings("unchecked")
    static HostReport fromMap(Map<String, Object> map) {
        if (!(map.get("id") instanceof String id) || !(map.get("detail") instanceof Map<?, ?> detailMap)) {
            throw new IllegalArgumentException("a host result must have the fields 'id' and 'detail'");
        }
        Map<String, Object> detail = (Map<String, Object>) detailMap;
        HostReport report = new HostReport(id);
        if (detail.get("states") instanceof Map<?, ?> states) {
            states.forEach((tag, state) -> report.states.put(String.valueOf(tag), (Map<String, Object>) state));
        }
        if (detail.get("compile_errors") instanceof List<?> errors) {
            report.compileErrors = errors.stream().map(String::valueOf).toList();
        }
        if (detail.get("failure") instanceof String failure) {
            int retcode = detail.get("failure_retcode") instanceof Number code ? code.intValue() : 1;
            report.fail(failure, retcode);
        }
        if (detail.get("grains") instanceof Map<?, ?> grains) {
            report.grains = (Map<String, Object>) grains;
        }
        if (detail.get("lowstate") instanceof List<?> lowstate) {
            report.lowstate = (List<Map<String, Object>>) lowstate;
        }
        if (detail.get("raw") instanceof Map<?, ?> raw) {
            report.raw = (Map<String, Object>) raw;
        }
        if (map.get("started") instanceof String started) {
            report.started = Instant.parse(started);
        }
        if (map.get("elapsed_s") instanceof Number seconds) {
            report.elapsed = Duration.ofNanos(Math.round(seconds.doubleValue() * 1e9));
        }
        return report;
    }
}
