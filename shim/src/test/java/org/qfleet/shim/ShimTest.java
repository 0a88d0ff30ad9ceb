package org.qfleet.shim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShimTest {

    private static final long RUN_TIMEOUT_SECONDS = 60;
    private static final Path MODULE_DIR =
            Path.of(System.getProperty("basedir", System.getProperty("user.dir")));

    @TempDir
    Path temp;

    @Test
    void sourceIsThePythonResource() throws IOException {
        Path file = MODULE_DIR.resolve("src/main/resources/org/qfleet/shim/qfleet_shim.py");

        assertArrayEquals(Files.readAllBytes(file), Shim.source());
    }

    @Test
    void sourceDeclaresSameProtocol() {
        String source = new String(Shim.source(), StandardCharsets.UTF_8);

        assertTrue(source.contains("\nPROTOCOL = " + Shim.PROTOCOL + "\n"), "PROTOCOL differs in qfleet_shim.py");
    }

    @Test
    void sha256MatchesSource() throws NoSuchAlgorithmException {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Shim.source());

        assertEquals(HexFormat.of().formatHex(digest), Shim.sha256());
        assertEquals(64, Shim.sha256().length());
    }

    @Test
    void bootstrapCommandMatchesProtocolDocument() throws IOException {
        String document = Files.readString(MODULE_DIR.resolve("../docs/plan-format.md"));
        Matcher block = Pattern.compile("```\\n(python3 -I -S -c [^\\n]*)\\n```").matcher(document);

        assertTrue(block.find(), "docs/plan-format.md has no code block with the python3 -I -S -c command");
        assertEquals(block.group(1), Shim.bootstrapCommand());
    }

    @Test
    void stdinForFramesSourceAndRequest() {
        byte[] request = "{\"protocol\": 1}".getBytes(StandardCharsets.UTF_8);
        byte[] source = Shim.source();
        byte[] header = (source.length + "\n").getBytes(StandardCharsets.US_ASCII);

        byte[] stdin = Shim.stdinFor(request);

        assertEquals(header.length + source.length + request.length, stdin.length);
        assertEquals(source.length + "\n", new String(stdin, 0, header.length, StandardCharsets.US_ASCII));
        assertEquals(new String(source, StandardCharsets.UTF_8),
                new String(stdin, header.length, source.length, StandardCharsets.UTF_8));
        assertEquals("{\"protocol\": 1}",
                new String(stdin, header.length + source.length, request.length, StandardCharsets.UTF_8));
    }

    @Test
    void bootstrapRunsPlanThroughShell() throws Exception {
        Path marker = temp.resolve("marker");
        String plan = """
                {"protocol": 1, "kind": "plan", "jid": "20261204153012345678", "host": "lab-01",
                 "test": false, "chunks": [
                  %s,
                  %s,
                  %s,
                  %s]}
                """.formatted(
                chunk("marker", null, step("[\"test\", \"-e\", \"%s\"]".formatted(marker), "exit", "{\"exit\": 0}",
                        "[[\"touch\", \"%s\"]]".formatted(marker))),
                chunk("greeting", null, step("[\"echo\", \"hello\"]", "stdout", "{\"value\": \"hello\"}", "[]")),
                chunk("broken", null, step("[\"false\"]", "exit", "{\"exit\": 0}",
                        "[[\"sh\", \"-c\", \"echo denied >&2; exit 4\"]]")),
                chunk("dependent", "{\"require\": [\"cmd_|-broken_|-broken_|-run\"]}",
                        step("[\"true\"]", "exit", "{\"exit\": 0}", "[]")));

        ShimRun run = runShim(plan);

        assertEquals(0, run.exitCode, run.stderr);
        assertEquals(5, run.lines.size(), run.lines.toString());
        Map<String, Object> markerResult = run.lines.get(0);
        assertEquals("result", markerResult.get("type"));
        assertEquals("marker", markerResult.get("__id__"));
        assertEquals(0L, markerResult.get("__run_num__"));
        assertEquals(Boolean.TRUE, markerResult.get("result"));
        assertEquals(Map.of("created", Map.of("old", 1L, "new", 0L)), markerResult.get("changes"));
        assertEquals("Ran: touch " + marker, markerResult.get("comment"));
        assertTrue(Files.exists(marker), "the change command did not run");

        Map<String, Object> greeting = run.lines.get(1);
        assertEquals(Boolean.TRUE, greeting.get("result"));
        assertEquals(Map.of(), greeting.get("changes"));
        assertEquals("All checks passed, nothing to change", greeting.get("comment"));

        Map<String, Object> broken = run.lines.get(2);
        assertEquals(Boolean.FALSE, broken.get("result"));
        assertEquals("sh -c 'echo denied >&2; exit 4' failed with exit code 4: denied", broken.get("comment"));

        Map<String, Object> dependent = run.lines.get(3);
        assertEquals(Boolean.FALSE, dependent.get("result"));
        assertEquals("One or more requisite failed: cmd.broken", dependent.get("comment"));
        assertEquals(3L, dependent.get("__run_num__"));

        assertEquals(Map.of("type", "done", "chunks", 4L, "failed", 2L, "changed", 1L), run.lines.get(4));
    }

    @Test
    void otherProtocolIsRejected() throws Exception {
        ShimRun run = runShim("{\"protocol\": %d, \"kind\": \"commands\", \"commands\": []}"
                .formatted(Shim.PROTOCOL + 1));

        assertEquals(2, run.exitCode, run.stderr);
        assertEquals(1, run.lines.size());
        assertEquals("error", run.lines.get(0).get("type"));
        assertEquals("request protocol 2 is not supported: this shim implements protocol 1,"
                + " so run a master that ships this shim", run.lines.get(0).get("message"));
    }

    private ShimRun runShim(String request) throws IOException, InterruptedException {
        Path stdout = temp.resolve("stdout");
        Path stderr = temp.resolve("stderr");
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", Shim.bootstrapCommand())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        // The python3 of the bootstrap is the system one, as in dom0.
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().remove("PYTHONUNBUFFERED");
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(Shim.stdinFor(request.getBytes(StandardCharsets.UTF_8)));
        }
        if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("the shim did not finish within " + RUN_TIMEOUT_SECONDS + " s");
        }
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(stdout, StandardCharsets.UTF_8)) {
            lines.add(Json.parseObject(line));
        }
        return new ShimRun(process.exitValue(), lines, Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private static String chunk(String id, String requisites, String step) {
        return """
                {"tag": "cmd_|-%1$s_|-%1$s_|-run", "id": "%1$s", "sls": "cmd", "state": "cmd",
                 "fun": "run", "name": "%1$s", "requisites": %2$s, "steps": [%3$s]}"""
                .formatted(id, requisites == null ? "{}" : requisites, step);
    }

    private static String step(String argv, String read, String expect, String change) {
        return """
                {"group": null, "key": "created", "vm": null,
                 "probe": {"argv": %s, "read": "%s"}, "expect": %s, "change": %s}"""
                .formatted(argv, read, expect, change);
    }

    private record ShimRun(int exitCode, List<Map<String, Object>> lines, String stderr) {}
}
