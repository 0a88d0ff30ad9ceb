package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * Runs qfleet with a roster that carries a key passphrase and a login password, and checks that neither value
 * reaches standard output, standard error, the log file or the job cache, on success and on failure.
 */
@Timeout(180)
class SshSecretsRunTest {

    private static final String PASSPHRASE = "sentinel-roster-passphrase-R7t";
    private static final String PASSWORD = "sentinel-roster-password-M2q";
    private static final long PROCESS_TIMEOUT_SECONDS = 120;

    @TempDir
    Path work;

    private SimulatedFleet fleet;

    @BeforeEach
    void startFleet() throws IOException {
        fleet = SimulatedFleet.start(work.resolve("sim"), 1);
    }

    @AfterEach
    void stopFleet() {
        fleet.close();
    }

    @Test
    void rosterSecretsStayOutOfEveryOutput() throws Exception {
        Path encryptedKey = work.resolve("encrypted_key");
        Files.copy(fleet.clientKey(), encryptedKey);
        run("ssh-keygen", "-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", encryptedKey.toString());
        String host = fleet.hosts().get(0).id();
        String entry = Files.readString(fleet.rosterFile());
        String roster = entry.replace("priv: " + fleet.clientKey(), "priv: " + encryptedKey
                + "\n  priv_passwd: " + PASSPHRASE + "\n  passwd: " + PASSWORD)
                + "lab-08:\n  host: 127.0.0.1\n  port: 1\n  user: qfleet\n  passwd: " + PASSWORD + "\n"
                + "lab-07:\n  host: 127.0.0.1\n  port: " + fleet.hosts().get(0).port() + "\n  user: qfleet\n"
                + "  priv: " + encryptedKey + "\n  priv_passwd: not-" + PASSPHRASE + "\n";
        assertTrue(roster.contains("priv_passwd: " + PASSPHRASE), "roster entry was not rewritten:\n" + roster);
        Path rosterFile = work.resolve("roster");
        Files.writeString(rosterFile, roster);
        Path config = work.resolve("qfleet.yaml");
        Files.writeString(config, "roster_file: " + rosterFile + "\nknown_hosts: " + fleet.knownHostsFile() + "\n"
                + "file_roots: [" + Path.of("..").toAbsolutePath().normalize().resolve("examples/whonix") + "]\n");
        Path jobs = work.resolve("jobs");
        Path logFile = work.resolve("qfleet.log");

        String output = runInProcess("-c", config.toString(), "--jobs-dir", jobs.toString(), "--log-file",
                logFile.toString(), "-l", "debug", "--out", "json", "--ssh-config", work.resolve("none").toString(),
                "*", "state.apply", "test=True");

        assertTrue(output.contains("\"" + host + "\""), output);
        assertTrue(output.contains("could not be decrypted with the passphrase from priv_passwd"), output);
        StringBuilder everything = new StringBuilder(output);
        try (Stream<Path> files = Files.walk(work)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (file.startsWith(jobs) || file.equals(logFile) || file.getFileName().toString().endsWith(".txt")) {
                    everything.append(Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        }
        assertTrue(Files.exists(jobs), "no job cache was written");
        assertTrue(Files.readString(logFile).contains("connect(" + host + ")"), "the debug log has no transport line");
        assertFalse(everything.toString().contains(PASSPHRASE),
                "the key passphrase leaked");
        assertFalse(everything.toString().contains(PASSWORD), "the login password leaked");
    }

    /**
     * Runs qfleet as its own java process, so that its logging starts fresh at debug level, and returns its
     * standard output and standard error together.
     */
    private String runInProcess(String... args) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classPath,
                "org.qfleet.cli.Main"));
        command.addAll(List.of(args));
        Path output = work.resolve("qfleet-output.txt");
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("qfleet did not finish within " + PROCESS_TIMEOUT_SECONDS + " s");
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(ExitCodes.HOSTS_FAILED, process.exitValue(), text);
        return text;
    }

    private void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
    }
}
