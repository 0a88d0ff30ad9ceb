package org.qfleet.roster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One host of the roster, with salt-ssh's defaults filled in.
 *
 * @param id      the roster ID: the key of the entry, used for targeting and in every report
 * @param host    the host name or address to connect to; the ID when the entry gives none
 * @param port    the SSH port; 22 when the entry gives none
 * @param user    the login user; {@code root} (salt-ssh's default) when the entry gives none
 * @param priv    the private key file as an absolute path (a relative path is resolved against the roster file's
 *                folder, and {@code ~/} against the user's home), the literal {@code agent-forwarding}, or null
 *                when the entry gives none
 * @param passwd  the login password, or null; {@link #toString()} never shows it
 * @param timeout the SSH connect timeout, or null when the entry gives none so that the caller's default applies
 * @param grains  grains that the entry sets, in file order; empty when none
 * @param manage  globs of the qubes that qfleet may change on this host; empty when the entry sets no limit
 */
public record RosterEntry(String id, String host, int port, String user, String priv, String passwd, Duration timeout,
                          Map<String, Object> grains, List<String> manage) {

    public static final int DEFAULT_PORT = 22;
    public static final String DEFAULT_USER = "root";

    public RosterEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        // Grain values may be null, which Map.copyOf rejects.
        grains = grains == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(grains));
        manage = manage == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(manage));
    }

    /** Returns the entry with the password replaced by {@code ***} when one is set. */
    @Override
    public String toString() {
        return "RosterEntry[id=" + id + ", host=" + host + ", port=" + port + ", user=" + user + ", priv=" + priv
                + ", passwd=" + (passwd == null ? "null" : "***") + ", timeout=" + timeout + ", grains=" + grains
                + ", manage=" + manage + "]";
    }
}
