package org.qfleet.cli;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook returner against a real HTTP server (WireMock) on 127.0.0.1. */
class WebhookReturnerTest {

    private WireMockServer server;

    @BeforeEach
    void startServer() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.port() + "/hook?token=s3cret");
    }

    private static Map<String, Object> hostEvent(String host) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", "host");
        event.put("host", host);
        event.put("result", Map.of("retcode", 0));
        return event;
    }

    private static WebhookReturner.Settings settings(Duration requestTimeout, Duration closeBound) {
        return new WebhookReturner.Settings(10, 3, Duration.ofMillis(100), requestTimeout, closeBound);
    }

    @Test
    void postsEachEventAsJson() {
        server.stubFor(post(urlEqualTo("/hook?token=s3cret")).willReturn(aResponse().withStatus(204)));

        try (WebhookReturner returner = new WebhookReturner(List.of(url()),
                settings(Duration.ofSeconds(5), Duration.ofSeconds(10)))) {
            returner.send(hostEvent("lab-01"));
            returner.send(hostEvent("lab-02"));
            returner.close();

            assertEquals(2, returner.delivered());
            assertEquals(0, returner.failed());
        }
        server.verify(2, postRequestedFor(urlEqualTo("/hook?token=s3cret"))
                .withHeader("Content-Type", equalTo("application/json")));
        server.verify(1, postRequestedFor(urlEqualTo("/hook?token=s3cret"))
                .withRequestBody(matchingJsonPath("$.host", equalTo("lab-02"))));
    }

    @Test
    void retriesAfterServerError() {
        server.stubFor(post(urlEqualTo("/hook?token=s3cret")).inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("recovered"));
        server.stubFor(post(urlEqualTo("/hook?token=s3cret")).inScenario("flaky")
                .whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200)));

        try (WebhookReturner returner = new WebhookReturner(List.of(url()),
                settings(Duration.ofSeconds(5), Duration.ofSeconds(10)))) {
            returner.send(hostEvent("lab-01"));
            returner.close();

            assertEquals(1, returner.delivered());
            assertEquals(0, returner.failed());
        }
        server.verify(2, postRequestedFor(urlEqualTo("/hook?token=s3cret")));
    }

    @Test
    void clientErrorIsNotRetried() {
        server.stubFor(post(urlEqualTo("/hook?token=s3cret")).willReturn(aResponse().withStatus(400)));

        try (WebhookReturner returner = new WebhookReturner(List.of(url()),
                settings(Duration.ofSeconds(5), Duration.ofSeconds(10)))) {
            returner.send(hostEvent("lab-01"));
            returner.close();

            assertEquals(0, returner.delivered());
            assertEquals(1, returner.failed());
        }
        server.verify(1, postRequestedFor(urlEqualTo("/hook?token=s3cret")));
    }

    @Test
    void failedPostNamesHostAndJob() {
        server.stubFor(post(urlEqualTo("/hook?token=s3cret")).willReturn(aResponse().withStatus(400)));
        Map<String, Object> event = hostEvent("lab-07");
        event.put("jid", "20261205035827680474");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (WebhookReturner returner = new WebhookReturner(List.of(url()),
                settings(Duration.ofSeconds(5), Duration.ofSeconds(10)))) {
            returner.send(event);
            returner.close();
        } finally {
            System.setErr(originalErr);
        }
        String log = captured.toString(StandardCharsets.UTF_8);

        assertTrue(log.contains("HTTP status 400) after 1 attempt;"), log);
        assertTrue(log.contains("the result of host lab-07 of job 20261205035827680474"), log);
        assertTrue(log.contains("qfleet jobs show 20261205035827680474"), log);
        assertTrue(!log.contains("s3cret"), log);
    }

    @Test
    void slowEndpointIsAbandonedAtTheBound() {
        server.stubFor(post(urlEqualTo("/hook?token=s3cret"))
                .willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
        WebhookReturner returner = new WebhookReturner(List.of(url()),
                settings(Duration.ofMillis(500), Duration.ofMillis(1500)));
        for (int i = 0; i < 5; i++) {
            returner.send(hostEvent("lab-0" + i));
        }

        long started = System.nanoTime();
        returner.close();
        long closeMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(closeMillis < 2500, "close took " + closeMillis + " ms, bound 1500 ms");
        assertEquals(0, returner.delivered());
        assertEquals(5, returner.failed(), "every event is counted as failed or abandoned");
    }

    @Test
    void endpointDownDoesNotHoldUpTheRun() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        WebhookReturner returner = new WebhookReturner(List.of(URI.create("http://127.0.0.1:" + closedPort + "/hook")),
                settings(Duration.ofSeconds(1), Duration.ofSeconds(2)));

        long started = System.nanoTime();
        returner.send(hostEvent("lab-01"));
        long sendMillis = (System.nanoTime() - started) / 1_000_000;
        returner.close();
        long totalMillis = (System.nanoTime() - started) / 1_000_000;

        assertTrue(sendMillis < 200, "send took " + sendMillis + " ms");
        assertTrue(totalMillis < 3000, "send and close took " + totalMillis + " ms, bound 2000 ms");
        assertEquals(0, returner.delivered());
        assertEquals(1, returner.failed());
    }

    @Test
    void fullQueueDropsEvents() {
        server.stubFor(post(urlEqualTo("/hook?token=s3cret"))
                .willReturn(aResponse().withStatus(200).withFixedDelay(1000)));
        WebhookReturner returner = new WebhookReturner(List.of(url()),
                new WebhookReturner.Settings(2, 1, Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofMillis(500)));

        for (int i = 0; i < 10; i++) {
            returner.send(hostEvent("lab-" + i));
        }
        returner.close();

        assertTrue(returner.dropped() >= 7, "dropped " + returner.dropped());
    }

    @Test
    void runPostsHostsThenSummary(@TempDir Path work) throws UsageException {
        server.stubFor(post(urlEqualTo("/hook?token=s3cret")).willReturn(aResponse().withStatus(200)));
        OutputOptions options = new OutputOptions();
        options.jobsDir = work.resolve("jobs");
        options.returners = List.of("webhook");
        options.webhookUrls = List.of(url().toString());
        List<HostReport> reports = FleetFixture.reports();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);

        RunReporter reporter = new RunReporter(options, Colors.NONE, out, out, "state.apply", "*",
                reports.stream().map(report -> report.id).toList());
        reports.forEach(reporter::hostFinished);
        int exitCode = reporter.finish(false);

        assertEquals(ExitCodes.HOSTS_FAILED, exitCode);
        server.verify(6, postRequestedFor(urlEqualTo("/hook?token=s3cret"))
                .withRequestBody(matchingJsonPath("$.type", equalTo("host"))));
        server.verify(1, postRequestedFor(urlEqualTo("/hook?token=s3cret"))
                .withRequestBody(matchingJsonPath("$.host", equalTo("lab-03")))
                .withRequestBody(matchingJsonPath("$.result.retcode", equalTo("2"))));
        server.verify(1, postRequestedFor(urlEqualTo("/hook?token=s3cret"))
                .withRequestBody(matchingJsonPath("$.type", equalTo("summary")))
                .withRequestBody(matchingJsonPath("$.exit_code", equalTo("20")))
                .withRequestBody(matchingJsonPath("$.unreachable", equalTo("1"))));
        // WireMock lists the requests it served newest first: the summary must come after every host.
        List<String> newestFirst = server.getAllServeEvents().stream()
                .map(event -> event.getRequest().getBodyAsString())
                .toList();
        assertTrue(newestFirst.get(0).contains("\"type\":\"summary\""), newestFirst.toString());
    }

    @Test
    void configFileSetsWebhookUrls(@TempDir Path work) throws Exception {
        Path configFile = work.resolve("qfleet.yaml");
        java.nio.file.Files.writeString(configFile, "returners:\n  webhook:\n    urls: ['" + url() + "']\n"
                + "    timeout: 3\n");
        OutputOptions options = new OutputOptions();

        options.applyConfig(QfleetConfig.load(configFile));
        options.validate();

        assertEquals(List.of("webhook"), options.returners);
        assertEquals(List.of(url()), options.webhookUris());
        assertEquals(3.0, options.returnTimeoutSeconds);
    }

    @Test
    void zeroConfigTimeoutNamesBothSources(@TempDir Path work) throws Exception {
        Path configFile = work.resolve("qfleet.yaml");
        java.nio.file.Files.writeString(configFile, "returners:\n  webhook:\n    urls: ['" + url() + "']\n"
                + "    timeout: 0\n");
        OutputOptions options = new OutputOptions();
        options.applyConfig(QfleetConfig.load(configFile));

        UsageException error = assertThrows(UsageException.class, options::validate);

        assertTrue(error.getMessage().contains("returners: webhook: timeout"), error.getMessage());
        assertTrue(error.getMessage().contains("more than 0 and at most 3600 seconds, got: 0"), error.getMessage());
        assertTrue(error.getMessage().endsWith("got: 0"), error.getMessage());
    }

    @Test
    void redactedUrlHasNoToken() {
        assertEquals("https://hooks.example:8443/ci/qfleet",
                WebhookReturner.redact(URI.create("https://user:pw@hooks.example:8443/ci/qfleet?token=abc#x")));
    }
}
