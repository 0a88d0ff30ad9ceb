package org.qfleet.cli;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The fleet run's options for reports, raw commands, the job cache, returners and logging.
 * Logging options take effect while the command line is parsed, before the first logger exists.
 */
final class OutputOptions {

    /** The environment variable with the webhook URLs, comma-separated, when {@code --webhook-url} is not given. */
    static final String WEBHOOK_URLS_VARIABLE = "QFLEET_WEBHOOK_URLS";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Mixin
    ReportFormatOptions format = new ReportFormatOptions();

    @Option(names = {"-r", "--raw", "--raw-shell"},
            description = "Run FUNCTION and ARGS as a shell command on every targeted host, each word quoted, "
                    + "and report its stdout, stderr and exit code per host.")
    boolean rawShell;

    @Option(names = "--jobs-dir", paramLabel = "DIR",
            description = "Folder of the job cache (default: $QFLEET_JOBS_DIR, else ~/.cache/qfleet/jobs).")
    Path jobsDir;

    @Option(names = "--keep-jobs", paramLabel = "N",
            description = "Number of jobs the job cache keeps; older ones are deleted (default 200).")
    int keepJobs = JobCache.DEFAULT_KEEP;

    @Option(names = "--return", paramLabel = "RETURNER",
            description = "Also send each host's result and the run's summary to a returner: webhook.")
    List<String> returners = new ArrayList<>();

    @Option(names = "--webhook-url", paramLabel = "URL",
            description = "URL the webhook returner posts JSON to; repeat for several "
                    + "(default: $QFLEET_WEBHOOK_URLS, comma-separated).")
    List<String> webhookUrls = new ArrayList<>();

    @Option(names = "--return-timeout", paramLabel = "SECONDS",
            description = "Maximum time returners may add to the end of the run (default 10).")
    double returnTimeoutSeconds = 10;

    private String logLevel;
    private Path logFile;
    /** Set by {@code color: false} in the configuration file. */
    private boolean colorOffByConfig;
    /** Webhook URLs from the configuration file's {@code returners: {webhook: {urls: [...]}}}. */
    private List<String> configWebhookUrls = List.of();

    @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL",
            description = "Level of qfleet's log lines: trace, debug, info, warning (default), error or quiet.")
    void setLogLevel(String level) {
        String simpleLoggerLevel = switch (level.toLowerCase(Locale.ROOT)) {
            case "all", "garbage", "trace" -> "trace";
            case "debug" -> "debug";
            case "info", "profile" -> "info";
            case "warning", "warn" -> "warn";
            case "error", "critical" -> "error";
            case "quiet" -> "off";
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "invalid log level '" + level + "'; expected trace, debug, info, warning, error or quiet");
        };
        logLevel = simpleLoggerLevel;
        System.setProperty("org.slf4j.simpleLogger.log.org.qfleet", simpleLoggerLevel);
        if (simpleLoggerLevel.equals("debug") || simpleLoggerLevel.equals("trace")) {
            showLogOrigin();
        }
    }

    /** Shows the thread and the logger's class in each log line, for log files and debugging. */
    private static void showLogOrigin() {
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "true");
        System.setProperty("org.slf4j.simpleLogger.showLogName", "true");
    }

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "Write log lines to FILE (appended) instead of standard error.")
    void setLogFile(Path file) {
        logFile = file;
        System.setProperty("org.slf4j.simpleLogger.logFile", file.toString());
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        showLogOrigin();
    }

    String logLevel() {
        return logLevel;
    }

    Path logFile() {
        return logFile;
    }

    /**
     * Takes {@code state_output}, {@code state_verbose}, {@code color} and {@code returners} from
     * the configuration file where the command line did not set them. A returner's settings may
     * give {@code url} (a string) or {@code urls} (a list) and {@code timeout} (seconds).
     */
    void applyConfig(QfleetConfig config) throws UsageException {
        QfleetConfig.OutputSettings settings = config.output();
        if (settings != null) {
            if (settings.stateOutput() != null && !commandLineHas("--state-output")) {
                try {
                    format.stateOutput = HighstateOutputter.Mode.parse(settings.stateOutput());
                } catch (IllegalArgumentException ex) {
                    throw new UsageException(configName(config) + ": state_output: " + ex.getMessage(), ex);
                }
            }
            if (settings.stateVerbose() != null && !commandLineHas("--state-verbose")) {
                format.stateVerbose = settings.stateVerbose();
            }
            colorOffByConfig = Boolean.FALSE.equals(settings.color()) && !commandLineHas("--force-color");
        }
        Map<String, Map<String, Object>> configured = config.returners() == null ? Map.of() : config.returners();
        if (returners.isEmpty()) {
            returners = new ArrayList<>(configured.keySet());
        }
        Map<String, Object> webhook = configured.getOrDefault("webhook", Map.of());
        List<String> urls = new ArrayList<>();
        if (webhook.get("url") instanceof String url) {
            urls.add(url);
        }
        if (webhook.get("urls") instanceof List<?> list) {
            list.forEach(url -> urls.add(String.valueOf(url)));
        }
        configWebhookUrls = urls;
        if (webhook.get("timeout") instanceof Number seconds && !commandLineHas("--return-timeout")) {
            returnTimeoutSeconds = seconds.doubleValue();
        }
    }

    /** Returns {@code chosen}, or no colour when the configuration file sets {@code color: false}. */
    Colors colors(Colors chosen) {
        return colorOffByConfig ? Colors.NONE : chosen;
    }

    private boolean commandLineHas(String option) {
        return spec != null && spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    private static String configName(QfleetConfig config) {
        return config.source() != null && config.source().isPresent() ? config.source().get().toString()
                : "the configuration";
    }

    /** Checks the option values together, before any host is contacted. */
    void validate() throws UsageException {
        format.validate();
        if (keepJobs < 1) {
            throw new UsageException("--keep-jobs must be at least 1, got: " + keepJobs);
        }
        if (!(returnTimeoutSeconds > 0) || returnTimeoutSeconds > 3600) {
            String value = BigDecimal.valueOf(returnTimeoutSeconds).stripTrailingZeros().toPlainString();
            throw new UsageException("--return-timeout (or returners: webhook: timeout in qfleet.yaml) must be more"
                    + " than 0 and at most 3600 seconds, got: " + value);
        }
        for (String returner : returners) {
            if (!returner.equals("webhook")) {
                throw new UsageException("unknown returner '" + returner + "'; qfleet has: webhook");
            }
        }
        if (returners.contains("webhook") && webhookUris().isEmpty()) {
            throw new UsageException("--return webhook needs a URL: give --webhook-url URL, set "
                    + WEBHOOK_URLS_VARIABLE + ", or set returners: {webhook: {urls: [URL]}} in qfleet.yaml");
        }
        webhookUris();
    }

    /** Returns the webhook URLs from {@code --webhook-url}, else the environment, else the configuration file. */
    List<URI> webhookUris() throws UsageException {
        List<String> texts = new ArrayList<>(webhookUrls);
        String variable = System.getenv(WEBHOOK_URLS_VARIABLE);
        if (texts.isEmpty() && variable != null) {
            for (String part : variable.split(",")) {
                if (!part.isBlank()) {
                    texts.add(part.strip());
                }
            }
        }
        if (texts.isEmpty()) {
            texts.addAll(configWebhookUrls);
        }
        List<URI> uris = new ArrayList<>();
        for (String text : texts) {
            try {
                URI uri = new URI(text);
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new UsageException("invalid webhook URL '" + WebhookReturner.redact(uri)
                            + "': expected an http or https URL with a host");
                }
                uris.add(uri);
            } catch (URISyntaxException ex) {
                throw new UsageException("invalid webhook URL: " + ex.getReason() + " at index " + ex.getIndex());
            }
        }
        return uris;
    }

    /** The original command-line words for the job cache, with the values of secret-bearing options replaced. */
    List<String> commandLine() {
        if (spec == null || spec.commandLine().getParseResult() == null) {
            return List.of();
        }
        return redact(spec.commandLine().getParseResult().originalArgs());
    }

    /**
     * Replaces with {@code ***} the value of every option whose name mentions a password,
     * passphrase, secret, token or webhook URL (whose query often carries a token), in both
     * {@code --name value} and {@code --name=value} forms.
     */
    static List<String> redact(List<String> words) {
        List<String> redacted = new ArrayList<>();
        boolean hideNext = false;
        for (String word : words) {
            if (hideNext) {
                redacted.add("***");
                hideNext = false;
                continue;
            }
            boolean option = word.startsWith("-");
            int equals = word.indexOf('=');
            String name = option && equals > 0 ? word.substring(0, equals) : word;
            boolean secret = option && SECRET_OPTION.matcher(name).find();
            if (secret && equals > 0) {
                redacted.add(name + "=***");
            } else {
                redacted.add(word);
                hideNext = secret;
            }
        }
        return redacted;
    }

    private static final java.util.regex.Pattern SECRET_OPTION =
            java.util.regex.Pattern.compile("(?i)passw|passphrase|secret|token|webhook-url");
}
