package org.qfleet.tests;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * The HTTP roster's cache (roster_cache_dir) with the real qfleet command: the cached copy keeps no roster
 * password or key passphrase, and a run that falls back to it warns which hosts lost theirs.
 */
class RosterCacheTest {

    private static final String PASSWORD = "sentinel-cache-password-6Tb";
    private static final String PASSPHRASE = "sentinel-cache-passphrase-3Hv";

    @TempDir
    Path work;

    @Test
    void cacheKeepsNoSecretsAndFallbackWarns() throws Exception {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        try (SimulatedFleet fleet = SimulatedFleet.start(work.resolve("sim"), 1)) {
            Path key = work.resolve("encrypted_key");
            Files.copy(fleet.clientKey(), key);
            runTool("ssh-keygen", "-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", key.toString());
            int port = fleet.hosts().get(0).port();
            String roster = "lab-01:\n  host: 127.0.0.1\n  port: " + port + "\n  user: qfleet\n  priv: " + key
                    + "\n  priv_passwd: " + PASSPHRASE + "\n  passwd: " + PASSWORD + "\n";
            server.stubFor(get(urlPathEqualTo("/roster")).willReturn(aResponse().withStatus(200).withBody(roster)));
            Path cacheDir = work.resolve("roster-cache");
            Path config = work.resolve("qfleet.yaml");
            Files.writeString(config, "roster_url: http://127.0.0.1:" + server.port() + "/roster\n"
                    + "roster_cache_dir: " + cacheDir + "\n"
                    + "roster_retries: 0\n"
                    + "known_hosts: " + fleet.knownHostsFile() + "\n");

            Run fetched = qfleet(null, "-c", config.toString(), "--file-root", FaultFleet.whonixFormulas(),
                    "*", "state.apply", "test=True");

            assertEquals(0, fetched.exitCode(), fetched.output());
            assertFalse(fetched.output().contains("keeps no passwords"), fetched.output());
            List<Path> copies;
            try (Stream<Path> files = Files.list(cacheDir)) {
                copies = files.toList();
            }
            assertEquals(1, copies.size(), copies.toString());
            String cached = Files.readString(copies.get(0), StandardCharsets.UTF_8);
            assertFalse(cached.contains(PASSWORD), cached);
            assertFalse(cached.contains(PASSPHRASE), cached);
            assertTrue(cached.contains("priv: " + key), cached);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copies.get(0))));

            server.stop();
            Run withVariable = qfleet(PASSPHRASE, "-c", config.toString(), "--file-root",
                    FaultFleet.whonixFormulas(), "*", "state.apply", "test=True");
            Run withoutVariable = qfleet(null, "-c", config.toString(), "--file-root",
                    FaultFleet.whonixFormulas(), "*", "state.apply", "test=True");

            String warning = "keeps no passwords, so these hosts have no passwd or priv_passwd from the roster in"
                    + " this run: lab-01 (priv_passwd, passwd).";
            assertTrue(withVariable.output().contains("Using the last good copy"), withVariable.output());
            assertTrue(withVariable.output().contains(warning), withVariable.output());
            assertEquals(0, withVariable.exitCode(), "the key passphrase from the variable must serve:\n"
                    + withVariable.output());
            assertTrue(withoutVariable.output().contains(warning), withoutVariable.output());
            assertTrue(withoutVariable.output().contains("is encrypted, and no passphrase was given"),
                    withoutVariable.output());
            assertNotEquals(0, withoutVariable.exitCode(), withoutVariable.output());
            for (Run run : List.of(fetched, withVariable, withoutVariable)) {
                assertFalse(run.output().contains(PASSWORD), run.output());
                assertFalse(run.output().contains(PASSPHRASE), run.output());
            }
        } finally {
            server.stop();
        }
    }

    /** The exit code and the joined stdout and stderr of one qfleet run. */
    private record Run(int exitCode, String output) {
    }

    /** Runs bin/qfleet, with QFLEET_KEY_PASSPHRASE set when {@code passphrase} is not null. */
    private Run qfleet(String passphrase, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(QfleetProcess.repositoryRoot().resolve("bin/qfleet").toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile(work, "qfleet-output", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = builder.environment();
        env.remove("QFLEET_CONFIG");
        env.remove("QFLEET_KEY_PASSPHRASE");
        if (passphrase != null) {
            env.put("QFLEET_KEY_PASSPHRASE", passphrase);
        }
        Process process = builder.start();
        if (!process.waitFor(QfleetProcess.RUN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("qfleet did not finish: " + command);
        }
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private static void runTool(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + List.of(command));
        assertEquals(0, process.exitValue(), output);
    }
}
