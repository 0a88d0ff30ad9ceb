package org.qfleet.roster;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates the value of one roster key and converts it to the type that {@link RosterEntry} stores. An invalid value
 * adds one problem, which starts with the given location, and makes {@link #typed()} return null.
 */
final class FieldCheck {

    static final String AGENT_FORWARDING = "agent-forwarding";

    /** An OpenSSH {@code -o} option: a keyword, then {@code =} or spaces, then a value. */
    private static final Pattern SSH_OPTION = Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\s*=\\s*|\\s+)\\S.*");
    private static final int MAX_TIMEOUT_SECONDS = 86_400;

    private final RosterKey key;
    private final Object value;
    private final String where;
    private final Path baseFolder;
    private final List<String> problems;
    private boolean failed;

    /**
     * @param where      the start of each problem message: file, line and host, ending in {@code ": "}
     * @param baseFolder the folder that a relative {@code priv} path is resolved against
     */
    FieldCheck(RosterKey key, Object value, String where, Path baseFolder, List<String> problems) {
        this.key = key;
        this.value = value;
        this.where = where;
        this.baseFolder = baseFolder;
        this.problems = problems;
    }

    /**
     * Returns the value as {@link RosterEntry} stores it: String, Integer, Boolean, Duration, a map or a list of
     * strings; null when the value is invalid. Ignored keys return the value unchanged.
     */
    Object typed() {
        Object result = switch (key) {
            case HOST, USER, SUDO_USER -> word();
            case PORT -> port();
            case PASSWD, PRIV_PASSWD, SET_PATH -> string(true);
            case PRIV -> resolvePrivateKey(string(false));
            case SUDO, TTY -> bool();
            case TIMEOUT -> seconds();
            case MINION_OPTS, GRAINS -> mapping();
            case SSH_OPTIONS -> sshOptions();
            case MANAGE -> strings(true);
            case THIN_DIR, DISABLE_WIPE -> value;
        };
        return failed ? null : result;
    }

    boolean failed() {
        return failed;
    }

    private void fail(String detail) {
        failed = true;
        String printed = key.isSecret() ? "(hidden, " + RosterParser.typeName(value) + ")" : RosterParser.describe(value);
        problems.add(where + "field '" + key.key + "': invalid value " + printed + ". " + detail);
    }

    private String string(boolean allowEmpty) {
        if (!(value instanceof String text)) {
            fail("Expected " + key.expected + "; quote the value in YAML if it should be text.");
            return null;
        }
        if (!allowEmpty && text.isBlank()) {
            fail("Expected " + key.expected + ", not an empty string.");
            return null;
        }
        return text;
    }

    /** Returns a non-empty string without whitespace, as host and user names are. */
    private String word() {
        String text = string(false);
        if (text != null && text.chars().anyMatch(Character::isWhitespace)) {
            fail("Expected " + key.expected + " without spaces.");
            return null;
        }
        return text;
    }

    private Integer port() {
        Long number = null;
        if (value instanceof Integer || value instanceof Long) {
            number = ((Number) value).longValue();
        } else if (value instanceof String text && text.matches("[0-9]{1,6}")) {
            number = Long.parseLong(text);
        }
        if (number == null && value instanceof BigInteger) {
            number = Long.MAX_VALUE;
        }
        if (number == null || number < 1 || number > 65535) {
            fail("Expected " + key.expected + ".");
            return null;
        }
        return number.intValue();
    }

    private Boolean bool() {
        if (!(value instanceof Boolean flag)) {
            fail("Expected " + key.expected + ".");
            return null;
        }
        return flag;
    }

    private Duration seconds() {
        Double number = null;
        if (value instanceof Number given && !(value instanceof BigInteger)) {
            number = given.doubleValue();
        } else if (value instanceof String text) {
            try {
                number = Double.parseDouble(text.strip());
            } catch (NumberFormatException e) {
                number = null;
            }
        }
        if (number == null || number.isNaN() || number.isInfinite() || number <= 0 || number > MAX_TIMEOUT_SECONDS) {
            fail("Expected " + key.expected + ", at most 86400 (one day).");
            return null;
        }
        return Duration.ofMillis(Math.max(1, Math.round(number * 1000)));
    }

    private Map<String, Object> mapping() {
        if (!(value instanceof Map<?, ?> map)) {
            fail("Expected " + key.expected + ".");
            return null;
        }
        Map<String, Object> result = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getKey() instanceof String name)) {
                fail("Its key " + RosterParser.describe(entry.getKey()) + " is " + RosterParser.typeName(entry.getKey())
                        + "; keys must be strings, so quote it in YAML.");
                return null;
            }
            result.put(name, entry.getValue());
        }
        return result;
    }

    private List<String> sshOptions() {
        List<String> options = strings(false);
        if (options == null) {
            return null;
        }
        for (String option : options) {
            if (!SSH_OPTION.matcher(option).matches()) {
                fail("Its item '" + option + "' is not in Option=value form, such as 'ServerAliveInterval=10'.");
                return null;
            }
        }
        return options;
    }

    private List<String> strings(boolean nonEmpty) {
        if (!(value instanceof List<?> list)) {
            fail("Expected " + key.expected + ".");
            return null;
        }
        if (nonEmpty && list.isEmpty()) {
            fail("An empty list would let qfleet change no qube. Remove the key to allow every qube, or list"
                    + " globs such as ['work-*', 'sys-usb'].");
            return null;
        }
        List<String> result = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof String text) || text.isBlank()) {
                fail("Its item " + RosterParser.describe(item) + " is " + RosterParser.typeName(item) + "; expected "
                        + key.expected + ".");
                return null;
            }
            result.add(text);
        }
        return result;
    }

    /** Returns the key file as an absolute path: {@code ~/} expands to the user's home, relative paths to the base. */
    private String resolvePrivateKey(String priv) {
        if (priv == null || priv.equals(AGENT_FORWARDING)) {
            return priv;
        }
        Path path;
        if (priv.equals("~") || priv.startsWith("~/")) {
            path = Path.of(System.getProperty("user.home")).resolve(priv.substring(Math.min(2, priv.length())));
        } else {
            path = baseFolder == null ? Path.of(priv) : baseFolder.resolve(priv);
        }
        return path.toAbsolutePath().normalize().toString();
    }
}
