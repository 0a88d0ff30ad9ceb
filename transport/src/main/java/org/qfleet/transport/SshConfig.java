package org.qfleet.transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.sshd.client.config.hosts.HostConfigEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves roster entries into {@link SshTarget}s the way OpenSSH's {@code ssh} resolves a host name: through the
 * {@code Host} blocks of an ssh config file that match it, plus {@code -o KEY=VALUE} style options.
 *
 * <p>Precedence, highest first: the roster entry's own fields, the entry's ssh options, the command line's
 * {@code --ssh-option} values, the config file (the first value of a key wins, in file order, as in OpenSSH), then
 * the defaults. Of the file's keywords only those in {@link #SUPPORTED_OPTIONS} are used; the others are ignored, as
 * qfleet has nothing that they could change.
 */
public final class SshConfig {

    /** The keywords that qfleet applies, in OpenSSH's spelling. Keys are matched without regard to case. */
    public static final Set<String> SUPPORTED_OPTIONS = supportedOptions();

    /** salt-ssh's login user when neither the roster nor the config names one. */
    public static final String DEFAULT_USER = "root";
    public static final int DEFAULT_PORT = 22;
    private static final int MAX_JUMP_DEPTH = 8;
    private static final int MAX_INCLUDE_DEPTH = 16;
    private static final Logger LOG = LoggerFactory.getLogger(SshConfig.class);
    private static final List<String> DEFAULT_KEY_NAMES = List.of("id_ed25519", "id_ecdsa", "id_rsa");
    /** One number of an OpenSSH time value, with its optional unit. */
    private static final Pattern TIME_PART = Pattern.compile("(\\d+)([smhdw]?)");

    private final Path file;
    private final List<HostConfigEntry> entries;
    private final Path sshDirectory;
    private final Map<String, String> commandLineOptions;
    private final Duration defaultConnectTimeout;

    /**
     * Reads the config file.
     *
     * @param file                  the ssh config file, or null for none; a missing file counts as empty
     * @param sshDirectory          the folder of the default keys ({@code id_ed25519}, {@code id_ecdsa},
     *                              {@code id_rsa}), used when nothing names a key file; normally {@code ~/.ssh}
     * @param commandLineOptions    {@code --ssh-option} values, key to value
     * @param defaultConnectTimeout the TCP connect limit when nothing sets one
     * @throws IllegalArgumentException when the file cannot be read, or an option is not supported; the message names
     *                                  the file or option
     */
    public SshConfig(Path file, Path sshDirectory, Map<String, String> commandLineOptions,
                     Duration defaultConnectTimeout) {
        this.file = file;
        this.sshDirectory = sshDirectory;
        this.defaultConnectTimeout = defaultConnectTimeout;
        this.commandLineOptions = checkedOptions(commandLineOptions, "--ssh-option");
        this.entries = read(file);
    }

    /** Returns a resolver with no config file, no options and no default keys. */
    public static SshConfig none(Duration defaultConnectTimeout) {
        return new SshConfig(null, null, Map.of(), defaultConnectTimeout);
    }

    /**
     * Splits one {@code KEY=VALUE} option as {@code ssh -o} takes it ({@code KEY VALUE} works too).
     *
     * @throws IllegalArgumentException when it has no value or the key is not supported
     */
    public static Map.Entry<String, String> parseOption(String option) {
        String text = option.strip();
        int split = text.indexOf('=');
        if (split < 0) {
            split = text.indexOf(' ');
        }
        if (split <= 0 || split == text.length() - 1) {
            throw new IllegalArgumentException("ssh option '" + option + "' is invalid: write it as KEY=VALUE,"
                    + " for example Port=2222");
        }
        String key = text.substring(0, split).strip();
        String value = text.substring(split + 1).strip();
        checkKey(key, "ssh option '" + option + "'");
        return Map.entry(key, value);
    }

    private static Map<String, String> checkedOptions(Map<String, String> options, String source) {
        Map<String, String> checked = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> option : options.entrySet()) {
            checkKey(option.getKey(), source + " " + option.getKey() + "=" + option.getValue());
            checked.put(option.getKey(), option.getValue());
        }
        return checked;
    }

    private static void checkKey(String key, String where) {
        if (!SUPPORTED_OPTIONS.contains(key)) {
            throw new IllegalArgumentException(where + ": key " + key + " is not supported. qfleet supports "
                    + String.join(", ", SUPPORTED_OPTIONS) + ".");
        }
    }

    private static Set<String> supportedOptions() {
        Set<String> supported = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        supported.addAll(List.of("HostName", "Port", "User", "IdentityFile", "IdentitiesOnly", "ProxyJump",
                "ConnectTimeout", "StrictHostKeyChecking", "UserKnownHostsFile", "ServerAliveInterval",
                "ServerAliveCountMax"));
        return Collections.unmodifiableSet(supported);
    }

    private static List<HostConfigEntry> read(Path file) {
        if (file == null || !Files.exists(file)) {
            return List.of();
        }
        try {
            String text = expand(file, file.toAbsolutePath().getParent(), 0);
            return HostConfigEntry.readHostConfigEntries(new BufferedReader(new StringReader(text)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("ssh config file " + file + " could not be read: " + e.getMessage()
                    + ". Fix the file, or point --ssh-config at another one.", e);
        }
    }

    /**
     * Returns the file's text with each {@code Include} replaced by the files it names, in place, as OpenSSH reads
     * them, and with {@code Match} blocks left out, because MINA's parser rejects them.
     */
    private static String expand(Path file, Path sshDirectory, int depth) throws IOException {
        if (depth > MAX_INCLUDE_DEPTH) {
            throw new IOException("Include nests more than " + MAX_INCLUDE_DEPTH + " levels deep at " + file);
        }
        StringBuilder text = new StringBuilder();
        boolean inMatch = false;
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            String[] words = line.strip().split("[\\s=]+");
            String keyword = words[0].toLowerCase(Locale.ROOT);
            if (keyword.equals("match")) {
                inMatch = true;
                LOG.warn("ssh config {} line {}: Match blocks are not supported, so this block is ignored: {}",
                        file, lineNumber, line.strip());
                continue;
            }
            if (keyword.equals("host")) {
                inMatch = false;
            }
            if (inMatch) {
                continue;
            }
            if (keyword.equals("include")) {
                for (int i = 1; i < words.length; i++) {
                    for (Path included : includedFiles(words[i], sshDirectory)) {
                        text.append(expand(included, sshDirectory, depth + 1)).append('\n');
                    }
                }
                continue;
            }
            text.append(line).append('\n');
        }
        return text.toString();
    }

    /** Returns the files that one {@code Include} argument names: a glob in its last part only, sorted. */
    private static List<Path> includedFiles(String argument, Path sshDirectory) throws IOException {
        Path pattern = expandHome(argument);
        if (!pattern.isAbsolute()) {
            pattern = sshDirectory.resolve(pattern);
        }
        Path folder = pattern.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern.getFileName());
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(path -> matcher.matches(path.getFileName()) && Files.isRegularFile(path))
                    .sorted().toList();
        }
    }

    /** A value and where it came from, for messages. */
    private record Setting(String value, String source) {
    }

    /**
     * Resolves one roster entry.
     *
     * @throws TransportException {@code CONFIG_INVALID} when a value is invalid; the message names the host, the key,
     *                            the value and where it came from
     */
    public SshTarget resolve(HostSpec spec) throws TransportException {
        return resolve(spec, true, 0);
    }

    private SshTarget resolve(HostSpec spec, boolean followProxyJump, int depth) throws TransportException {
        Map<String, Setting> settings = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        List<Setting> identityFiles = new ArrayList<>();
        collect(settings, identityFiles, hostOptions(spec), "the roster entry's ssh options");
        collect(settings, identityFiles, commandLineOptions, "--ssh-option");
        for (HostConfigEntry entry : HostConfigEntry.findMatchingEntries(spec.host(), entries)) {
            String source = file + " (Host " + entry.getHost() + ")";
            Map<String, String> values = new LinkedHashMap<>(entry.getProperties());
            values.remove(HostConfigEntry.HOST_CONFIG_PROP);
            values.remove(HostConfigEntry.IDENTITY_FILE_CONFIG_PROP);
            collect(settings, identityFiles, values, source);
            for (String identity : entry.getIdentities()) {
                identityFiles.add(new Setting(identity, source));
            }
        }

        String host = spec.host();
        Setting hostName = settings.get("HostName");
        if (hostName != null) {
            host = hostName.value().replace("%h", spec.host()).replace("%%", "%");
        }
        int port = spec.port() != null ? spec.port() : intSetting(spec, settings, "Port", DEFAULT_PORT);
        String user = spec.user() != null ? spec.user()
                : settings.containsKey("User") ? settings.get("User").value() : DEFAULT_USER;
        Duration connectTimeout = spec.connectTimeout() != null ? spec.connectTimeout()
                : settings.containsKey("ConnectTimeout") ? connectTimeoutSetting(spec, settings)
                : defaultConnectTimeout;
        boolean identitiesOnly = yesNo(spec, settings, "IdentitiesOnly");
        List<Path> identities = identities(spec, identityFiles, host, port, user);
        HostKeyPolicy policy = hostKeyPolicy(spec, settings);
        Path knownHosts = null;
        if (settings.containsKey("UserKnownHostsFile")) {
            // NOTE: OpenSSH reads every file this option lists; qfleet reads and writes the first one only.
            String first = settings.get("UserKnownHostsFile").value().strip().split("[\\s,]+")[0];
            knownHosts = expandHome(first);
        }
        // A ConnectTimeout setting of zero is rejected where it is parsed, so only the roster's value or the
        // default can reach this check.
        if (connectTimeout.isZero() || connectTimeout.isNegative()) {
            throw invalid(spec, "ConnectTimeout", String.valueOf(connectTimeout.toSeconds()),
                    spec.connectTimeout() != null ? "the roster entry's timeout" : "the default connect timeout",
                    "a positive number of seconds");
        }
        Duration serverAliveInterval = settings.containsKey("ServerAliveInterval")
                ? timeSetting(spec, settings, "ServerAliveInterval",
                        "a whole number of seconds or a time such as 1m30s, or 0 to turn keep-alives off")
                : null;
        Integer serverAliveCountMax = settings.containsKey("ServerAliveCountMax")
                ? Integer.valueOf(intSetting(spec, settings, "ServerAliveCountMax", 0))
                : null;
        SshTarget target = new SshTarget(spec.id(), host, port, user, identities, connectTimeout, identitiesOnly,
                spec.password(), spec.keyPassphrase(), List.of(), spec.sudo(), knownHosts, policy,
                serverAliveInterval, serverAliveCountMax);
        if (!followProxyJump) {
            return target;
        }
        String proxyJump = spec.proxyJump() != null ? spec.proxyJump()
                : settings.containsKey("ProxyJump") ? settings.get("ProxyJump").value() : null;
        return target.withJumpHosts(jumpHosts(spec, proxyJump, depth));
    }

    private static Map<String, String> hostOptions(HostSpec spec) throws TransportException {
        try {
            return checkedOptions(spec.options(), "host " + spec.id() + ": roster ssh option");
        } catch (IllegalArgumentException e) {
            throw new TransportException(TransportException.Kind.CONFIG_INVALID, spec.id(), e.getMessage(), e);
        }
    }

    private static void collect(Map<String, Setting> settings, List<Setting> identityFiles, Map<String, String> values,
                                String source) {
        for (Map.Entry<String, String> value : values.entrySet()) {
            if (value.getKey().equalsIgnoreCase("IdentityFile")) {
                identityFiles.add(new Setting(value.getValue(), source));
            } else if (value.getValue() != null) {
                settings.putIfAbsent(value.getKey(), new Setting(value.getValue(), source));
            }
        }
    }

    private List<Path> identities(HostSpec spec, List<Setting> identityFiles, String host, int port, String user)
            throws TransportException {
        if (!spec.identities().isEmpty()) {
            return spec.identities();
        }
        List<Path> paths = new ArrayList<>();
        for (Setting identity : identityFiles) {
            String path;
            try {
                path = HostConfigEntry.resolveIdentityFilePath(identity.value(), host, port, user);
            } catch (IOException | RuntimeException e) {
                throw invalid(spec, "IdentityFile", identity.value(), identity.source(), "a key file path");
            }
            Path resolved = expandHome(path);
            if (!paths.contains(resolved)) {
                paths.add(resolved);
            }
        }
        if (paths.isEmpty() && sshDirectory != null) {
            for (String name : DEFAULT_KEY_NAMES) {
                if (Files.isRegularFile(sshDirectory.resolve(name))) {
                    paths.add(sshDirectory.resolve(name));
                }
            }
        }
        return paths;
    }

    private static HostKeyPolicy hostKeyPolicy(HostSpec spec, Map<String, Setting> settings) throws TransportException {
        Setting setting = settings.get("StrictHostKeyChecking");
        if (setting == null) {
            return null;
        }
        switch (setting.value().toLowerCase(Locale.ROOT)) {
            case "yes", "true", "ask":
                return HostKeyPolicy.STRICT;
            case "accept-new":
                return HostKeyPolicy.ACCEPT_NEW;
            case "no", "off", "false":
                // OpenSSH would connect even to a host whose key changed; qfleet rejects changed keys regardless,
                // and only --ignore-host-keys turns the check off.
                return HostKeyPolicy.ACCEPT_NEW;
            default:
                throw invalid(spec, "StrictHostKeyChecking", setting.value(), setting.source(),
                        "yes, accept-new, no or ask");
        }
    }

    private static int intSetting(HostSpec spec, Map<String, Setting> settings, String key, int fallback)
            throws TransportException {
        Setting setting = settings.get(key);
        if (setting == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(setting.value().strip());
            if (value < 1 || ("Port".equals(key) && value > 65535)) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            String expected = "Port".equals(key) ? "a port number from 1 to 65535" : "a whole number of 1 or more";
            throw invalid(spec, key, setting.value(), setting.source(), expected);
        }
    }

    /**
     * Returns a setting's time in OpenSSH's format as {@link #parseTime} reads it.
     *
     * @param expected the valid values, for the message, as the end of the sentence "Use ..."
     */
    private static Duration timeSetting(HostSpec spec, Map<String, Setting> settings, String key, String expected)
            throws TransportException {
        Setting setting = settings.get(key);
        Duration time = parseTime(setting.value());
        if (time == null) {
            throw invalid(spec, key, setting.value(), setting.source(), expected);
        }
        return time;
    }

    /** Returns the {@code ConnectTimeout} setting, which must be a time in OpenSSH's format and more than zero. */
    private static Duration connectTimeoutSetting(HostSpec spec, Map<String, Setting> settings)
            throws TransportException {
        String expected = "a positive whole number of seconds or a time such as 1m30s";
        Duration time = timeSetting(spec, settings, "ConnectTimeout", expected);
        if (time.isZero()) {
            Setting setting = settings.get("ConnectTimeout");
            throw invalid(spec, "ConnectTimeout", setting.value(), setting.source(), expected);
        }
        return time;
    }

    /**
     * Parses a time in OpenSSH's format: whole seconds ({@code 90}), or numbers with the units s, m, h, d or w
     * ({@code 1m30s}), as the TIME FORMATS section of sshd_config(5) describes. Units are matched without regard to
     * case. As in OpenSSH 9.2's {@code ssh}, the total may be at most 2147483647 seconds.
     *
     * @return the time, which may be zero, or null when the text is not a valid time
     */
    private static Duration parseTime(String value) {
        String text = value.strip().toLowerCase(Locale.ROOT);
        Matcher part = TIME_PART.matcher(text);
        long seconds = 0;
        int end = 0;
        try {
            while (part.find() && part.start() == end) {
                long number = Long.parseLong(part.group(1));
                long unit = switch (part.group(2)) {
                    case "m" -> 60;
                    case "h" -> 3600;
                    case "d" -> 86400;
                    case "w" -> 604800;
                    default -> 1;
                };
                seconds = Math.addExact(seconds, Math.multiplyExact(number, unit));
                end = part.end();
            }
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
        if (text.isEmpty() || end != text.length() || seconds > Integer.MAX_VALUE) {
            return null;
        }
        return Duration.ofSeconds(seconds);
    }

    private static boolean yesNo(HostSpec spec, Map<String, Setting> settings, String key) throws TransportException {
        Setting setting = settings.get(key);
        if (setting == null) {
            return false;
        }
        switch (setting.value().strip().toLowerCase(Locale.ROOT)) {
            case "yes", "true":
                return true;
            case "no", "false":
                return false;
            default:
                throw invalid(spec, key, setting.value(), setting.source(), "yes or no");
        }
    }

    private List<SshTarget> jumpHosts(HostSpec spec, String proxyJump, int depth) throws TransportException {
        if (proxyJump == null || proxyJump.isBlank() || proxyJump.strip().equalsIgnoreCase("none")) {
            return List.of();
        }
        if (depth >= MAX_JUMP_DEPTH) {
            throw new TransportException(TransportException.Kind.CONFIG_INVALID, spec.id(), "host " + spec.id()
                    + ": ProxyJump chains through more than " + MAX_JUMP_DEPTH + " hosts, or loops (last value "
                    + proxyJump + "). Check the ProxyJump settings of the jump hosts in the ssh config.");
        }
        List<SshTarget> hops = new ArrayList<>();
        String[] parts = proxyJump.split(",");
        for (int i = 0; i < parts.length; i++) {
            HostSpec hop = parseHop(spec, parts[i].strip());
            // As in OpenSSH, the first hop's own ProxyJump applies, and each later hop is reached through the one
            // before it.
            SshTarget resolved = resolve(hop, i == 0, depth + 1);
            if (i == 0 && !resolved.jumpHosts().isEmpty()) {
                hops.addAll(resolved.jumpHosts());
                resolved = resolved.withJumpHosts(List.of());
            }
            hops.add(resolved);
        }
        return hops;
    }

    private static HostSpec parseHop(HostSpec spec, String hop) throws TransportException {
        String text = hop.startsWith("ssh://") ? hop.substring("ssh://".length()) : hop;
        String user = null;
        int at = text.lastIndexOf('@');
        if (at >= 0) {
            user = text.substring(0, at);
            text = text.substring(at + 1);
        }
        Integer port = null;
        String host = text;
        if (text.startsWith("[") && text.contains("]")) {
            host = text.substring(1, text.indexOf(']'));
            String rest = text.substring(text.indexOf(']') + 1);
            if (rest.startsWith(":")) {
                port = parsePort(spec, hop, rest.substring(1));
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            host = text.substring(0, text.indexOf(':'));
            port = parsePort(spec, hop, text.substring(text.indexOf(':') + 1));
        }
        if (host.isEmpty() || (user != null && user.isEmpty())) {
            throw new TransportException(TransportException.Kind.CONFIG_INVALID, spec.id(), "host " + spec.id()
                    + ": ProxyJump hop '" + hop + "' is invalid. Write each hop as [user@]host[:port].");
        }
        return new HostSpec(spec.id() + " (jump host " + host + ")", host, port, user, List.of(), null, null, Map.of(),
                null, spec.keyPassphrase(), null);
    }

    private static Integer parsePort(HostSpec spec, String hop, String text) throws TransportException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new TransportException(TransportException.Kind.CONFIG_INVALID, spec.id(), "host " + spec.id()
                + ": ProxyJump hop '" + hop + "' has an invalid port " + text + ". Use a port number from 1 to 65535.");
    }

    private static TransportException invalid(HostSpec spec, String key, String value, String source, String expected) {
        return new TransportException(TransportException.Kind.CONFIG_INVALID, spec.id(), "host " + spec.id() + ": "
                + key + " " + value + " from " + source + " is invalid. Use " + expected + ".");
    }

    private static Path expandHome(String path) {
        if (path.equals("~")) {
            return Path.of(System.getProperty("user.home"));
        }
        if (path.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), path.substring(2));
        }
        return Path.of(path);
    }
}
