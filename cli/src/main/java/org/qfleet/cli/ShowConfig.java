package org.qfleet.cli;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.qfleet.roster.HttpRoster;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** Prints the effective settings for {@code qfleet --show-config}, as YAML, with every secret replaced by {@code ***}. */
final class ShowConfig {

    /** Setting names whose values are treated as secrets, such as {@code passwd}, {@code api_key} or {@code token}. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            ".*(passw|secret|token|api_?key|private_?key|credential).*", Pattern.CASE_INSENSITIVE);
    static final String HIDDEN = "***";

    private ShowConfig() {
    }

    static void print(QfleetConfig config, PrintStream out) {
        out.print(render(config));
        out.flush();
    }

    static String render(QfleetConfig config) {
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("config_file", config.source().map(Path::toString).orElse("(none found; built-in defaults)"));
        if (config.rosterUrl() != null) {
            HttpRoster.Settings url = config.rosterUrl();
            shown.put("roster_url", printableUrl(url.url()));
            shown.put("roster_token_env", url.tokenVariable());
            shown.put("roster_timeout", url.timeout().toMillis() / 1000.0);
            shown.put("roster_retries", url.retries());
            shown.put("roster_max_bytes", url.maxBytes());
            shown.put("roster_cache_dir", url.cacheDir().toString());
        } else {
            shown.put("roster_file", config.rosterFile().toString());
        }

        shown.put("roster_defaults", config.rosterDefaults().withoutSecrets());
        shown.put("nodegroups", config.nodegroups().definitions());
        shown.put("file_roots", strings(config.fileRoots()));
        shown.put("pillar_roots", strings(config.pillarRoots()));
        shown.put("known_hosts", config.knownHosts().toString());
        shown.put("max_procs", config.maxProcs());
        shown.put("timeout", config.connectTimeout().toSeconds());
        shown.put("run_timeout", config.runTimeout().toSeconds());
        shown.put("failhard", config.failhard());
        // The list contains pillar key names, not their values, so it is shown as it is.
        shown.put("secret_pillar", config.secretPillar().patterns());

        shown.put("state_output", config.output().stateOutput());
        shown.put("state_verbose", config.output().stateVerbose());
        shown.put("color", config.output().color());
        shown.put("returners", masked(config.returners()));

        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(120);
        return new Yaml(options).dump(shown);
    }

    /** Returns whether a setting of this name is a secret. */
    static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /** Returns a copy in which every value under a secret name, at any depth, is {@code ***}. */
    static Object masked(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> {
                String name = String.valueOf(key);
                copy.put(name, isSecretName(name) && item != null ? HIDDEN : masked(item));
            });
            return copy;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(ShowConfig::masked).toList();
        }
        return value;
    }

    /** Returns the URL without user information, and with its query hidden because it may carry a token. */
    static String printableUrl(URI url) {
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        String query = url.getRawQuery() == null ? "" : "?" + HIDDEN;
        return url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost() + port + path + query;
    }

    private static List<String> strings(List<Path> paths) {
        return paths.stream().map(Path::toString).toList();
    }
}
