package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacks the release archive that the dist module builds and runs its launchers the way a
 * user on a machine without Maven would: with only Java, Python and a shell on PATH.
 */
class ReleaseArchiveTest {

    private static final long RUN_LIMIT_SECONDS = 180;

    /** The programs a user's machine needs: the launchers' shell tools, Java and Python 3. */
    private static final List<String> TOOLS = List.of("bash", "sh", "env", "readlink", "dirname",
            "setsid", "java", "python3");

    @TempDir
    static Path work;

    private static Path home;
    private static Path toolsDir;

    private record Outcome(int exitCode, String stdout, String stderr) {}

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = findArchive();
        Path unpacked = Files.createDirectories(work.resolve("unpacked"));
        Outcome tar = run(unpacked, List.of("tar", "-xzf", archive.toString()), System.getenv("PATH"));
        assertEquals(0, tar.exitCode(), tar.stderr());
        try (Stream<Path> entries = Files.list(unpacked)) {
            List<Path> tops = entries.toList();
            assertEquals(1, tops.size(), "the archive must hold one top folder: " + tops);
            home = tops.get(0);
        }
        toolsDir = Files.createDirectories(work.resolve("tools"));
        for (String tool : TOOLS) {
            Path found = which(tool);
            Files.createSymbolicLink(toolsDir.resolve(tool), found);
        }
    }

    private static Path findArchive() throws IOException {
        Path target = QfleetProcess.repositoryRoot().resolve("dist/target");
        if (!Files.isDirectory(target)) {
            fail("no release archive in " + target + "; build it with: mvn -B package -DskipTests");
        }
        try (Stream<Path> files = Files.list(target)) {
            List<Path> archives = files
                    .filter(file -> file.getFileName().toString().matches("qfleet-.+\\.tar\\.gz"))
                    .toList();
            assertEquals(1, archives.size(), "expected one qfleet-VERSION.tar.gz in " + target);
            return archives.get(0);
        }
    }

    /** Finds a program on this process's PATH, as the shell would. Python 3 is always /usr/bin/python3. */
    private static Path which(String tool) {
        if (tool.equals("python3")) {
            return Path.of("/usr/bin/python3");
        }
        for (String dir : System.getenv("PATH").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail(tool + " not found on PATH");
    }

    /** Runs a program from the unpacked archive with only {@link #TOOLS} on PATH. */
    private static Outcome runUnpacked(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(args));
        command.set(0, home.resolve(args[0]).toString());
        return run(work, command, toolsDir.toString());
    }

    private static Outcome run(Path dir, List<String> command, String path) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("PATH", path);
        builder.environment().remove("JAVA_HOME");
        builder.environment().remove("QFLEET_CONFIG");
        builder.environment().put("NO_COLOR", "1");
        builder.environment().put("QFLEET_JOBS_DIR", work.resolve("jobs").toString());
        Path stdout = Files.createTempFile(work, "stdout", ".txt");
        Path stderr = Files.createTempFile(work, "stderr", ".txt");
        builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        Process process = builder.start();
        if (!process.waitFor(RUN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(command + " did not finish within " + RUN_LIMIT_SECONDS + " s");
        }
        return new Outcome(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    @Test
    void pathHasNoMaven() {
        assertFalse(Files.exists(toolsDir.resolve("mvn")));
    }

    @Test
    void versionNamesShimProtocol() throws Exception {
        Outcome version = runUnpacked("bin/qfleet", "--version");

        assertEquals(0, version.exitCode(), version.stderr());
        assertTrue(version.stdout().matches("qfleet \\S+ \\(shim protocol \\d+\\)\\s*"), version.stdout());
    }

    @Test
    void docPrintsPrefs() throws Exception {
        Outcome doc = runUnpacked("bin/qfleet", "--doc", "qvm.prefs");

        assertEquals(0, doc.exitCode(), doc.stderr());
        assertTrue(doc.stdout().startsWith("qvm.prefs: "), doc.stdout());
        assertTrue(doc.stdout().contains("\nTest mode (test=True):\n"), doc.stdout());
        assertTrue(doc.stdout().contains("\nExample:\n"), doc.stdout());
    }

    @Test
    void manPagesAreTroff() throws Exception {
        Path manPage = home.resolve("man/man1/qfleet.1");
        // Asciidoctor writes comment lines, starting '\" or .\", before the .TH header.
        String firstMacro = Files.readAllLines(manPage).stream()
                .filter(line -> !line.startsWith("'\\\"") && !line.startsWith(".\\\""))
                .findFirst()
                .orElse("");
        assertTrue(firstMacro.startsWith(".TH \"QFLEET\" \"1\""), firstMacro);
        assertTrue(Files.exists(home.resolve("man/man1/qfleet-jobs.1")));
        assertTrue(Files.exists(home.resolve("man/man1/qfleet-jobs-merge.1")));
        assertTrue(Files.exists(home.resolve("man/man1/qfleet-sim-start.1")));
    }

    @Test
    void manRendersQfleetPage() throws Exception {
        Path man = Path.of("/usr/bin/man");
        assumeTrue(Files.isExecutable(man), "man is not installed (Debian package man-db)");

        // LC_ALL=C makes groff print ASCII hyphens, so that the option reads as a user types it.
        Outcome rendered = run(work, List.of("env", "LC_ALL=C", "MANWIDTH=80", man.toString(), "-l",
                home.resolve("man/man1/qfleet.1").toString()), System.getenv("PATH"));

        assertEquals(0, rendered.exitCode(), rendered.stderr());
        assertTrue(rendered.stdout().contains("--doc[=FUNCTION]"), rendered.stdout());
        // Each example stays one line with its quoted globs, not AsciiDoc bold text.
        assertTrue(rendered.stdout().contains("qfleet -c sim/qfleet.yaml '*' state.apply\n"), rendered.stdout());
        assertTrue(rendered.stdout().contains("qfleet 'lab-*' state.sls qvm.sys-whonix test=True\n"),
                rendered.stdout());
    }

    @Test
    void completionShipped() throws Exception {
        assertTrue(Files.exists(home.resolve("completion/qfleet.zsh")));

        Path completion = home.resolve("completion/qfleet.bash");
        Outcome loaded = run(work, List.of("bash", "-c", "source \"$1\" && complete -p qfleet", "bash",
                completion.toString()), System.getenv("PATH"));
        assertEquals(0, loaded.exitCode(), loaded.stderr());
        assertTrue(loaded.stdout().startsWith("complete "), loaded.stdout());
        assertTrue(Files.readString(completion).contains("--doc"));
    }

    @Test
    void appliesFormulaToSimulatedFleet() throws Exception {
        Path fleet = work.resolve("fleet");
        Outcome start = runUnpacked("bin/qfleet-sim", "start", "--hosts", "2", "--dir", fleet.toString(),
                "--fresh");
        try {
            assertEquals(0, start.exitCode(), start.stdout() + start.stderr());
            String config = fleet.resolve("qfleet.yaml").toString();
            String formulas = home.resolve("examples/whonix").toString();

            Outcome apply = runUnpacked("bin/qfleet", "-c", config, "--file-root", formulas, "*",
                    "state.apply");
            assertEquals(0, apply.exitCode(), apply.stdout() + apply.stderr());
            assertTrue(apply.stdout().contains("Hosts succeeded:             2"), apply.stdout());

            Outcome drift = runUnpacked("bin/qfleet", "-c", config, "--file-root", formulas, "*",
                    "state.apply", "test=True", "--out", "junit");
            assertEquals(0, drift.exitCode(), drift.stdout() + drift.stderr());
            assertTrue(drift.stdout().contains("<testsuite name=\"lab-01\""), drift.stdout());
            assertFalse(drift.stdout().contains("<failure"), drift.stdout());
        } finally {
            Outcome stop = runUnpacked("bin/qfleet-sim", "stop", "--dir", fleet.toString());
            assertEquals(0, stop.exitCode(), stop.stdout() + stop.stderr());
        }
    }
}
