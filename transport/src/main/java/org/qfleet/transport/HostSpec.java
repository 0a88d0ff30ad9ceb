package org.qfleet.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings that a roster entry gives for one host. A null or empty field is not set, so the ssh config file or the
 * defaults decide it; a set field takes precedence over both.
 *
 * @param id             the roster ID
 * @param host           the host name or ssh config alias to connect to
 * @param port           the SSH port, or null
 * @param user           the login user, or null
 * @param identities     private key files; empty when the entry gives none
 * @param connectTimeout the TCP connect limit, or null
 * @param proxyJump      an OpenSSH {@code ProxyJump} value ({@code [user@]host[:port]} hops separated by commas, or
 *                       {@code none}), or null
 * @param options        the entry's own ssh options ({@code KEY} to {@code VALUE}), which rank above
 *                       {@code --ssh-option} values and the config file but below the fields above
 * @param password       the login and sudo password, or null
 * @param keyPassphrase  the passphrase of encrypted key files, or null
 * @param sudo           how to run commands under sudo, or null for no sudo
 */
public record HostSpec(String id, String host, Integer port, String user, List<Path> identities,
                       Duration connectTimeout, String proxyJump, Map<String, String> options, String password,
                       String keyPassphrase, SshTarget.Sudo sudo) {

    public HostSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        identities = identities == null ? List.of() : List.copyOf(identities);
        options = options == null ? Map.of() : new LinkedHashMap<>(options);
    }

    /** Creates a spec that sets only the host name. */
    public static HostSpec of(String id, String host) {
        return new HostSpec(id, host, null, null, List.of(), null, null, Map.of(), null, null, null);
    }

    /** Returns the spec without its password and passphrase, which must never reach a log. */
    @Override
    public String toString() {
        return "HostSpec[id=" + id + ", host=" + host + ", port=" + port + ", user=" + user + ", identities="
                + identities + ", connectTimeout=" + connectTimeout + ", proxyJump=" + proxyJump + ", options="
                + options + ", password=" + (password == null ? "none" : "***") + ", keyPassphrase="
                + (keyPassphrase == null ? "none" : "***") + ", sudo=" + sudo + "]";
    }
}
