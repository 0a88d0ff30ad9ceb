package org.qfleet.roster;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A roster fetched over HTTP(S): a JSON or YAML document of the same shape as a flat roster file, without Jinja.
 * Certificates are verified by the JDK's default trust store, redirects are not followed (so a bearer token never
 * reaches another host), and every successful fetch is cached, so that the last good copy serves when the endpoint
 * is down. The cached copy keeps no {@code passwd} or {@code priv_passwd} (see {@link RosterCache}), so a host that
 * had one in the fetched roster has none when the copy serves.
 */
public final class HttpRoster {

    /**
     * How to fetch the roster.
     *
     * @param url           the http or https address of the roster
     * @param tokenVariable the environment variable that contains the bearer token, or null to send no token
     * @param timeout       the limit for connecting and for the whole response of one attempt
     * @param retries       how many more attempts follow a failed one when the endpoint is down or responds with
     *                      HTTP 429 or 5xx
     * @param retryDelay    the pause before the first retry, doubled before each further retry
     * @param maxBytes      the largest body accepted
     * @param cacheDir      the folder that contains the last good copy of each roster URL
     */
    public record Settings(URI url, String tokenVariable, Duration timeout, int retries, Duration retryDelay,
                           long maxBytes, Path cacheDir) {

        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
        public static final int DEFAULT_RETRIES = 2;
        public static final Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(500);
        public static final long DEFAULT_MAX_BYTES = 8L * 1024 * 1024;

        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(retryDelay, "retryDelay");
            Objects.requireNonNull(cacheDir, "cacheDir");
            if (retries < 0 || maxBytes < 1 || timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("invalid HTTP roster settings: retries " + retries + ", maxBytes "
                        + maxBytes + ", timeout " + timeout);
            }
        }

        /** Returns the settings with the defaults: 10 s timeout, 2 retries from 0.5 s, 8 MiB body limit. */
        public static Settings of(URI url, String tokenVariable, Path cacheDir) {
            return new Settings(url, tokenVariable, DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_RETRY_DELAY,
                    DEFAULT_MAX_BYTES, cacheDir);
        }

        /** Returns {@code $XDG_CACHE_HOME/qfleet}, or {@code ~/.cache/qfleet} when that variable is not set. */
        public static Path defaultCacheDir(Function<String, String> environment) {
            String xdg = environment.apply("XDG_CACHE_HOME");
            if (xdg != null && !xdg.isBlank()) {
                return Path.of(xdg, "qfleet");
            }
            return Path.of(System.getProperty("user.home"), ".cache", "qfleet");
        }
    }

    /** An endpoint that did not respond usefully, which the last good copy may stand in for. */
    private static final class EndpointDown extends Exception {
        private static final long serialVersionUID = 1L;

        EndpointDown(String message) {
            super(message);
        }
    }

    /** The maximum number of hosts that the warning about missing passwords lists by ID. */
    private static final int MAX_LISTED_HOSTS = 10;

    /** Reads JSON bodies that YAML rejects; a key given twice in one object is an error, as in roster files. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Settings settings;
    private final Function<String, String> environment;
    private final HttpClient client;

    /** @param environment looks up environment variables, such as {@code System::getenv} */
    public HttpRoster(Settings settings, Function<String, String> environment) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.environment = Objects.requireNonNull(environment, "environment");
        String scheme = settings.url().getScheme() == null ? "" : settings.url().getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("roster URL " + settings.url() + " must start with https:// or http://");
        }
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Fetches, parses and validates the roster, and caches it without its secrets on success. When the endpoint cannot
     * be reached, times out, or responds with HTTP 429 or 5xx on every attempt, the cached copy is used and
     * {@code warnings} receives one line that gives its age, and one more that lists the hosts whose
     * {@code passwd} or {@code priv_passwd} the copy does not have.
     *
     * @throws RosterException when the token variable is not set, the server rejects the request (HTTP 401, 403 or
     *                         another 4xx), redirects, or sends a body that is too large, not UTF-8 or not a valid
     *                         roster, when TLS verification fails, and when the endpoint is down and no copy is cached
     */
    public Roster load(RosterDefaults defaults, Consumer<String> warnings) throws RosterException {
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(warnings, "warnings");
        HttpRequest request = request();
        String body;
        try {
            body = fetchWithRetries(request);
        } catch (EndpointDown down) {
            return loadCached(down.getMessage(), defaults, warnings);
        }
        Roster roster = parse(body, url(), defaults);
        saveCopy(body, warnings);
        return roster;
    }

    /** Returns the file that contains the last good copy of this roster URL. */
    public Path cachedCopy() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url().getBytes(StandardCharsets.UTF_8));
            return settings.cacheDir().resolve("roster-" + HexFormat.of().formatHex(digest, 0, 8) + ".yaml");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }

    private HttpRequest request() throws RosterException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .header("Accept", "application/json, application/yaml;q=0.9, text/yaml;q=0.9, */*;q=0.1")
                .GET();
        String variable = settings.tokenVariable();
        if (variable != null) {
            String token = environment.apply(variable);
            if (token == null || token.isBlank()) {
                throw new RosterException("Roster URL " + url() + " needs a bearer token from environment variable "
                        + variable + ", which is not set. Export the token in " + variable + ".");
            }
            builder.header("Authorization", "Bearer " + token.strip());
        }
        return builder.build();
    }

    private String fetchWithRetries(HttpRequest request) throws RosterException, EndpointDown {
        int attempts = settings.retries() + 1;
        String lastProblem = "";
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (attempt > 1) {
                pause(settings.retryDelay().multipliedBy(1L << Math.min(attempt - 2, 5)));
            }
            try {
                return fetchOnce(request);
            } catch (EndpointDown down) {
                lastProblem = down.getMessage();
            }
        }
        String tries = attempts == 1 ? "1 attempt" : attempts + " attempts";
        throw new EndpointDown(lastProblem + " (" + tries + ")");
    }

    private String fetchOnce(HttpRequest request) throws RosterException, EndpointDown {
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new EndpointDown("timed out after " + seconds(settings.timeout()));
        } catch (SSLException e) {
            throw new RosterException("TLS verification of roster URL " + url() + " failed: " + e.getMessage()
                    + ". Check the server's certificate, or add its CA to the Java trust store.", e);
        } catch (ConnectException e) {
            throw new EndpointDown("connection failed: " + describe(e));
        } catch (IOException e) {
            if (e.getCause() instanceof SSLException ssl) {
                throw new RosterException("TLS verification of roster URL " + url() + " failed: " + ssl.getMessage()
                        + ". Check the server's certificate, or add its CA to the Java trust store.", e);
            }
            throw new EndpointDown("request failed: " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RosterException("Fetching roster URL " + url() + " was interrupted.", e);
        }
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            if (status == 429 || status >= 500) {
                throw new EndpointDown("HTTP " + status);
            }
            if (status == 401 || status == 403) {
                String token = settings.tokenVariable() == null
                        ? "No token was sent; name the environment variable that holds one in roster_token_env."
                        : "Check the token in environment variable " + settings.tokenVariable() + ".";
                throw new RosterException("Roster URL " + url() + " rejected the request with HTTP " + status + ". "
                        + token);
            }
            if (status >= 300 && status < 400) {
                String location = response.headers().firstValue("Location").orElse("(no Location header)");
                throw new RosterException("Roster URL " + url() + " redirects with HTTP " + status + " to " + location
                        + ". qfleet does not follow redirects; set the roster URL to the final address.");
            }
            if (status != 200) {
                throw new RosterException("Roster URL " + url() + " returned HTTP " + status + ". Check the URL.");
            }
            return readBody(response, body);
        } catch (IOException e) {
            throw new EndpointDown("reading the response failed: " + describe(e));
        }
    }

    private String readBody(HttpResponse<?> response, InputStream body) throws IOException, RosterException {
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > settings.maxBytes()) {
            throw tooLarge(declared + " bytes");
        }
        byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBytes() + 1));
        if (bytes.length > settings.maxBytes()) {
            throw tooLarge("more than " + settings.maxBytes() + " bytes");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RosterException("Roster URL " + url() + " returned a body that is not valid UTF-8.", e);
        }
    }

    private RosterException tooLarge(String size) {
        return new RosterException("Roster URL " + url() + " returned " + size + ", over the limit of "
                + settings.maxBytes() + " bytes. Raise roster_max_bytes if the roster is really that large.");
    }

    private Roster loadCached(String problem, RosterDefaults defaults, Consumer<String> warnings)
            throws RosterException {
        Path copy = cachedCopy();
        String down = "Roster URL " + url() + " is unavailable: " + problem + ".";
        if (!Files.isRegularFile(copy)) {
            throw new RosterException(down + " No earlier copy is cached at " + copy + ", so there is no roster to"
                    + " use. Check the endpoint, or use --roster-file.");
        }
        String body;
        Duration age;
        try {
            body = Files.readString(copy, StandardCharsets.UTF_8);
            age = Duration.between(Files.getLastModifiedTime(copy).toInstant(), Instant.now());
        } catch (IOException e) {
            throw new RosterException(down + " The cached copy " + copy + " is unreadable: " + describe(e) + ".", e);
        }
        Map<String, List<String>> removed = RosterCache.removedFields(body);
        if (removed == null) {
            // A copy that an earlier qfleet wrote, with the passwords in it.
            try {
                RosterCache.Copy withoutSecrets = withoutSecrets(body);
                body = withoutSecrets.text();
                removed = withoutSecrets.removed();
                writeCopy(body, warnings);
            } catch (RosterException e) {
                removed = Map.of();
                warnings.accept("Could not rewrite the cached copy " + copy + " without its passwords: "
                        + e.getMessage() + ". This run uses it as it is. Delete the file to remove the passwords.");
            }
        }
        Roster roster = parse(body, url() + " (cached copy " + copy + ")", defaults);
        warnings.accept(down + " Using the last good copy, fetched " + age(age) + " ago and cached at " + copy + ".");
        if (removed.isEmpty()) {
            return roster;
        }
        warnings.accept(missingSecretsWarning(copy, removed));
        return withoutRemovedSecrets(roster, removed);
    }

    /**
     * Returns the roster with the secrets that the cached copy lacks cleared from their hosts, so that a
     * {@code passwd} from {@code roster_defaults} does not stand in for the host's own.
     */
    private static Roster withoutRemovedSecrets(Roster roster, Map<String, List<String>> removed) {
        List<RosterEntry> entries = new ArrayList<>();
        for (RosterEntry entry : roster.entries()) {
            List<String> fields = removed.getOrDefault(entry.id(), List.of());
            if (fields.isEmpty()) {
                entries.add(entry);
            } else {
                entries.add(entry.withoutSecrets(fields.contains(RosterKey.PASSWD.key),
                        fields.contains(RosterKey.PRIV_PASSWD.key)));
            }
        }
        return roster.withEntries(entries);
    }

    private static String missingSecretsWarning(Path copy, Map<String, List<String>> removed) {
        List<String> hosts = new ArrayList<>();
        removed.forEach((id, fields) -> hosts.add(id + " (" + String.join(", ", fields) + ")"));
        String listed = hosts.size() <= MAX_LISTED_HOSTS ? String.join(", ", hosts)
                : String.join(", ", hosts.subList(0, MAX_LISTED_HOSTS)) + " and " + (hosts.size() - MAX_LISTED_HOSTS)
                        + " more";
        return "The cached copy " + copy + " keeps no passwords, so these hosts have no passwd or priv_passwd from"
                + " the roster in this run: " + listed + ". They log in with keys only, an encrypted key takes its"
                + " passphrase from QFLEET_KEY_PASSPHRASE or a prompt, and sudo gets no password. Run again when the"
                + " roster URL is back, or pass --roster-file with a roster that has the passwords.";
    }

    /** Caches the roster without its secrets. A failure costs only the fallback copy, so it is a warning. */
    private void saveCopy(String body, Consumer<String> warnings) {
        try {
            writeCopy(withoutSecrets(body).text(), warnings);
        } catch (RosterException e) {
            warnings.accept("Could not cache roster URL " + url() + " without its passwords: " + e.getMessage()
                    + ". Nothing was written to " + cachedCopy() + ", so a run while the endpoint is down uses an"
                    + " older copy, if there is one.");
        }
    }

    /** Returns the cached copy's text for a roster body that {@link #parse} accepted, after checking it. */
    private RosterCache.Copy withoutSecrets(String body) throws RosterException {
        RosterCache.Copy copy;
        try {
            copy = RosterCache.withoutSecrets(body, url());
        } catch (RosterException notYaml) {
            // Valid JSON that YAML 1.1 rejects, as in parse.
            if (!(notYaml.getCause() instanceof YAMLException) || !body.stripLeading().startsWith("{")) {
                throw notYaml;
            }
            copy = RosterCache.withoutSecrets(reformatJson(body, url()), url());
        }
        RosterCache.verify(copy, Path.of("").toAbsolutePath());
        return copy;
    }

    /** Writes the cached copy readable by its owner only, through a temporary file and a move. */
    private void writeCopy(String text, Consumer<String> warnings) {
        Path copy = cachedCopy();
        try {
            Files.createDirectories(settings.cacheDir());
            Path temporary = Files.createTempFile(settings.cacheDir(), "roster-", ".tmp");
            try {
                restrictToOwner(temporary);
                Files.writeString(temporary, text, StandardCharsets.UTF_8);
                try {
                    Files.move(temporary, copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            warnings.accept("Could not cache roster URL " + url() + " at " + copy + ": " + describe(e)
                    + ". The next run cannot fall back to this copy if the endpoint is down.");
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // A file system without POSIX permissions keeps its default access.
        }
    }

    /**
     * Parses the body as YAML, which covers most JSON. Valid JSON that YAML 1.1 rejects, such as tab indentation or
     * the escape {@code \/}, is read with Jackson and reformatted, and messages then count lines of the reformatted
     * JSON.
     */
    private static Roster parse(String body, String source, RosterDefaults defaults) throws RosterException {
        Path baseFolder = Path.of("").toAbsolutePath();
        String start = body.stripLeading();
        if (start.startsWith("{%") || start.startsWith("{#") || start.startsWith("{{")) {
            throw new RosterException(source + ": the body starts with a Jinja tag ('" + start.substring(0, 2)
                    + "'), and qfleet does not render a roster fetched from roster_url with Jinja. Render the template"
                    + " on the roster service, or put it in a file named by roster_file.");
        }
        if (!start.startsWith("{")) {
            return Roster.parse(body, source, baseFolder, defaults);
        }
        try {
            return Roster.parse(body, source, baseFolder, defaults);
        } catch (RosterException yamlProblem) {
            if (!(yamlProblem.getCause() instanceof YAMLException)) {
                throw yamlProblem;
            }
        }
        return Roster.parse(reformatJson(body, source), source, baseFolder, " of the reformatted JSON", defaults);
    }

    private static String reformatJson(String body, String source) throws RosterException {
        try {
            JsonNode tree = JSON.readTree(body);
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : ", line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new RosterException(source + where + ": invalid JSON: " + e.getOriginalMessage()
                    + ". Fix the roster service's output.", e);
        }
    }

    /** Returns the URL without user information or query, so that a credential in the URL is never printed. */
    private String url() {
        URI url = settings.url();
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://" + url.getHost() + port + path;
    }

    private static void pause(Duration delay) throws RosterException {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RosterException("Fetching the roster was interrupted.", e);
        }
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() / 1000.0 + " s";
    }

    /** Returns a rough age such as {@code 3 d 4 h}, {@code 2 h 5 min} or {@code 40 s}. */
    static String age(Duration age) {
        long seconds = Math.max(0, age.toSeconds());
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + " h " + seconds % 3600 / 60 + " min";
        }
        return seconds / 86_400 + " d " + seconds % 86_400 / 3600 + " h";
    }
}
