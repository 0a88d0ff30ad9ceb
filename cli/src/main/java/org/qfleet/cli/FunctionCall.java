package org.qfleet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The function a run calls on every targeted host, with its arguments, parsed the way
 * salt-ssh parses {@code state.apply qvm.sys-whonix test=True}: {@code key=value} words are
 * keyword arguments, the other words positional.
 *
 * @param name        the function, such as {@code state.apply}
 * @param positional  the positional arguments in order
 * @param keywords    the keyword arguments in order
 */
public record FunctionCall(String name, List<String> positional, Map<String, String> keywords) {

    /** Functions that this version of qfleet runs. */
    static final Set<String> SUPPORTED = Set.of(
            "state.apply", "state.sls", "state.highstate", "state.show_lowstate", "state.show_top",
            "state.show_sls");

    static FunctionCall parse(String name, List<String> words) throws UsageException {
        if (!SUPPORTED.contains(name)) {
            throw new UsageException("unknown function '" + name + "'; qfleet runs: "
                    + String.join(", ", SUPPORTED.stream().sorted().toList()));
        }
        List<String> positional = new ArrayList<>();
        Map<String, String> keywords = new LinkedHashMap<>();
        for (String word : words) {
            int equals = word.indexOf('=');
            if (equals > 0 && word.substring(0, equals).matches("[A-Za-z_][A-Za-z0-9_]*")) {
                keywords.put(word.substring(0, equals), word.substring(equals + 1));
            } else {
                positional.add(word);
            }
        }
        for (String key : keywords.keySet()) {
            if (!key.equals("test")) {
                throw new UsageException("unknown argument '" + key + "=' for " + name + "; it takes: test=True");
            }
        }
        if (keywords.containsKey("test")) {
            parseBoolean(keywords.get("test"));
        }
        if (name.equals("state.sls") && positional.isEmpty()) {
            throw new UsageException("state.sls needs the SLS to apply, such as: state.sls qvm.sys-whonix");
        }
        if (name.equals("state.show_sls") && positional.isEmpty()) {
            throw new UsageException("state.show_sls needs the SLS to show, such as: state.show_sls qvm.sys-net");
        }
        if ((name.equals("state.highstate") || name.equals("state.show_top")) && !positional.isEmpty()) {
            throw new UsageException(name + " takes no SLS names; use state.sls " + positional.get(0));
        }
        return new FunctionCall(name, List.copyOf(positional), keywords);
    }

    /** Returns whether the run is in test mode: probes only, nothing written. */
    boolean testMode() throws UsageException {
        String value = keywords.get("test");
        return value != null && parseBoolean(value);
    }

    /** Returns the SLS names on the command line. An empty list means the top file's assignment. */
    List<String> slsNames() {
        List<String> names = new ArrayList<>();
        for (String word : positional) {
            for (String part : word.split(",")) {
                if (!part.isBlank()) {
                    names.add(part.trim());
                }
            }
        }
        return names;
    }

    private static boolean parseBoolean(String value) throws UsageException {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on":
                return true;
            case "false", "0", "no", "off":
                return false;
            default:
                throw new UsageException("test= takes True or False, got: " + value);
        }
    }
}
