package org.qfleet.roster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One host of the roster: the entry's own keys over {@code roster_defaults}, with salt-ssh's defaults for keys that
 * neither sets. Maps and lists are deep, unmodifiable copies, so no two entries share a nested value.
 *
 * @param id          the roster ID: the key of the entry, used for targeting and in every report
 * @param host        the host name or address to connect to; the ID when neither the entry nor the defaults give one
 * @param port        the SSH port; 22 when not set
 * @param user        the login user; {@code root} (salt-ssh's default) when not set
 * @param passwd      the login password, or null; {@link #toString()} never shows it
 * @param priv        the private key file as an absolute path (a relative path is resolved against the folder of the
 *                    file that set it, and {@code ~/} against the user's home), the literal {@code agent-forwarding},
 *                    or null when not set
 * @param privPasswd  the passphrase of the private key, or null; {@link #toString()} never shows it
 * @param sudo        whether the commands on the host run under {@code sudo}; false when not set
 * @param sudoUser    the user that {@code sudo -u} runs as, or null for sudo's default (root)
 * @param tty         whether to request a pseudo-terminal, as {@code requiretty} sudoers need; false when not set
 * @param timeout     the SSH connect timeout, or null when not set so that the caller's default applies
 * @param minionOpts  salt-ssh's per-host minion options, in file order; empty when not set
 * @param setPath     the {@code PATH} to export on the host before anything runs, or null
 * @param sshOptions  OpenSSH client options in {@code Option=value} form, in file order; empty when not set
 * @param grains      grains that the entry sets, in file order; empty when none
 * @param manage      globs of the qubes that qfleet may change on this host; empty when the entry sets no limit
 */
public record RosterEntry(String id, String host, int port, String user, String passwd, String priv,
                          String privPasswd, boolean sudo, String sudoUser, boolean tty, Duration timeout,
                          Map<String, Object> minionOpts, String setPath, List<String> sshOptions,
                          Map<String, Object> grains, List<String> manage) {

    public static final int DEFAULT_PORT = 22;
    public static final String DEFAULT_USER = "root";

    public RosterEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        minionOpts = frozenMap(minionOpts);
        sshOptions = frozenStrings(sshOptions);
        grains = frozenMap(grains);
        manage = frozenStrings(manage);
    }

    /** Returns the entry with the password and the key passphrase replaced by {@code ***} when set. */
    @Override
    public String toString() {
        return "RosterEntry[id=" + id + ", host=" + host + ", port=" + port + ", user=" + user
                + ", passwd=" + hidden(passwd) + ", priv=" + priv + ", privPasswd=" + hidden(privPasswd)
                + ", sudo=" + sudo + ", sudoUser=" + sudoUser + ", tty=" + tty + ", timeout=" + timeout
                + ", minionOpts=" + minionOpts + ", setPath=" + setPath + ", sshOptions=" + sshOptions
                + ", grains=" + grains + ", manage=" + manage + "]";
    }

    /** Returns a copy without the login password or the key passphrase, as {@code passwd} and {@code priv_passwd}. */
    RosterEntry withoutSecrets(boolean withoutPasswd, boolean withoutPrivPasswd) {
        return new RosterEntry(id, host, port, user, withoutPasswd ? null : passwd, priv,
                withoutPrivPasswd ? null : privPasswd, sudo, sudoUser, tty, timeout, minionOpts, setPath, sshOptions,
                grains, manage);
    }

    private static String hidden(String secret) {
        return secret == null ? "null" : "***";
    }

    private static List<String> frozenStrings(List<String> strings) {
        return strings == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(strings));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> frozenMap(Map<String, Object> map) {
        return map == null ? Map.of() : (Map<String, Object>) frozen(map);
    }

    /** Returns an unmodifiable deep copy of a YAML value. Values may be null, which Map.copyOf rejects. */
    static Object frozen(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put(key, frozen(item)));
            return Collections.unmodifiableMap(copy);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(frozen(item)));
            return Collections.unmodifiableList(copy);
        }
        return value;
    }
}
