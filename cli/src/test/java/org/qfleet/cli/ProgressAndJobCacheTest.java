package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressAndJobCacheTest {

    @TempDir
    Path work;

    @Test
    void progressLineCountsHosts() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try (Progress progress = new Progress(err, 3, true)) {
            progress.hostDone(false);
            progress.hostDone(true);
            progress.around(() -> err.print("REPORT\n"));
        }
        String text = buffer.toString(StandardCharsets.UTF_8);

        assertTrue(text.contains("\r\033[K1/3 hosts done, 0 failed, "), text);
        assertTrue(text.contains("\r\033[K2/3 hosts done, 1 failed, "), text);
        assertTrue(text.contains("\r\033[KREPORT\n\r\033[K2/3 hosts done"), "the line is erased before a report: "
                + text);
        assertTrue(text.endsWith("\r\033[K"), "the line is erased at the end: " + text);
    }

    @Test
    void disabledProgressPrintsNothing() {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        try (Progress progress = new Progress(err, 3, false)) {
            progress.hostDone(true);
            progress.around(() -> { });
        }

        assertEquals("", buffer.toString(StandardCharsets.UTF_8));
        assertEquals(false, Progress.onTerminal(), "tests run without a terminal");
    }

    @Test
    void jobCacheRecordsAndReadsHosts() throws IOException {
        JobCache cache = new JobCache(work.resolve("jobs"));
        JobCache.Job job = cache.create(List.of("'*'", "state.apply"), "state.apply", "*", List.of("lab-01", "a/b"));
        HostReport slash = new HostReport("a/b");
        slash.fail("refused", HostReport.RETCODE_UNREACHABLE);
        job.record(FleetFixture.reports().get(2));
        job.record(slash);

        JobCache.StoredJob stored = cache.load(job.jid());

        assertEquals(List.of(job.jid()), cache.jobIds());
        assertEquals(List.of("a/b", "lab-01"), stored.hosts().stream().map(report -> report.id).sorted().toList());
        assertEquals(null, stored.info().get("exit_code"), "a job that did not finish has no exit code");
        job.finish(20, false);
        assertEquals(20, cache.load(job.jid()).info().get("exit_code"));
    }

    @Test
    void jobCacheKeepsTheNewestJobs() throws IOException {
        JobCache cache = new JobCache(work.resolve("jobs"));
        for (int i = 0; i < 5; i++) {
            cache.create(List.of(), "state.apply", "*", List.of());
        }
        List<String> before = cache.jobIds();

        int deleted = cache.prune(2);

        assertEquals(3, deleted);
        assertEquals(before.subList(3, 5), cache.jobIds());
    }

    @Test
    void missingJobNamesTheFolder() {
        JobCache cache = new JobCache(work.resolve("jobs"));

        IOException error = assertThrows(IOException.class, () -> cache.load("20260101000000000000"));

        assertTrue(error.getMessage().contains(work.resolve("jobs").toString()), error.getMessage());
    }

    @Test
    void unreadableHostFileNamesTheFile() throws IOException {
        JobCache cache = new JobCache(work.resolve("jobs"));
        JobCache.Job job = cache.create(List.of(), "state.apply", "*", List.of());
        Path broken = work.resolve("jobs").resolve(job.jid()).resolve("hosts").resolve("lab-01.json");
        Files.writeString(broken, "{\"id\": \"lab-01\"");

        IOException error = assertThrows(IOException.class, () -> cache.load(job.jid()));

        assertTrue(error.getMessage().contains(broken.toString()), error.getMessage());
    }

    @Test
    void secretOptionValuesAreRedacted() {
        assertEquals(List.of("--webhook-url", "***", "--passwd=***", "-c", "q.yaml", "*", "state.apply"),
                OutputOptions.redact(List.of("--webhook-url", "http://h/x?token=1", "--passwd=pw", "-c", "q.yaml",
                        "*", "state.apply")));
    }

    @Test
    void rawCommandKeepsEachWordWhole() {
        assertEquals("echo it\\'s\\ \\$HOME", RawShell.commandLine(List.of("echo", "it's $HOME")));
        assertEquals("printf ''", RawShell.commandLine(List.of("printf", "")));
    }
}
