package org.qfleet.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qfleet.roster.RosterEntry;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Prints the hosts that {@code qfleet -H} selects, as YAML under the roster's source, the way
 * salt-ssh's {@code -H} nests hosts under the roster file. Each host shows its connection
 * settings, and a password or key passphrase shows as {@code ***}.
 */
final class HostListing {

    private HostListing() {
    }

    static void print(String rosterSource, List<RosterEntry> hosts, PrintStream out) {
        Map<String, Object> byId = new LinkedHashMap<>();
        for (RosterEntry host : hosts) {
            byId.put(host.id(), connection(host));
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(120);
        out.print(new Yaml(options).dump(Map.of(rosterSource, byId)));
        out.flush();
    }

    /** Returns the connection settings of one host, with unset optional keys left out. */
    /** Returns whole seconds as an integer, as the roster usually gives them, and other times with a fraction. */
    private static Number seconds(Duration time) {
        long millis = time.toMillis();
        if (millis % 1000 == 0) {
            return millis / 1000;
        }
        return millis / 1000.0;
    }

    static Map<String, Object> connection(RosterEntry host) {
        Map<String, Object> shown = new LinkedHashMap<>();
        shown.put("host", host.host());
        shown.put("port", host.port());
        shown.put("user", host.user());
        putIfSet(shown, "priv", host.priv());
        putIfSet(shown, "passwd", host.passwd() == null ? null : ShowConfig.HIDDEN);
        putIfSet(shown, "priv_passwd", host.privPasswd() == null ? null : ShowConfig.HIDDEN);
        if (host.sudo()) {
            shown.put("sudo", true);
        }
        putIfSet(shown, "sudo_user", host.sudoUser());
        if (host.tty()) {
            shown.put("tty", true);
        }
        putIfSet(shown, "timeout", host.timeout() == null ? null : seconds(host.timeout()));
        putIfSet(shown, "set_path", host.setPath());
        if (!host.sshOptions().isEmpty()) {
            shown.put("ssh_options", host.sshOptions());
        }
        if (!host.minionOpts().isEmpty()) {
            shown.put("minion_opts", ShowConfig.masked(host.minionOpts()));
        }
        if (!host.grains().isEmpty()) {
            shown.put("grains", host.grains());
        }
        if (!host.manage().isEmpty()) {
            shown.put("manage", host.manage());
        }
        return shown;
    }

    private static void putIfSet(Map<String, Object> shown, String key, Object value) {
        if (value != null) {
            shown.put(key, value);
        }
    }
}
