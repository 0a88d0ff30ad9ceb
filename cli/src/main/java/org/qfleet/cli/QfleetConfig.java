package org.qfleet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The settings of one qfleet run, read from {@code qfleet.yaml}. Relative paths in the file
 * are relative to the file's folder, so a configuration can be used from anywhere.
 *
 * @param source           the file the settings came from, if any
 * @param rosterFile       the salt-ssh flat roster
 * @param knownHosts       the OpenSSH known_hosts file that host keys are checked against
 * @param fileRoots        the folders that hold the formulas, searched in order
 * @param pillarRoots      the folders that hold the pillar, searched in order
 * @param maxProcs         the maximum number of hosts worked on at once
 * @param connectTimeout   the limit for connecting to and authenticating with one host
 * @param runTimeout       the limit for one request to one host's shim
 */
public record QfleetConfig(
        Optional<Path> source,
        Path rosterFile,
        Path knownHosts,
        List<Path> fileRoots,
        List<Path> pillarRoots,
        int maxProcs,
        Duration connectTimeout,
        Duration runTimeout) {

    /** Keys that {@code qfleet.yaml} may contain. */
    static final Set<String> KEYS = new TreeSet<>(List.of(
            "roster_file", "known_hosts", "file_roots", "pillar_roots", "max_procs", "timeout", "run_timeout"));

    static final int DEFAULT_MAX_PROCS = 25;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_RUN_TIMEOUT = Duration.ofHours(1);

    /** The settings that apply when no configuration file is found. */
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
                DEFAULT_RUN_TIMEOUT);
    }

    /**
     * Finds the configuration file: the explicit path, else {@code $QFLEET_CONFIG}, else
     * {@code ./qfleet.yaml}, else {@code ~/.config/qfleet/qfleet.yaml}; with none of them,
     * the defaults.
     */
    static QfleetConfig locate(Path explicit) throws UsageException {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new UsageException("configuration file not found: " + explicit);
            }
            return load(explicit);
        }
        String fromEnvironment = System.getenv("QFLEET_CONFIG");
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            Path path = Path.of(fromEnvironment);
            if (!Files.isRegularFile(path)) {
                throw new UsageException("configuration file not found: " + path + " (from QFLEET_CONFIG)");
            }
            return load(path);
        }
        Path local = Path.of("qfleet.yaml");
        if (Files.isRegularFile(local)) {
            return load(local);
        }
        Path user = Path.of(System.getProperty("user.home"), ".config", "qfleet", "qfleet.yaml");
        if (Files.isRegularFile(user)) {
            return load(user);
        }
        return defaults();
    }

    /** Reads one configuration file; every problem in it is reported at once. */
    static QfleetConfig load(Path file) throws UsageException {
        Path absolute = file.toAbsolutePath().normalize();
        Path folder = absolute.getParent();
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            document = new Yaml(options).load(Files.readString(absolute));
        } catch (MarkedYAMLException ex) {
            throw new UsageException(absolute + ":" + (ex.getProblemMark().getLine() + 1) + ": invalid YAML: "
                    + ex.getProblem());
        } catch (YAMLException ex) {
            throw new UsageException(absolute + ": invalid YAML: " + ex.getMessage());
        } catch (IOException ex) {
            throw new UsageException("cannot read configuration file " + absolute + ": " + ex.getMessage());
        }
        if (document == null) {
            document = Map.of();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new UsageException(absolute + ": the configuration must be a mapping of settings, such as "
                    + "'roster_file: roster'");
        }
        List<String> problems = new ArrayList<>();
        for (Object key : map.keySet()) {
            if (!KEYS.contains(String.valueOf(key))) {
                problems.add("unknown setting '" + key + "'; valid settings: " + String.join(", ", KEYS));
            }
        }
        QfleetConfig defaults = defaults();
        Path roster = path(map, "roster_file", folder, defaults.rosterFile(), problems);
        Path knownHosts = path(map, "known_hosts", folder, defaults.knownHosts(), problems);
        List<Path> fileRoots = paths(map, "file_roots", folder, List.of(folder), problems);
        List<Path> pillarRoots = paths(map, "pillar_roots", folder, List.of(), problems);
        int maxProcs = positiveInt(map, "max_procs", DEFAULT_MAX_PROCS, problems);
        Duration timeout = Duration.ofSeconds(positiveInt(map, "timeout",
                (int) DEFAULT_CONNECT_TIMEOUT.toSeconds(), problems));
        Duration runTimeout = Duration.ofSeconds(positiveInt(map, "run_timeout",
                (int) DEFAULT_RUN_TIMEOUT.toSeconds(), problems));
        if (!problems.isEmpty()) {
            StringBuilder message = new StringBuilder("invalid configuration file " + absolute + ":");
            for (String problem : problems) {
                message.append("\n  ").append(problem);
            }
            throw new UsageException(message.toString());
        }
        return new QfleetConfig(Optional.of(absolute), roster, knownHosts, fileRoots, pillarRoots, maxProcs,
                timeout, runTimeout);
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
                runTimeout);
    }

    private static Path path(Map<?, ?> map, String key, Path folder, Path fallback, List<String> problems) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text) || text.isEmpty()) {
            problems.add(key + " must be a path, got: " + value);
            return fallback;
        }
        return folder.resolve(expandHome(text)).normalize();
    }

    private static List<Path> paths(Map<?, ?> map, String key, Path folder, List<Path> fallback,
            List<String> problems) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        List<?> items = value instanceof List<?> list ? list : List.of(value);
        List<Path> result = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof String text) || text.isEmpty()) {
                problems.add(key + " must be a path or a list of paths, got: " + item);
                continue;
            }
            result.add(folder.resolve(expandHome(text)).normalize());
        }
        return result;
    }

    private static int positiveInt(Map<?, ?> map, String key, int fallback, List<String> problems) {
        Object value = map.get(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Integer number && number > 0) {
            return number;
        }
        problems.add(key + " must be a positive whole number, got: " + value);
        return fallback;
    }

    private static String expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return System.getProperty("user.home") + path.substring(1);
        }
        return path;
    }
}
