package org.qfleet.roster;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpRosterTest {

    private static final String JSON_ROSTER = """
            {"lab-01": "10.0.0.11",
             "lab-02": {"host": "10.0.0.12", "port": 2222, "grains": {"role": "web"}}}
            """;
    private static final String TOKEN = "tok-7f3a9c";
    private static final String PASSWORD = "sentinel-password-4Wz";
    private static final String PASSPHRASE = "sentinel-passphrase-8Qd";
    private static final String SHARED_PASSWORD = "sentinel-shared-password-2Kf";
    /**
     * Secrets in block and flow style, in a mapping merged into two entries and in an entry that another entry
     * aliases; lab-04 has none.
     */
    private static final String SECRET_ROSTER = """
            lab-01:
              host: 10.0.0.11
              priv: /keys/lab_ed25519
              priv_passwd: %s
              passwd: '%s'
            lab-02: &second {host: 10.0.0.12, passwd: "%s", grains: {since: '2024-01-31'}}
            lab-03:
              <<: *second
              port: 2222
            lab-04: 10.0.0.14
            lab-05: *second
            """.formatted(PASSPHRASE, PASSWORD, SHARED_PASSWORD);

    @TempDir
    Path folder;

    private WireMockServer server;
    private final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort());
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    @Test
    void jsonRosterLoads() throws Exception {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(JSON_ROSTER)));

        Roster roster = http(null).load(RosterDefaults.none(), warnings::add);

        assertEquals(List.of("lab-01", "lab-02"), roster.entries().stream().map(RosterEntry::id).toList());
        assertEquals(2222, roster.entries().get(1).port());
        assertEquals(Map.of("role", "web"), roster.entries().get(1).grains());
        assertEquals(List.of(), warnings);
    }

    @Test
    void yamlRosterLoadsWithDefaultsAndToken() throws Exception {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/yaml").withBody("lab-01: {host: 10.0.0.11}\n")));
        RosterDefaults defaults = RosterDefaults.of(Map.of("user", "admin"), "qfleet.yaml", folder);

        Roster roster = http("ROSTER_TOKEN").load(defaults, warnings::add);

        assertEquals("admin", roster.entries().get(0).user());
        server.verify(getRequestedFor(urlEqualTo("/roster")).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void unauthorizedNamesVariableNotToken() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(401)));

        RosterException e = assertThrows(RosterException.class,
                () -> http("ROSTER_TOKEN").load(RosterDefaults.none(), warnings::add));

        assertEquals("Roster URL " + url() + " rejected the request with HTTP 401. Check the token in environment"
                + " variable ROSTER_TOKEN.", e.getMessage());
        assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
        assertEquals(1, server.getAllServeEvents().size(), "a rejected token must not be retried");
    }

    @Test
    void unauthorizedDoesNotUseCachedCopy() throws Exception {
        writeCachedCopy("lab-01: 10.0.0.1\n", Duration.ofHours(1));
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(401)));

        assertThrows(RosterException.class, () -> http("ROSTER_TOKEN").load(RosterDefaults.none(), warnings::add));
    }

    @Test
    void missingTokenVariableRejected() {
        HttpRoster roster = new HttpRoster(settings("UNSET_VARIABLE", Duration.ofSeconds(5), 0, 1024), name -> null);

        RosterException e = assertThrows(RosterException.class, () -> roster.load(RosterDefaults.none(), warnings::add));

        assertEquals("Roster URL " + url() + " needs a bearer token from environment variable UNSET_VARIABLE, which"
                + " is not set. Export the token in UNSET_VARIABLE.", e.getMessage());
        assertEquals(0, server.getAllServeEvents().size());
    }

    @Test
    void serverErrorThenSuccessRetries() throws Exception {
        server.stubFor(get("/roster").inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("second"));
        server.stubFor(get("/roster").inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        server.stubFor(get("/roster").inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withBody(JSON_ROSTER)));

        Roster roster = http(null).load(RosterDefaults.none(), warnings::add);

        assertEquals(2, roster.entries().size());
        assertEquals(3, server.getAllServeEvents().size());
        assertEquals(List.of(), warnings);
    }

    @Test
    void retriesAreBounded() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(500)));

        RosterException e = assertThrows(RosterException.class, () -> http(null).load(RosterDefaults.none(),
                warnings::add));

        assertEquals(3, server.getAllServeEvents().size());
        assertTrue(e.getMessage().startsWith("Roster URL " + url() + " is unavailable: HTTP 500 (3 attempts). No"
                + " earlier copy is cached at "), e.getMessage());
    }

    @Test
    void slowServerTimesOut() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(JSON_ROSTER)
                .withFixedDelay(3000)));
        HttpRoster roster = new HttpRoster(settings(null, Duration.ofMillis(300), 1, 1024), name -> null);

        long started = System.nanoTime();
        RosterException e = assertThrows(RosterException.class, () -> roster.load(RosterDefaults.none(),
                warnings::add));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue(e.getMessage().contains("is unavailable: timed out after 0.3 s (2 attempts)"), e.getMessage());
        assertTrue(took.compareTo(Duration.ofMillis(2500)) < 0, "took " + took);
    }

    @Test
    void malformedBodyNamesLine() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200)
                .withBody("{\"lab-01\": {\"host\": \"10.0.0.1\",\n \"port\": }")));

        RosterException e = assertThrows(RosterException.class, () -> http(null).load(RosterDefaults.none(),
                warnings::add));

        assertTrue(e.getMessage().startsWith(url() + ", line 2, column "), e.getMessage());
        assertTrue(e.getMessage().contains(": invalid JSON: "), e.getMessage());
    }

    @Test
    void jinjaBodyIsNamedAsJinja() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200)
                .withBody("{% for n in [1, 2] %}\nlab-0{{ n }}: 10.0.0.{{ n }}\n{% endfor %}\n")));

        RosterException e = assertThrows(RosterException.class, () -> http(null).load(RosterDefaults.none(),
                warnings::add));

        assertTrue(e.getMessage().startsWith(url() + ": the body starts with a Jinja tag ('{%')"), e.getMessage());
        assertTrue(e.getMessage().contains("roster_file"), e.getMessage());
        assertFalse(e.getMessage().contains("invalid JSON"), e.getMessage());
    }

    @Test
    void malformedYamlNamesLine() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200)
                .withBody("lab-01: 10.0.0.1\nlab-02: {host: 10.0.0.2\n")));

        RosterException e = assertThrows(RosterException.class, () -> http(null).load(RosterDefaults.none(),
                warnings::add));

        assertTrue(e.getMessage().startsWith(url() + ", line "), e.getMessage());
        assertTrue(e.getMessage().contains("invalid YAML"), e.getMessage());
    }

    @Test
    void jsonThatYamlRejectsStillLoads() throws Exception {
        // Tab indentation and the escape \/ are valid JSON, and PHP's json_encode writes \/ by default.
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(
                "{\n\t\"lab-01\": {\n\t\t\"host\": \"10.0.0.1\",\n\t\t\"priv\": \"\\/keys\\/lab\"\n\t}\n}\n")));

        Roster roster = http(null).load(RosterDefaults.none(), warnings::add);

        assertEquals("10.0.0.1", roster.entries().get(0).host());
        assertEquals("/keys/lab", roster.entries().get(0).priv());
    }

    @Test
    void reformattedJsonErrorsSaySo() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(
                "{\"lab-01\": {\"priv\": \"\\/k\", \"port\": \"ssh\"}}")));

        RosterException e = assertThrows(RosterException.class, () -> http(null).load(RosterDefaults.none(),
                warnings::add));

        assertEquals(List.of(url() + ", line 4 of the reformatted JSON: host 'lab-01': field 'port': invalid value"
                + " 'ssh'. Expected an integer from 1 to 65535."), e.problems());
    }

    @Test
    void duplicateJsonKeyRejected() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(
                "{\n\t\"lab-01\": \"10.0.0.1\",\n\t\"lab-01\": \"10.0.0.2\"\n}")));

        RosterException e = assertThrows(RosterException.class, () -> http(null).load(RosterDefaults.none(),
                warnings::add));

        assertTrue(e.getMessage().contains("invalid JSON: Duplicate field 'lab-01'"), e.getMessage());
    }

    @Test
    void invalidEntryNamesHostAndField() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200)
                .withBody("{\"lab-01\": {\"port\": \"ssh\"}}")));

        RosterException e = assertThrows(RosterException.class, () -> http(null).load(RosterDefaults.none(),
                warnings::add));

        assertEquals(List.of(url() + ", line 1: host 'lab-01': field 'port': invalid value 'ssh'. Expected an"
                + " integer from 1 to 65535."), e.problems());
    }

    @Test
    void streamedBodyOverLimitRejected() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody("x".repeat(300))));
        HttpRoster roster = new HttpRoster(settings(null, Duration.ofSeconds(5), 0, 200), name -> null);

        RosterException e = assertThrows(RosterException.class, () -> roster.load(RosterDefaults.none(),
                warnings::add));

        assertEquals("Roster URL " + url() + " returned more than 200 bytes, over the limit of 200 bytes. Raise"
                + " roster_max_bytes if the roster is really that large.", e.getMessage());
    }

    @Test
    void declaredLengthOverLimitRejected() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withHeader("Content-Length", "300")
                .withBody("x".repeat(300))));
        HttpRoster roster = new HttpRoster(settings(null, Duration.ofSeconds(5), 0, 200), name -> null);

        RosterException e = assertThrows(RosterException.class, () -> roster.load(RosterDefaults.none(),
                warnings::add));

        assertEquals("Roster URL " + url() + " returned 300 bytes, over the limit of 200 bytes. Raise"
                + " roster_max_bytes if the roster is really that large.", e.getMessage());
    }

    @Test
    void downEndpointUsesLastGoodCopy() throws Exception {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(JSON_ROSTER)));
        http(null).load(RosterDefaults.none(), warnings::add);
        Path copy = http(null).cachedCopy();
        assertTrue(Files.isRegularFile(copy), copy.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
        Files.setLastModifiedTime(copy, FileTime.from(Instant.now().minus(Duration.ofMinutes(125))));
        server.resetAll();
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(502)));

        Roster roster = http(null).load(RosterDefaults.none(), warnings::add);

        assertEquals(List.of("lab-01", "lab-02"), roster.entries().stream().map(RosterEntry::id).toList());
        assertEquals(List.of("Roster URL " + url() + " is unavailable: HTTP 502 (3 attempts). Using the last good"
                + " copy, fetched 2 h 5 min ago and cached at " + copy + "."), warnings);
    }

    @Test
    void stoppedServerUsesLastGoodCopy() throws Exception {
        writeCachedCopy("lab-09: 10.0.0.9\n", Duration.ofDays(3));
        HttpRoster http = http(null);
        server.stop();

        Roster roster = http.load(RosterDefaults.none(), warnings::add);

        assertEquals("lab-09", roster.entries().get(0).id());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("is unavailable: connection failed"), warnings.get(0));
        assertTrue(warnings.get(0).contains("fetched 3 d 0 h ago"), warnings.get(0));
    }

    @Test
    void failedFetchKeepsEarlierCopy() throws Exception {
        Path copy = writeCachedCopy("lab-09: 10.0.0.9\n", Duration.ofMinutes(5));
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody("lab-01: {port: x}")));

        assertThrows(RosterException.class, () -> http(null).load(RosterDefaults.none(), warnings::add));

        assertEquals("lab-09: 10.0.0.9\n", Files.readString(copy));
    }

    @Test
    void cachedCopyKeepsNoSecrets() throws Exception {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(SECRET_ROSTER)));

        Roster fetched = http(null).load(RosterDefaults.none(), warnings::add);

        assertEquals(PASSWORD, fetched.entries().get(0).passwd());
        assertEquals(List.of(), warnings);
        Path copy = http(null).cachedCopy();
        String cached = Files.readString(copy);
        for (String secret : List.of(PASSWORD, PASSPHRASE, SHARED_PASSWORD)) {
            assertFalse(cached.contains(secret), secret + " is in the cached copy:\n" + cached);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
        assertTrue(cached.contains("# removed-secrets: {\"lab-01\":[\"priv_passwd\",\"passwd\"],"
                + "\"lab-02\":[\"passwd\"],\"lab-03\":[\"passwd\"],\"lab-05\":[\"passwd\"]}\n"), cached);
        try (var files = Files.list(copy.getParent())) {
            assertEquals(List.of(copy), files.toList(), "a temporary file was left in the cache folder");
        }
    }

    @Test
    void cachedCopyKeepsOtherValues() throws Exception {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(SECRET_ROSTER)));
        Roster fetched = http(null).load(RosterDefaults.none(), warnings::add);

        Roster cached = Roster.parse(Files.readString(http(null).cachedCopy()), "copy", folder, RosterDefaults.none());

        assertEquals(fetched.entries().size(), cached.entries().size());
        for (int i = 0; i < fetched.entries().size(); i++) {
            RosterEntry before = fetched.entries().get(i);
            RosterEntry after = cached.entries().get(i);
            assertEquals(before.withoutSecrets(true, true), after, "entry " + before.id());
        }
        assertEquals("2024-01-31", cached.entries().get(1).grains().get("since"));
        assertEquals(2222, cached.entries().get(2).port());
    }

    @Test
    void jsonThatYamlRejectsIsCachedWithoutSecrets() throws Exception {
        String json = "{\"lab-01\": {\n\t\"host\": \"10.0.0.11\", \"passwd\": \"" + PASSWORD + "\",\n"
                + "\t\"grains\": {\"url\": \"http:\\/\\/x\"}}}";
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(json)));

        http(null).load(RosterDefaults.none(), warnings::add);

        String cached = Files.readString(http(null).cachedCopy());
        assertFalse(cached.contains(PASSWORD), cached);
        Roster roster = Roster.parse(cached, "copy", folder, RosterDefaults.none());
        assertEquals("http://x", roster.entries().get(0).grains().get("url"));
        assertEquals(List.of(), warnings);
    }

    @Test
    void fallbackCopyHasNoPasswords() throws Exception {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(SECRET_ROSTER)));
        http(null).load(RosterDefaults.none(), warnings::add);
        server.resetAll();
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(503)));
        warnings.clear();
        RosterDefaults defaults = RosterDefaults.of(Map.of("passwd", "default-password"), "qfleet.yaml", folder);

        Roster roster = http(null).load(defaults, warnings::add);

        Map<String, RosterEntry> byId = new java.util.HashMap<>();
        roster.entries().forEach(entry -> byId.put(entry.id(), entry));
        assertEquals(null, byId.get("lab-01").passwd());
        assertEquals(null, byId.get("lab-01").privPasswd());
        assertEquals("/keys/lab_ed25519", byId.get("lab-01").priv());
        assertEquals(null, byId.get("lab-02").passwd(), "the default must not replace the host's own password");
        assertEquals("default-password", byId.get("lab-04").passwd());
        Path copy = http(null).cachedCopy();
        assertEquals(2, warnings.size(), warnings.toString());
        assertEquals("The cached copy " + copy + " keeps no passwords, so these hosts have no passwd or priv_passwd"
                + " from the roster in this run: lab-01 (priv_passwd, passwd), lab-02 (passwd), lab-03 (passwd),"
                + " lab-05 (passwd). They log in with keys only, an encrypted key takes its passphrase from"
                + " QFLEET_KEY_PASSPHRASE or a prompt, and sudo gets no password. Run again when the roster URL is"
                + " back, or pass --roster-file with a roster that has the passwords.", warnings.get(1));
    }

    @Test
    void earlierCopyWithPasswordsIsRewritten() throws Exception {
        Path copy = writeCachedCopy("lab-09:\n  host: 10.0.0.9\n  passwd: " + PASSWORD + "\n", Duration.ofDays(1));
        HttpRoster http = http(null);
        server.stop();

        Roster roster = http.load(RosterDefaults.none(), warnings::add);

        assertEquals(null, roster.entries().get(0).passwd());
        assertEquals("10.0.0.9", roster.entries().get(0).host());
        String cached = Files.readString(copy);
        assertFalse(cached.contains(PASSWORD), cached);
        assertTrue(cached.contains("# removed-secrets: {\"lab-09\":[\"passwd\"]}"), cached);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy)));
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(1).contains("in this run: lab-09 (passwd)."), warnings.get(1));
    }

    @Test
    void passwordAliasedElsewhereIsNotCached() throws Exception {
        String roster = "lab-01:\n  passwd: &pw " + PASSWORD + "\n  grains: {note: *pw}\n";
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(roster)));

        http(null).load(RosterDefaults.none(), warnings::add);

        Path copy = http(null).cachedCopy();
        assertFalse(Files.exists(copy), "the copy was written");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("Could not cache roster URL " + url() + " without its passwords:"
                + " a password or key passphrase is also used as another value of the roster"), warnings.get(0));
        assertFalse(warnings.get(0).contains(PASSWORD), warnings.get(0));
    }

    @Test
    void earlierCopyThatFailsCheckIsUsedAsItIs() throws Exception {
        String earlier = "lab-09:\n  passwd: &pw " + PASSWORD + "\n  grains: {note: *pw}\n";
        Path copy = writeCachedCopy(earlier, Duration.ofDays(1));
        HttpRoster http = http(null);
        server.stop();

        Roster roster = http.load(RosterDefaults.none(), warnings::add);

        assertEquals(PASSWORD, roster.entries().get(0).passwd());
        assertEquals(earlier, Files.readString(copy));
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("Could not rewrite the cached copy " + copy + " without its passwords:"),
                warnings.get(0));
        assertTrue(warnings.get(0).endsWith("This run uses it as it is. Delete the file to remove the passwords."),
                warnings.get(0));
        assertFalse(warnings.get(0).contains(PASSWORD), warnings.get(0));
    }

    @Test
    void redirectNotFollowed() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(302)
                .withHeader("Location", "http://127.0.0.1:1/elsewhere")));

        RosterException e = assertThrows(RosterException.class,
                () -> http("ROSTER_TOKEN").load(RosterDefaults.none(), warnings::add));

        assertTrue(e.getMessage().contains("redirects with HTTP 302 to http://127.0.0.1:1/elsewhere"), e.getMessage());
        assertEquals(1, server.getAllServeEvents().size());
    }

    @Test
    void untrustedCertificateRejected() {
        server.stubFor(get("/roster").willReturn(aResponse().withStatus(200).withBody(JSON_ROSTER)));
        URI https = URI.create("https://127.0.0.1:" + server.httpsPort() + "/roster");
        HttpRoster roster = new HttpRoster(new HttpRoster.Settings(https, null, Duration.ofSeconds(5), 2,
                Duration.ofMillis(10), 1024, folder.resolve("cache")), name -> null);

        RosterException e = assertThrows(RosterException.class, () -> roster.load(RosterDefaults.none(),
                warnings::add));

        assertTrue(e.getMessage().startsWith("TLS verification of roster URL " + https + " failed: "),
                e.getMessage());
        assertEquals(0, server.getAllServeEvents().size(), "no request may pass an unverified connection");
    }

    @Test
    void ageIsRoundedToTwoUnits() {
        assertEquals("40 s", HttpRoster.age(Duration.ofSeconds(40)));
        assertEquals("12 min", HttpRoster.age(Duration.ofSeconds(12 * 60 + 5)));
        assertEquals("2 h 5 min", HttpRoster.age(Duration.ofMinutes(125)));
        assertEquals("3 d 4 h", HttpRoster.age(Duration.ofHours(76)));
    }

    private HttpRoster http(String tokenVariable) {
        return new HttpRoster(settings(tokenVariable, Duration.ofSeconds(5), 2, 1024 * 1024),
                name -> name.equals("ROSTER_TOKEN") ? TOKEN : null);
    }

    private HttpRoster.Settings settings(String tokenVariable, Duration timeout, int retries, long maxBytes) {
        return new HttpRoster.Settings(URI.create(url()), tokenVariable, timeout, retries, Duration.ofMillis(10),
                maxBytes, folder.resolve("cache"));
    }

    private String url() {
        return "http://127.0.0.1:" + server.port() + "/roster";
    }

    private Path writeCachedCopy(String body, Duration age) throws Exception {
        Path copy = http(null).cachedCopy();
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, body);
        Files.setLastModifiedTime(copy, FileTime.from(Instant.now().minus(age)));
        return copy;
    }
}
