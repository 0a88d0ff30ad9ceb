package org.qfleet.cli;

import java.io.Console;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qfleet.roster.RosterEntry;
import org.qfleet.transport.HostSpec;
import org.qfleet.transport.SshConfig;
import org.qfleet.transport.SshSettings;
import org.qfleet.transport.SshTarget;
import org.qfleet.transport.TransportException;
import picocli.CommandLine.Option;

/**
 * The SSH options of the command line, and the mapping from roster entries to SSH targets through the ssh config
 * file.
 */
final class SshOptions {

    /** The roster's {@code priv} value that means "use the SSH agent", as salt-ssh spells it. */
    private static final String AGENT_FORWARDING = "agent-forwarding";

    @Option(names = "--ssh-config", paramLabel = "FILE",
            description = "OpenSSH client config file whose Host blocks apply to roster hosts "
                    + "(default: ~/.ssh/config). Roster fields take precedence.")
    Path sshConfig;

    @Option(names = "--ssh-option", paramLabel = "KEY=VALUE",
            description = "OpenSSH option for every host, as ssh -o takes it; repeat for several. Supported: "
                    + "HostName, Port, User, IdentityFile, IdentitiesOnly, ProxyJump, ConnectTimeout, "
                    + "StrictHostKeyChecking, UserKnownHostsFile, ServerAliveInterval (seconds between keep-alive "
                    + "requests, default 30, 0 for none) and ServerAliveCountMax (unanswered keep-alive requests "
                    + "before the connection is closed, default 3).")
    List<String> sshOptions = new ArrayList<>();

    @Option(names = "--ignore-host-keys",
            description = "Check no host key at all, and log a warning for every host. Anyone on the network path "
                    + "can then read and change the session.")
    boolean ignoreHostKeys;

    @Option(names = "--timeout", paramLabel = "SECONDS",
            description = "Limit for all the work on one host, from connect to the last result (default: none).")
    Integer hostTimeoutSeconds;

    @Option(names = "--step-timeout", paramLabel = "SECONDS",
            description = "Limit for each command that the shim runs on a host: a probe or change that runs longer "
                    + "is killed and fails its state, and the next state runs (default: 600).")
    Integer stepTimeoutSeconds;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS",
            description = "Fail a host whose command writes no output for this long (default: none).")
    Integer idleTimeoutSeconds;

    @Option(names = "--local",
            description = "Run the shim as a local process on this machine instead of over SSH, "
                    + "for every targeted host.")
    boolean local;

    /** Resolved targets by roster ID, filled by {@link #settings}. */
    private final Map<String, SshTarget> targets = new HashMap<>();

    /**
     * Builds the transport settings and resolves every targeted roster entry through the ssh config file.
     *
     * @throws UsageException when an option, the ssh config file or a host's settings are invalid
     */
    SshSettings settings(QfleetConfig config, boolean acceptNewHostKeys, List<RosterEntry> entries)
            throws UsageException {
        if (hostTimeoutSeconds != null && hostTimeoutSeconds < 1) {
            throw new UsageException("--timeout must be at least 1 second, got: " + hostTimeoutSeconds);
        }
        if (stepTimeoutSeconds != null && stepTimeoutSeconds < 1) {
            throw new UsageException("--step-timeout must be at least 1 second, got: " + stepTimeoutSeconds);
        }
        if (idleTimeoutSeconds != null && idleTimeoutSeconds < 1) {
            throw new UsageException("--idle-timeout must be at least 1 second, got: " + idleTimeoutSeconds);
        }
        Map<String, String> options = new LinkedHashMap<>();
        SshConfig resolver;
        try {
            for (String option : sshOptions) {
                Map.Entry<String, String> parsed = SshConfig.parseOption(option);
                options.putIfAbsent(parsed.getKey(), parsed.getValue());
            }
            Path home = Path.of(System.getProperty("user.home"));
            Path file = sshConfig != null ? sshConfig : home.resolve(".ssh").resolve("config");
            resolver = new SshConfig(file, home.resolve(".ssh"), options, config.connectTimeout());
        } catch (IllegalArgumentException ex) {
            throw new UsageException(ex.getMessage(), ex);
        }
        for (RosterEntry entry : entries) {
            try {
                targets.put(entry.id(), resolver.resolve(spec(entry)));
            } catch (TransportException | IllegalArgumentException ex) {
                throw new UsageException(ex.getMessage(), ex);
            }
        }

        SshSettings settings = new SshSettings(config.knownHosts(), acceptNewHostKeys, config.connectTimeout(),
                SshSettings.DEFAULT_KEEP_ALIVE)
                .withEnvironment(System.getenv())
                .withIgnoreHostKeys(ignoreHostKeys)
                .withLocal(local)
                .withLimits(seconds(idleTimeoutSeconds), seconds(hostTimeoutSeconds));
        Console console = System.console();
        if (console != null) {
            settings = settings.withPrompt(message -> console.readPassword("%s", message));
        }
        return settings;
    }

    /** Returns the resolved target of a roster entry that {@link #settings} saw. */
    SshTarget target(RosterEntry entry) {
        SshTarget target = targets.get(entry.id());
        if (target == null) {
            throw new IllegalStateException("host " + entry.id() + " was not resolved before the run");
        }
        return target;
    }

    /**
     * Maps a roster entry to what the transport resolves. The roster fills in port 22 and user root when an entry
     * gives none, so those two values let the ssh config decide.
     */
    static HostSpec spec(RosterEntry entry) {
        // NOTE: an entry that sets port 22 or user root on purpose still yields to a Port or User in the ssh config,
        // because RosterEntry does not say which values the file set.
        Integer port = entry.port() == RosterEntry.DEFAULT_PORT ? null : entry.port();
        String user = RosterEntry.DEFAULT_USER.equals(entry.user()) ? null : entry.user();
        List<Path> identities = new ArrayList<>();
        if (entry.priv() != null && !entry.priv().isEmpty() && !AGENT_FORWARDING.equals(entry.priv())) {
            identities.add(Path.of(entry.priv()));
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String option : entry.sshOptions()) {
            try {
                Map.Entry<String, String> parsed = SshConfig.parseOption(option);
                options.putIfAbsent(parsed.getKey(), parsed.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("host " + entry.id() + ": ssh_options: " + ex.getMessage(), ex);
            }
        }
        SshTarget.Sudo sudo = entry.sudo() || entry.sudoUser() != null ? new SshTarget.Sudo(entry.sudoUser()) : null;
        return new HostSpec(entry.id(), entry.host(), port, user, identities, entry.timeout(), null, options,
                entry.passwd(), entry.privPasswd(), sudo);
    }

    private static Duration seconds(Integer value) {
        return value == null ? Duration.ZERO : Duration.ofSeconds(value);
    }
}
