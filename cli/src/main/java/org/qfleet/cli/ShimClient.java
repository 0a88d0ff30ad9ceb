package org.qfleet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.qfleet.shim.Shim;
import org.qfleet.transport.ExecResult;
import org.qfleet.transport.RunningCommand;
import org.qfleet.transport.SshSession;
import org.qfleet.transport.TransportException;

/**
 * Sends requests to the shim on one host and hands back the shim's output lines as they arrive.
 * All requests to a host go to one shim process on one exec channel: the shim starts with the
 * first request and reads one request line after another, so the facts, any render-time
 * commands and the plan cost one {@code python3} start. Close the client to end that process.
 */
final class ShimClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SshSession session;
    private final Duration timeout;
    /** The roster entry's manage globs, passed on the shim's command line; empty for no limit. */
    private final List<String> manageGlobs;
    /** The shim process, started by the first request; null before it and after it ended. */
    private RunningCommand running;
    /** The request whose reply lines arrive now; written by the caller, read on an SSH I/O thread. */
    private volatile PendingReply pending;

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

    /** The lines of one request's reply, collected as they arrive. */
    private static final class PendingReply {
        final List<Map<String, Object>> lines = new ArrayList<>();
        final Consumer<Map<String, Object>> onLine;
        final CountDownLatch done = new CountDownLatch(1);
        /**
         * The exception that {@code onLine} threw, or null. The reply ends there, because the
         * caller cannot use later lines.
         */
        volatile RuntimeException failure;

        PendingReply(Consumer<Map<String, Object>> onLine) {
            this.onLine = onLine;
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

    /**
     * Sends a request that is already compact JSON text, with no line break in it, and waits
     * for its {@code done} line or for the shim to end.
     */
    Reply sendRaw(byte[] requestJson, Consumer<Map<String, Object>> onLine) throws TransportException {
        PendingReply reply = new PendingReply(onLine);
        pending = reply;
        byte[] line = Arrays.copyOf(requestJson, requestJson.length + 1);
        for (int i = 0; i < requestJson.length; i++) {
            // JSON escapes line breaks inside strings, so any here are whitespace between tokens.
            if (line[i] == '\n' || line[i] == '\r') {
                line[i] = ' ';
            }
        }
        line[requestJson.length] = '\n';
        boolean alive;
        try {
            if (running == null) {
                running = session.start(Shim.sessionCommand(manageGlobs), this::dispatch, timeout);
                running.send(Shim.sessionPreamble());
            }
            running.send(line);
            alive = running.awaitReply(reply.done);
        } catch (TransportException ex) {
            if (ex.kind() != TransportException.Kind.CHANNEL_CLOSED || running == null) {
                throw ex;
            }
            // The command ended before it read all of its input, such as a host without
            // python3; how it ended is below.
            alive = false;
        }
        if (reply.failure != null) {
            throw reply.failure;
        }
        if (alive) {
            synchronized (reply.lines) {
                return new Reply(List.copyOf(reply.lines), null, "");
            }
        }
        ExecResult result = end();
        synchronized (reply.lines) {
            return new Reply(List.copyOf(reply.lines), result.exitStatus(), result.stderr());
        }
    }

    /** Ends the shim process: closes its standard input and waits for it to exit. */
    private ExecResult end() throws TransportException {
        RunningCommand command = running;
        running = null;
        try (command) {
            return command.finish();
        }
    }

    /** Ends the shim process, if one runs; a shim between requests exits at the end of its input. */
    @Override
    public void close() throws TransportException {
        if (running != null) {
            end();
        }
    }

    private void dispatch(String text) {
        Map<String, Object> line = parse(text);
        PendingReply reply = pending;
        if (reply == null || reply.failure != null) {
            return;
        }
        synchronized (reply.lines) {
            reply.lines.add(line);
        }
        try {
            reply.onLine.accept(line);
        } catch (RuntimeException ex) {
            reply.failure = ex;
            reply.done.countDown();
        }
        if ("done".equals(line.get("type"))) {
            reply.done.countDown();
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
