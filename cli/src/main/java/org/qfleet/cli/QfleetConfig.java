package org.qfleet.cli;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.qfleet.roster.HttpRoster;
import org.qfleet.roster.Nodegroups;
import org.qfleet.roster.RosterDefaults;
import org.qfleet.roster.RosterException;
import org.qfleet.states.catalog.Suggestions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The settings of one qfleet run, read from {@code qfleet.yaml}. Relative paths in the file
 * are relative to the file's folder, so a configuration can be used from anywhere.
 *
 * @param source           the file the settings came from, if any
 * @param rosterFile       the salt-ssh flat roster, used when {@code rosterUrl} is null
 * @param knownHosts       the OpenSSH known_hosts file that host keys are checked against
 * @param fileRoots        the folders that contain the formulas, searched in order
 * @param pillarRoots      the folders that contain the pillar, searched in order
 * @param maxProcs         the maximum number of hosts worked on at once
 * @param connectTimeout   the limit for connecting to and authenticating with one host
 * @param runTimeout       the limit for one request to one host's shim
 * @param rosterUrl        where to fetch the roster over HTTP(S), or null to read {@code rosterFile}
 * @param rosterDefaults   the roster keys that apply under every roster entry
 * @param nodegroups       the named targets that {@code -N} and {@code N@} refer to
 * @param output           the output settings, stored for the report
 * @param returners        the returner settings by returner name, stored for the report; the
 *                         value of a returner given by name only is an empty map
 * @param failhard         Salt's {@code failhard}: the first failed state on a host stops
 *                         that host's run
 * @param secretPillar     the pillar keys whose values are masked in every host's report
 */
public record QfleetConfig(
        Optional<Path> source,
        Path rosterFile,
        Path knownHosts,
        List<Path> fileRoots,
        List<Path> pillarRoots,
        int maxProcs,
        Duration connectTimeout,
        Duration runTimeout,
        HttpRoster.Settings rosterUrl,
        RosterDefaults rosterDefaults,
        Nodegroups nodegroups,
        OutputSettings output,
        Map<String, Map<String, Object>> returners,
        boolean failhard,
        SecretPillar secretPillar) {

    /**
     * Output settings from the configuration file, in salt's terms.
     *
     * @param stateOutput  salt's {@code state_output}: full, terse, mixed, changes, or one of
     *                     them with {@code _id}; null when not set
     * @param stateVerbose salt's {@code state_verbose}; null when not set
     * @param color        whether to print colour codes; null to decide by the terminal
     */
    public record OutputSettings(String stateOutput, Boolean stateVerbose, Boolean color) {
        static final OutputSettings NONE = new OutputSettings(null, null, null);
    }

    /** Keys that {@code qfleet.yaml} may contain. */
    static final Set<String> KEYS = new TreeSet<>(List.of(
            "roster_file", "roster_url", "roster_token_env", "roster_timeout", "roster_retries",
            "roster_max_bytes", "roster_cache_dir", "roster_defaults", "nodegroups", "known_hosts",
            "file_roots", "pillar_roots", "max_procs", "timeout", "run_timeout", "state_output",
            "state_verbose", "color", "returners", "failhard", "secret_pillar"));

    static final Set<String> STATE_OUTPUTS = new TreeSet<>(List.of(
            "full", "terse", "mixed", "changes", "full_id", "terse_id", "mixed_id", "changes_id"));

    static final int DEFAULT_MAX_PROCS = 25;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofHours(1);

    /** Returns the settings that apply when no configuration file is found. */
    static QfleetConfig defaults() {
        Path home = Path.of(System.getProperty("user.home"));
        Path cwd = Path.of("").toAbsolutePath();
        return new QfleetConfig(
                Optional.empty(),
                cwd.resolve("roster"),
                home.resolve(".ssh/known_hosts"),
                List.of(cwd),
                List.of(),
                DEFAULT_MAX_PROCS,
                DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_RUN_TIMEOUT,
                null,
                RosterDefaults.none(),
                Nodegroups.none(),
                OutputSettings.NONE,
                Map.of(),
                false,
                SecretPillar.none());
    }

    /**
     * Finds the configuration file: the explicit path, else {@code $QFLEET_CONFIG}, else
     * {@code ./qfleet.yaml}, else {@code ~/.config/qfleet/qfleet.yaml}; with none of them,
     * the defaults. The first file found is the only one read.
     */
    static QfleetConfig locate(Path explicit) throws UsageException {
        return locate(explicit, System::getenv, Path.of("").toAbsolutePath(),
                Path.of(System.getProperty("user.home")));
    }

    /** Finds the configuration file as {@link #locate(Path)} does, with the environment, working folder and home given. */
    static QfleetConfig locate(Path explicit, Function<String, String> environment, Path workingDir, Path home)
            throws UsageException {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new UsageException("configuration file not found: " + explicit
                        + " (from -c). Check the path.");
            }
            return load(explicit, environment);
        }
        String fromEnvironment = environment.apply("QFLEET_CONFIG");
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            Path path = workingDir.resolve(fromEnvironment);
            if (!Files.isRegularFile(path)) {
                throw new UsageException("configuration file not found: " + path
                        + " (from QFLEET_CONFIG). Check the path, or unset QFLEET_CONFIG.");
            }
            return load(path, environment);
        }
        Path local = workingDir.resolve("qfleet.yaml");
        if (Files.isRegularFile(local)) {
            return load(local, environment);
        }
        Path user = home.resolve(".config/qfleet/qfleet.yaml");
        if (Files.isRegularFile(user)) {
            return load(user, environment);
        }
        return defaults();
    }

    /** Reads one configuration file; every problem in it is reported at once. */
    static QfleetConfig load(Path file) throws UsageException {
        return load(file, System::getenv);
    }

    private static QfleetConfig load(Path file, Function<String, String> environment) throws UsageException {
        Path absolute = file.toAbsolutePath().normalize();
        String text = readText(absolute);
        Map<?, ?> map = readMapping(absolute, text);
        ConfigReader reader = new ConfigReader(map, absolute, keyLines(text));
        for (Object key : map.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                reader.problem(String.valueOf(key), "unknown setting '" + key + "'."
                        + Suggestions.didYouMean(String.valueOf(key), KEYS) + " Valid settings: "
                        + String.join(", ", KEYS) + ".");
            }
        }
        QfleetConfig defaults = defaults();
        Path roster = reader.path("roster_file", defaults.rosterFile());
        HttpRoster.Settings rosterUrl = reader.rosterUrl(environment);
        if (map.get("roster_file") != null && rosterUrl != null) {
            reader.problem("roster_url", "roster_file and roster_url are both set. Keep only the one the roster"
                    + " comes from.");
        }
        Path knownHosts = reader.path("known_hosts", defaults.knownHosts());
        List<Path> fileRoots = reader.paths("file_roots", List.of(absolute.getParent()));
        List<Path> pillarRoots = reader.paths("pillar_roots", List.of());
        int maxProcs = reader.positiveInt("max_procs", DEFAULT_MAX_PROCS);
        Duration timeout = Duration.ofSeconds(reader.positiveInt("timeout",
                (int) DEFAULT_CONNECT_TIMEOUT.toSeconds()));
        Duration runTimeout = Duration.ofSeconds(reader.positiveInt("run_timeout",
                (int) DEFAULT_RUN_TIMEOUT.toSeconds()));
        RosterDefaults rosterDefaults = reader.rosterDefaults(absolute.toString());
        Nodegroups nodegroups = reader.nodegroups(absolute.toString());
        OutputSettings output = reader.output();
        Map<String, Map<String, Object>> returners = reader.returners();
        boolean failhard = Boolean.TRUE.equals(reader.bool("failhard"));
        SecretPillar secretPillar = reader.secretPillar();
        if (!reader.problems.isEmpty()) {
            StringBuilder message = new StringBuilder("invalid configuration file " + absolute + ":");
            for (String problem : reader.problems) {
                message.append("\n  ").append(problem);
            }
            throw new UsageException(message.toString());
        }
        return new QfleetConfig(Optional.of(absolute), roster, knownHosts, fileRoots, pillarRoots, maxProcs,
                timeout, runTimeout, rosterUrl, rosterDefaults, nodegroups, output, returners, failhard,
                secretPillar);
    }

    private static String readText(Path absolute) throws UsageException {
        try {
            return Files.readString(absolute);
        } catch (IOException ex) {
            throw new UsageException("cannot read configuration file " + absolute + ": " + ex.getMessage());
        }
    }

    private static Map<?, ?> readMapping(Path absolute, String text) throws UsageException {
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            document = new Yaml(options).load(text);
        } catch (MarkedYAMLException ex) {
            throw new UsageException(absolute + ":" + (ex.getProblemMark().getLine() + 1) + ": invalid YAML: "
                    + ex.getProblem());
        } catch (YAMLException ex) {
            throw new UsageException(absolute + ": invalid YAML: " + ex.getMessage());
        }
        if (document == null) {
            return Map.of();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new UsageException(absolute + ": the configuration must be a mapping of settings, such as "
                    + "'roster_file: roster'");
        }
        return map;
    }

    /**
     * Returns the line, counted from 1, of each top-level key. It composes SnakeYAML's node tree
     * for the marks, so call it only on text that {@link #readMapping} accepted.
     */
    private static Map<String, Integer> keyLines(String text) {
        Map<String, Integer> lines = new LinkedHashMap<>();
        if (new Yaml(new LoaderOptions()).compose(new StringReader(text)) instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && key.getStartMark() != null) {
                    lines.putIfAbsent(key.getValue(), key.getStartMark().getLine() + 1);
                }
            }
        }
        return lines;
    }

    /** Returns a copy with the command line's overrides applied; null arguments keep the file's value. */
    QfleetConfig withOverrides(Path roster, List<Path> fileRootsOverride, List<Path> pillarRootsOverride,
            Integer maxProcsOverride) {
        return new QfleetConfig(
                source,
                roster != null ? roster.toAbsolutePath() : rosterFile,
                knownHosts,
                fileRootsOverride != null && !fileRootsOverride.isEmpty()
                        ? fileRootsOverride.stream().map(Path::toAbsolutePath).toList() : fileRoots,
                pillarRootsOverride != null && !pillarRootsOverride.isEmpty()
                        ? pillarRootsOverride.stream().map(Path::toAbsolutePath).toList() : pillarRoots,
                maxProcsOverride != null ? maxProcsOverride : maxProcs,
                connectTimeout,
                runTimeout,
                roster != null ? null : rosterUrl,
                rosterDefaults,
                nodegroups,
                output,
                returners,
                failhard,
                secretPillar);
    }

    /**
     * Returns a copy that fetches the roster from {@code url}, keeping the file's other roster_*
     * settings; null keeps the current roster source.
     */
    QfleetConfig withRosterUrl(URI url) {
        if (url == null) {
            return this;
        }
        HttpRoster.Settings settings = rosterUrl == null
                ? HttpRoster.Settings.of(url, null, HttpRoster.Settings.defaultCacheDir(System::getenv))
                : new HttpRoster.Settings(url, rosterUrl.tokenVariable(), rosterUrl.timeout(), rosterUrl.retries(),
                        rosterUrl.retryDelay(), rosterUrl.maxBytes(), rosterUrl.cacheDir());
        return new QfleetConfig(source, rosterFile, knownHosts, fileRoots, pillarRoots, maxProcs, connectTimeout,
                runTimeout, settings, rosterDefaults, nodegroups, output, returners, failhard, secretPillar);
    }

    /**
     * Reads typed settings from the file's mapping and collects every problem, each starting with
     * the file and the line of the key it is about.
     */
    private static final class ConfigReader {
        /** The maximum length of a value quoted in a message, so that a huge value does not flood it. */
        private static final int MAX_VALUE_CHARS = 60;

        final Map<?, ?> map;
        final Path file;
        final Path folder;
        final Map<String, Integer> keyLines;
        final List<String> problems = new ArrayList<>();

        ConfigReader(Map<?, ?> map, Path file, Map<String, Integer> keyLines) {
            this.map = map;
            this.file = file;
            this.folder = file.getParent();
            this.keyLines = keyLines;
        }

        /** Returns {@code FILE, line N: } for the key, or {@code FILE: } when the key is not in the file. */
        String location(String key) {
            Integer line = keyLines.get(key);
            return line == null ? file + ": " : file + ", line " + line + ": ";
        }

        void problem(String key, String message) {
            problems.add(location(key) + message);
        }

        /** Adds {@code FILE, line N: KEY: invalid value 'VALUE'. Expected EXPECTED.} */
        void invalid(String key, Object value, String expected) {
            problem(key, key + ": invalid value " + describe(value) + ". Expected " + expected + ".");
        }

        /** Adds problems of the roster module, which start with the file name, with the key's line. */
        void addRosterProblems(String key, List<String> rosterProblems) {
            String prefix = file + ": ";
            for (String problem : rosterProblems) {
                problems.add(problem.startsWith(prefix)
                        ? location(key) + problem.substring(prefix.length())
                        : location(key) + problem);
            }
        }

        static String describe(Object value) {
            String text = value instanceof String ? "'" + value + "'" : String.valueOf(value);
            if (text.length() > MAX_VALUE_CHARS) {
                text = text.substring(0, MAX_VALUE_CHARS - 3) + "...";
            }
            return text;
        }

        Path path(String key, Path fallback) {
            Object value = map.get(key);
            if (value == null) {
                return fallback;
            }
            if (!(value instanceof String text) || text.isEmpty()) {
                invalid(key, value, "a path");
                return fallback;
            }
            return folder.resolve(expandHome(text)).normalize();
        }

        List<Path> paths(String key, List<Path> fallback) {
            Object value = map.get(key);
            if (value == null) {
                return fallback;
            }
            List<?> items = value instanceof List<?> list ? list : List.of(value);
            List<Path> result = new ArrayList<>();
            for (Object item : items) {
                if (!(item instanceof String text) || text.isEmpty()) {
                    invalid(key, item, "a path or a list of paths");
                    continue;
                }
                result.add(folder.resolve(expandHome(text)).normalize());
            }
            return result;
        }

        int positiveInt(String key, int fallback) {
            Object value = map.get(key);
            if (value == null) {
                return fallback;
            }
            if (value instanceof Integer number && number > 0) {
                return number;
            }
            invalid(key, value, "a positive whole number");
            return fallback;
        }

        Boolean bool(String key) {
            Object value = map.get(key);
            if (value == null || value instanceof Boolean) {
                return (Boolean) value;
            }
            invalid(key, value, "true or false");
            return null;
        }

        HttpRoster.Settings rosterUrl(Function<String, String> environment) {
            Object value = map.get("roster_url");
            for (String key : List.of("roster_token_env", "roster_timeout", "roster_retries", "roster_max_bytes",
                    "roster_cache_dir")) {
                if (value == null && map.get(key) != null) {
                    problem(key, key + " is set but roster_url is not. Set roster_url or remove " + key + ".");
                }
            }
            if (value == null) {
                return null;
            }
            URI url = null;
            if (value instanceof String text) {
                try {
                    url = new URI(text.strip());
                } catch (URISyntaxException ex) {
                    url = null;
                }
            }
            String scheme = url == null || url.getScheme() == null ? "" : url.getScheme().toLowerCase();
            if (url == null || url.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                invalid("roster_url", value, "an https:// or http:// address");
                return null;
            }
            if (url.getUserInfo() != null) {
                problem("roster_url", "roster_url must not contain a user name or password. Give the token's"
                        + " environment variable in roster_token_env instead.");
                return null;
            }
            Object tokenVariable = map.get("roster_token_env");
            if (tokenVariable != null && !(tokenVariable instanceof String name && name.matches("[A-Za-z_][A-Za-z0-9_]*"))) {
                invalid("roster_token_env", tokenVariable, "the name of an environment variable, such as ROSTER_TOKEN");
                tokenVariable = null;
            }
            int timeout = positiveInt("roster_timeout", (int) HttpRoster.Settings.DEFAULT_TIMEOUT.toSeconds());
            int retries = nonNegativeInt("roster_retries", HttpRoster.Settings.DEFAULT_RETRIES);
            int maxBytes = positiveInt("roster_max_bytes", (int) HttpRoster.Settings.DEFAULT_MAX_BYTES);
            Path cacheDir = path("roster_cache_dir", HttpRoster.Settings.defaultCacheDir(environment));
            return new HttpRoster.Settings(url, (String) tokenVariable, Duration.ofSeconds(timeout), retries,
                    HttpRoster.Settings.DEFAULT_RETRY_DELAY, maxBytes, cacheDir);
        }

        int nonNegativeInt(String key, int fallback) {
            Object value = map.get(key);
            if (value == null) {
                return fallback;
            }
            if (value instanceof Integer number && number >= 0 && number <= 10) {
                return number;
            }
            invalid(key, value, "a whole number from 0 to 10");
            return fallback;
        }

        RosterDefaults rosterDefaults(String source) {
            Object value = map.get("roster_defaults");
            if (value == null) {
                return RosterDefaults.none();
            }
            if (!(value instanceof Map<?, ?> defaults)) {
                invalid("roster_defaults", value, "a mapping of roster keys, such as {user: admin}");
                return RosterDefaults.none();
            }
            try {
                return RosterDefaults.of(defaults, source, folder);
            } catch (RosterException ex) {
                addRosterProblems("roster_defaults", ex.problems());
                return RosterDefaults.none();
            }
        }

        Nodegroups nodegroups(String source) {
            Object value = map.get("nodegroups");
            if (value == null) {
                return Nodegroups.none();
            }
            if (!(value instanceof Map<?, ?> groups)) {
                invalid("nodegroups", value, "a mapping of group names to targets, such as {web: 'G@role:web'}");
                return Nodegroups.none();
            }
            try {
                return Nodegroups.of(groups, source);
            } catch (RosterException ex) {
                addRosterProblems("nodegroups", ex.problems());
                return Nodegroups.none();
            }
        }

        OutputSettings output() {
            Object stateOutput = map.get("state_output");
            if (stateOutput != null && !STATE_OUTPUTS.contains(String.valueOf(stateOutput))) {
                invalid("state_output", stateOutput, "one of " + String.join(", ", STATE_OUTPUTS));
                stateOutput = null;
            }
            return new OutputSettings((String) stateOutput, bool("state_verbose"), bool("color"));
        }

        /** Reads {@code returners}: a list of names, or a mapping of names to their settings. */
        Map<String, Map<String, Object>> returners() {
            Object value = map.get("returners");
            if (value == null) {
                return Map.of();
            }
            Map<String, Map<String, Object>> result = new LinkedHashMap<>();
            if (value instanceof List<?> names) {
                for (Object name : names) {
                    if (name instanceof String text && !text.isBlank()) {
                        result.put(text, Map.of());
                    } else {
                        invalid("returners", name, "a list of non-empty returner names");
                    }
                }
            } else if (value instanceof Map<?, ?> byName) {
                for (Map.Entry<?, ?> entry : byName.entrySet()) {
                    Object settings = entry.getValue() == null ? Map.of() : entry.getValue();
                    if (!(settings instanceof Map<?, ?> settingsMap)) {
                        // The value is not printed because returner settings may contain a secret.
                        problem("returners", "returners: the settings of '" + entry.getKey() + "' must be a"
                                + " mapping of setting names to values.");
                        continue;
                    }
                    Map<String, Object> copy = new LinkedHashMap<>();
                    settingsMap.forEach((key, item) -> copy.put(String.valueOf(key), item));
                    result.put(String.valueOf(entry.getKey()), Collections.unmodifiableMap(copy));
                }
            } else {
                invalid("returners", value, "a list of returner names or a mapping of names to settings");
            }
            return Collections.unmodifiableMap(result);
        }

        /** Reads {@code secret_pillar}: one colon-delimited pillar key glob, or a list of them. */
        SecretPillar secretPillar() {
            Object value = map.get("secret_pillar");
            if (value == null) {
                return SecretPillar.none();
            }
            List<?> items = value instanceof List<?> list ? list : List.of(value);
            List<String> patterns = new ArrayList<>();
            for (Object item : items) {
                if (!(item instanceof String pattern)) {
                    invalid("secret_pillar", item, "a list of pillar keys such as wifi:psk or 'vault:*'."
                            + " Quote a key that YAML reads as a number or true/false");
                    continue;
                }
                String reason = SecretPillar.problemWith(pattern);
                if (reason != null) {
                    problem("secret_pillar", "secret_pillar: invalid value " + describe(pattern) + ". " + reason);
                    continue;
                }
                patterns.add(pattern);
            }
            return SecretPillar.of(patterns);
        }
    }

    private static String expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return System.getProperty("user.home") + path.substring(1);
        }
        return path;
    }
}
