package org.qfleet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.qfleet.shim.Shim;
import org.qfleet.transport.ExecResult;
import org.qfleet.transport.SshSession;
import org.qfleet.transport.TransportException;

/**
 * Sends requests to the shim on one host, each as one exec on the host's open SSH session,
 * and hands back the shim's output lines as they arrive.
 */
final class ShimClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SshSession session;
    private final Duration timeout;
    /** The roster entry's manage globs, passed on the shim's command line; empty for no limit. */
    private final List<String> manageGlobs;

    ShimClient(SshSession session, Duration timeout) {
        this(session, timeout, List.of());
    }

    ShimClient(SshSession session, Duration timeout, List<String> manageGlobs) {
        this.session = session;
        this.timeout = timeout;
        this.manageGlobs = List.copyOf(manageGlobs);
    }

    /** The outcome of one request: every line the shim wrote, and how it ended. */
    record Reply(List<Map<String, Object>> lines, Integer exitStatus, String stderr) {

        /** Returns whether the shim wrote its final {@code done} line. */
        boolean finished() {
            return !lines.isEmpty() && "done".equals(lines.get(lines.size() - 1).get("type"));
        }

        /** Describes, for the report, why the shim did not finish. */
        String describeFailure() {
            StringBuilder text = new StringBuilder("The shim on the host stopped before it finished");
            if (exitStatus != null) {
                text.append(" (exit status ").append(exitStatus).append(")");
            }
            for (Map<String, Object> line : lines) {
                if ("error".equals(line.get("type"))) {
                    text.append(": ").append(line.get("message"));
                }
            }
            if (exitStatus != null && exitStatus == 127) {
                text.append(". Is python3 installed on the host?");
            }
            String trimmed = stderr == null ? "" : stderr.strip();
            if (!trimmed.isEmpty()) {
                text.append("\n").append(trimmed);
            }
            return text.toString();
        }
    }

    /**
     * Sends one request; {@code onLine} sees each parsed output line as soon as it arrives.
     * Lines that are not JSON objects are kept as {@code {"type": "garbage", "text": ...}}.
     */
    Reply send(Map<String, Object> request, Consumer<Map<String, Object>> onLine) throws TransportException {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(request);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("a shim request could not be written as JSON", ex);
        }
        return sendRaw(body, onLine);
    }

    /** Sends a request that is already JSON text. */
    Reply sendRaw(byte[] requestJson, Consumer<Map<String, Object>> onLine) throws TransportException {
        List<Map<String, Object>> lines = new ArrayList<>();
        ExecResult result = session.exec(Shim.bootstrapCommand(manageGlobs), Shim.stdinFor(requestJson), text -> {
            Map<String, Object> line = parse(text);
            synchronized (lines) {
                lines.add(line);
            }
            onLine.accept(line);
        }, timeout);
        synchronized (lines) {
            return new Reply(List.copyOf(lines), result.exitStatus(), result.stderr());
        }
    }

    /** Runs commands on the host through the shim and returns their results by command id. */
    Map<String, Map<String, Object>> runCommands(List<Map<String, Object>> commands) throws TransportException,
            ShimFailure {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("protocol", Shim.PROTOCOL);
        request.put("kind", "commands");
        request.put("commands", commands);
        Reply reply = send(request, line -> { });
        if (!reply.finished()) {
            throw new ShimFailure(reply.describeFailure());
        }
        Map<String, Map<String, Object>> results = new LinkedHashMap<>();
        for (Map<String, Object> line : reply.lines()) {
            if ("command".equals(line.get("type"))) {
                results.put(String.valueOf(line.get("id")), line);
            }
        }
        return results;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(String text) {
        try {
            Object value = JSON.readValue(text, Object.class);
            if (value instanceof Map<?, ?> map) {
                return (Map<String, Object>) map;
            }
        } catch (JsonProcessingException ex) {
            // Not JSON: kept below as garbage so that the report can show it.
        }
        Map<String, Object> garbage = new LinkedHashMap<>();
        garbage.put("type", "garbage");
        garbage.put("text", text);
        return garbage;
    }

    /** The shim did not finish a request. */
    static final class ShimFailure extends Exception {
        ShimFailure(String message) {
            super(message);
        }
    }
}
