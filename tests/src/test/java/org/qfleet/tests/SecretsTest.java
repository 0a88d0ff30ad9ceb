package org.qfleet.tests;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.simulator.SimulatedFleet;

/**
 * Sentinel values in every secret that qfleet reads: roster passwords and key passphrases, the
 * key passphrase variable, the HTTP roster's bearer token, a webhook URL's token, a pillar value
 * no state uses, and pillar values under {@code secret_pillar} keys that states do use. None may
 * appear in stdout, stderr, the debug log, the job cache or a webhook payload.
 */
class SecretsTest {

    private static final String PASSWORD = "sentinel-password-7Qx";
    private static final String PASSPHRASE = "sentinel-passphrase-9Kd";
    private static final String ENV_PASSPHRASE = "sentinel-env-passphrase-3Lw";
    private static final String ROSTER_TOKEN = "sentinel-roster-token-5Hb";
    private static final String HOOK_TOKEN = "sentinel-hook-token-2Vn";
    private static final String PILLAR = "sentinel-pillar-8Tz";
    /** Marked by {@code wifi:psk}, and echoed by a cmd.run state, so it is in the state's name and output. */
    private static final String WIFI_PSK = "sentinel-wifi-psk-4Rm";
    /** Marked by {@code vault:*} as a list item, and written by file.managed over a file, so it is in the diff. */
    private static final String VAULT_TOKEN = "sentinel-vault-token-6Jp";
    private static final List<String> SENTINELS = List.of(PASSWORD, PASSPHRASE, ENV_PASSPHRASE, ROSTER_TOKEN,
            HOOK_TOKEN, PILLAR, WIFI_PSK, VAULT_TOKEN);
    private static final String MASK = "********";

    @TempDir
    Path work;

    @Test
    void sentinelsReachNoOutput() throws Exception {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        try (SimulatedFleet fleet = SimulatedFleet.start(work.resolve("sim"), 1)) {
            Path key = work.resolve("encrypted_key");
            Files.copy(fleet.clientKey(), key);
            runTool("ssh-keygen", "-q", "-p", "-P", "", "-N", PASSPHRASE, "-f", key.toString());
            int port = fleet.hosts().get(0).port();
            String roster = "lab-01:\n  host: 127.0.0.1\n  port: " + port + "\n  user: qfleet\n  priv: " + key
                    + "\n  priv_passwd: " + PASSPHRASE + "\n  passwd: " + PASSWORD + "\n"
                    + "lab-02:\n  host: 127.0.0.1\n  port: 1\n  user: qfleet\n  passwd: " + PASSWORD + "\n"
                    + "lab-03:\n  host: 127.0.0.1\n  port: " + port + "\n  user: qfleet\n  priv: " + key
                    + "\n  priv_passwd: wrong-" + PASSPHRASE + "\n";
            server.stubFor(get(urlPathEqualTo("/roster"))
                    .withHeader("Authorization", equalTo("Bearer " + ROSTER_TOKEN))
                    .willReturn(aResponse().withStatus(200).withBody(roster)));
            server.stubFor(post(urlPathEqualTo("/hook")).willReturn(aResponse().withStatus(200)));
            server.stubFor(post(urlPathEqualTo("/failing")).willReturn(aResponse().withStatus(500)));

            Path pillar = work.resolve("pillar");
            Files.createDirectories(pillar);
            Files.writeString(pillar.resolve("top.sls"), "base:\n  '*':\n    - keys\n");
            Files.writeString(pillar.resolve("keys.sls"), "api_key: " + PILLAR + "\n"
                    + "wifi:\n  ssid: lab-wifi\n  psk: " + WIFI_PSK + "\n"
                    + "vault:\n  tokens:\n    - " + VAULT_TOKEN + "\n  pin: '42'\n");
            Path formulas = work.resolve("formulas");
            Files.createDirectories(formulas);
            Files.writeString(formulas.resolve("use_secrets.sls"), """
                    join-wifi:
                      cmd.run:
                        - name: echo psk={{ pillar['wifi']['psk'] }}
                    vault-conf-placeholder:
                      file.managed:
                        - name: /etc/qfleet/vault.conf
                        - contents: token=placeholder
                        - makedirs: True
                    vault-conf:
                      file.managed:
                        - name: /etc/qfleet/vault.conf
                        - contents: token={{ pillar['vault']['tokens'][0] }}
                        - require:
                          - file: vault-conf-placeholder
                    """);
            Path config = work.resolve("qfleet.yaml");
            Files.writeString(config, "roster_url: http://127.0.0.1:" + server.port() + "/roster\n"
                    + "roster_token_env: QFLEET_TEST_ROSTER_TOKEN\n"
                    + "roster_cache_dir: " + work.resolve("roster-cache") + "\n"
                    + "known_hosts: " + fleet.knownHostsFile() + "\n"
                    + "pillar_roots: [" + pillar + "]\n"
                    + "secret_pillar: ['wifi:psk', 'vault:*']\n");
            Path jobs = work.resolve("jobs");
            Path log = work.resolve("qfleet.log");
            String hook = "http://127.0.0.1:" + server.port() + "/hook?token=" + HOOK_TOKEN;
            String failing = "http://user:" + HOOK_TOKEN + "@127.0.0.1:" + server.port() + "/failing";

            StringBuilder printed = new StringBuilder();
            printed.append(qfleet("-c", config.toString(), "--jobs-dir", jobs.toString(), "-l", "debug",
                    "--log-file", log.toString(), "--return", "webhook", "--webhook-url", hook,
                    "--webhook-url", failing, "--file-root", FaultFleet.whonixFormulas(),
                    "*", "state.apply", "test=True"));
            printed.append(qfleet("-c", config.toString(), "--jobs-dir", jobs.toString(), "--out", "json",
                    "--file-root", FaultFleet.whonixFormulas(), "*", "state.apply", "test=True"));
            String applied = qfleet("-c", config.toString(), "--jobs-dir", jobs.toString(), "-l", "debug",
                    "--log-file", log.toString(), "--return", "webhook", "--webhook-url", hook,
                    "--file-root", formulas.toString(), "*", "state.sls", "use_secrets");
            String predicted = qfleet("-c", config.toString(), "--jobs-dir", jobs.toString(), "--out", "json",
                    "--file-root", formulas.toString(), "*", "state.sls", "use_secrets", "test=True");
            String shown = qfleet("-c", config.toString(), "--file-root", formulas.toString(), "lab-01",
                    "state.show_sls", "use_secrets");
            printed.append(applied).append(predicted).append(shown);
            String showConfig = qfleet("-c", config.toString(), "--show-config");
            printed.append(showConfig);
            printed.append(qfleet("-c", config.toString(), "--hosts", "*"));

            assertTrue(printed.toString().contains("lab-01:"), printed.toString());
            assertTrue(printed.toString().contains("could not be decrypted"), printed.toString());
            List<ServeEvent> payloads = server.getAllServeEvents().stream()
                    .filter(event -> event.getRequest().getUrl().startsWith("/hook")
                            || event.getRequest().getUrl().startsWith("/failing"))
                    .toList();
            assertTrue(payloads.size() >= 2, "the webhook got " + payloads.size() + " posts");
            StringBuilder everything = new StringBuilder(printed);
            for (ServeEvent event : payloads) {
                everything.append(event.getRequest().getBodyAsString());
            }
            everything.append(Files.readString(log));
            try (Stream<Path> files = Files.walk(jobs)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    everything.append(Files.readString(file, StandardCharsets.UTF_8));
                }
            }
            assertTrue(Files.readString(log).contains("lab-01"), "the debug log has no host line");
            assertTrue(applied.contains("psk=" + MASK), "the applied cmd.run state is not masked:\n" + applied);
            assertTrue(applied.contains("+token=" + MASK), "the file.managed diff is not masked:\n" + applied);
            assertTrue(predicted.contains("echo psk=" + MASK), "the predicted state is not masked:\n" + predicted);
            assertTrue(shown.contains("psk=" + MASK), "state.show_sls is not masked:\n" + shown);
            assertTrue(showConfig.contains("- wifi:psk"), "--show-config leaves out secret_pillar:\n" + showConfig);
            assertTrue(predicted.contains("pillar key 'vault:pin' is marked by secret_pillar"),
                    "no warning about the short value:\n" + predicted);
            assertEquals(predicted.indexOf("pillar key 'vault:pin'"), predicted.lastIndexOf("pillar key 'vault:pin'"),
                    "the short value was warned about more than once:\n" + predicted);
            assertTrue(payloads.stream().anyMatch(event -> event.getRequest().getBodyAsString().contains("psk=" + MASK)),
                    "no webhook payload has the masked cmd.run state");
            for (String sentinel : SENTINELS) {
                int at = everything.indexOf(sentinel);
                assertEquals(-1, at, "secret " + sentinel + " leaked: ..."
                        + everything.substring(Math.max(0, at - 300), Math.min(everything.length(), at + 100)));
            }
        } finally {
            server.stop();
        }
    }

    /** Runs bin/qfleet with the secret environment variables set and returns stdout and stderr. */
    private String qfleet(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(QfleetProcess.repositoryRoot().resolve("bin/qfleet").toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile(work, "qfleet-output", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.remove("QFLEET_CONFIG");
        env.put("QFLEET_TEST_ROSTER_TOKEN", ROSTER_TOKEN);
        env.put("QFLEET_KEY_PASSPHRASE", ENV_PASSPHRASE);
        Process process = builder.start();
        if (!process.waitFor(QfleetProcess.RUN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("qfleet did not finish: " + command);
        }
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    private static void runTool(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + List.of(command));
        assertEquals(0, process.exitValue(), output);
        assertFalse(output.contains("error"), output);
    }
}
