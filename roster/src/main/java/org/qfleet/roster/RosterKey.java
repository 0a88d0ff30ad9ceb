package org.qfleet.roster;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The keys a roster entry may have: salt-ssh's flat roster keys plus qfleet's own {@code manage}. A key with an
 * {@link #ignoredBecause} reason is accepted and has no effect, with a notice to the user.
 */
enum RosterKey {
    HOST("host", "a host name or address"),
    PORT("port", "an integer from 1 to 65535"),
    USER("user", "a user name"),
    PASSWD("passwd", "a string"),
    PRIV("priv", "a path to a private key file, or agent-forwarding"),
    PRIV_PASSWD("priv_passwd", "a string"),
    SUDO("sudo", "true or false"),
    SUDO_USER("sudo_user", "a user name"),
    TTY("tty", "true or false"),
    TIMEOUT("timeout", "a positive number of seconds"),
    MINION_OPTS("minion_opts", "a mapping"),
    THIN_DIR("thin_dir", "a path", "qfleet copies nothing to the host, so it has no thin directory"),
    DISABLE_WIPE("disable_wipe", "true or false", "qfleet copies nothing to the host, so there is nothing to wipe"),
    SET_PATH("set_path", "a string"),
    SSH_OPTIONS("ssh_options", "a list of Option=value strings"),
    GRAINS("grains", "a mapping of grain names to values"),
    MANAGE("manage", "a non-empty list of qube name globs");

    /** Keys that salt-ssh reads but qfleet does not implement, so a roster that sets them gets a clear error. */
    static final List<String> SALT_ONLY = List.of("cmd_umask", "ssh_pre_flight", "ssh_pre_flight_args",
            "ssh_pre_hook", "identities_only", "remote_port_forwards", "mine_functions", "winrm", "ssh_python_env");

    final String key;
    /** Description of a valid value, for error messages. */
    final String expected;
    /** The reason qfleet ignores the key, or null when qfleet uses it. */
    final String ignoredBecause;

    RosterKey(String key, String expected) {
        this(key, expected, null);
    }

    RosterKey(String key, String expected, String ignoredBecause) {
        this.key = key;
        this.expected = expected;
        this.ignoredBecause = ignoredBecause;
    }

    boolean isSecret() {
        return this == PASSWD || this == PRIV_PASSWD;
    }

    static Optional<RosterKey> find(String key) {
        return Arrays.stream(values()).filter(value -> value.key.equals(key)).findFirst();
    }

    /** Returns the valid key closest to {@code key} by edit distance, when it is at most 2 edits away (3 for long keys). */
    static Optional<String> closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (RosterKey candidate : values()) {
            int distance = editDistance(key.toLowerCase(java.util.Locale.ROOT), candidate.key);
            if (distance < bestDistance) {
                best = candidate.key;
                bestDistance = distance;
            }
        }
        return bestDistance <= (key.length() >= 7 ? 3 : 2) ? Optional.of(best) : Optional.empty();
    }

    static String validKeys() {
        return String.join(", ", Arrays.stream(values()).map(value -> value.key).toList());
    }

    /** Returns the Levenshtein distance: the fewest single-character inserts, deletes and substitutions. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
