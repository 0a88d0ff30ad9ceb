package org.qfleet.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings shared by every connection of one {@link SshTransport}.
 *
 * @param knownHosts        the OpenSSH known_hosts file that host keys are checked against, unless a target names
 *                          its own; a missing file counts as empty
 * @param acceptNewHostKeys whether a host key that the file does not list yet is appended to it; a changed key is
 *                          rejected either way
 * @param authTimeout       the limit for key exchange and authentication, counted after the TCP connect
 * @param keepAlive         the interval between keep-alive requests for targets that set no
 *                          {@code ServerAliveInterval}, or zero to send none. MINA 2.16 sends them at this fixed
 *                          rate even while the connection carries other traffic
 * @param ignoreHostKeys    whether host keys are not checked at all; every host then gets a warning in the log
 * @param agentSocket       the ssh-agent's socket ({@code SSH_AUTH_SOCK}), or null to use no agent
 * @param keyPassphrase     the passphrase for encrypted keys from {@code QFLEET_KEY_PASSPHRASE}, or null; a target's
 *                          own passphrase ranks above it
 * @param prompt            asks the user for a key passphrase when no other source has one, or null to never ask
 * @param idleTimeout       the longest a command may write nothing on stdout or stderr; zero turns the limit off
 * @param hostTimeout       the limit for everything one host does, from the start of its connect to the end of its
 *                          last command; zero turns the limit off
 * @param connectAttempts   how many times a refused or reset TCP connect is tried, at least 1
 * @param retryBackoff      the base wait before the second attempt; each later wait doubles, and each is scaled by
 *                          a random factor from 0.5 to 1.5
 * @param local             whether commands run as local processes on this machine ({@code --local}) instead of over
 *                          SSH; host names, keys and host keys are then not used
 */
public record SshSettings(Path knownHosts, boolean acceptNewHostKeys, Duration authTimeout, Duration keepAlive,
                          boolean ignoreHostKeys, Path agentSocket, String keyPassphrase, PassphrasePrompt prompt,
                          Duration idleTimeout, Duration hostTimeout, int connectAttempts, Duration retryBackoff,
                          boolean local) {

    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
    public static final int DEFAULT_CONNECT_ATTEMPTS = 3;
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(500);
    /** The environment variable that may carry the passphrase of encrypted private keys. */
    public static final String PASSPHRASE_VARIABLE = "QFLEET_KEY_PASSPHRASE";

    /** Asks the user for a key passphrase; returns null when the user gives none. */
    @FunctionalInterface
    public interface PassphrasePrompt {
        char[] ask(String message);
    }

    public SshSettings {
        Objects.requireNonNull(knownHosts, "knownHosts");
        Objects.requireNonNull(authTimeout, "authTimeout");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(hostTimeout, "hostTimeout");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        if (authTimeout.isNegative() || authTimeout.isZero()) {
            throw new IllegalArgumentException("auth timeout must be positive, got " + authTimeout);
        }
        if (keepAlive.isNegative()) {
            throw new IllegalArgumentException("keep-alive interval must not be negative, got " + keepAlive);
        }
        if (idleTimeout.isNegative() || hostTimeout.isNegative() || retryBackoff.isNegative()) {
            throw new IllegalArgumentException("idle timeout, host timeout and retry backoff must not be negative");
        }
        if (connectAttempts < 1) {
            throw new IllegalArgumentException("connect attempts must be at least 1, got " + connectAttempts);
        }
    }

    /** Creates settings with no agent, no passphrase source, no idle or host limit and the default retries. */
    public SshSettings(Path knownHosts, boolean acceptNewHostKeys, Duration authTimeout, Duration keepAlive) {
        this(knownHosts, acceptNewHostKeys, authTimeout, keepAlive, false, null, null, null, Duration.ZERO,
                Duration.ZERO, DEFAULT_CONNECT_ATTEMPTS, DEFAULT_RETRY_BACKOFF, false);
    }

    /** Returns strict host key checking against {@code knownHosts}, a 15 s auth timeout and a 30 s keep-alive. */
    public static SshSettings defaults(Path knownHosts) {
        return new SshSettings(knownHosts, false, DEFAULT_AUTH_TIMEOUT, DEFAULT_KEEP_ALIVE);
    }

    /** Returns a copy that takes the agent socket and the key passphrase from {@code SSH_AUTH_SOCK} and
     * {@code QFLEET_KEY_PASSPHRASE} in {@code environment}. */
    public SshSettings withEnvironment(Map<String, String> environment) {
        String socket = environment.get("SSH_AUTH_SOCK");
        String passphrase = environment.get(PASSPHRASE_VARIABLE);
        return new SshSettings(knownHosts, acceptNewHostKeys, authTimeout, keepAlive, ignoreHostKeys,
                socket == null || socket.isEmpty() ? null : Path.of(socket),
                passphrase == null || passphrase.isEmpty() ? null : passphrase, prompt, idleTimeout, hostTimeout,
                connectAttempts, retryBackoff, local);
    }

    /** Returns a copy with another passphrase prompt, or none when it is null. */
    public SshSettings withPrompt(PassphrasePrompt newPrompt) {
        return new SshSettings(knownHosts, acceptNewHostKeys, authTimeout, keepAlive, ignoreHostKeys, agentSocket,
                keyPassphrase, newPrompt, idleTimeout, hostTimeout, connectAttempts, retryBackoff, local);
    }

    /** Returns a copy with other time limits; zero turns the idle or host limit off. */
    public SshSettings withLimits(Duration newIdleTimeout, Duration newHostTimeout) {
        return new SshSettings(knownHosts, acceptNewHostKeys, authTimeout, keepAlive, ignoreHostKeys, agentSocket,
                keyPassphrase, prompt, newIdleTimeout, newHostTimeout, connectAttempts, retryBackoff, local);
    }

    /** Returns a copy with other connect retries. */
    public SshSettings withRetries(int newConnectAttempts, Duration newRetryBackoff) {
        return new SshSettings(knownHosts, acceptNewHostKeys, authTimeout, keepAlive, ignoreHostKeys, agentSocket,
                keyPassphrase, prompt, idleTimeout, hostTimeout, newConnectAttempts, newRetryBackoff, local);
    }

    /** Returns a copy that checks no host key at all, or checks them again. */
    public SshSettings withIgnoreHostKeys(boolean ignore) {
        return new SshSettings(knownHosts, acceptNewHostKeys, authTimeout, keepAlive, ignore, agentSocket,
                keyPassphrase, prompt, idleTimeout, hostTimeout, connectAttempts, retryBackoff, local);
    }

    /** Returns a copy that uses the agent at {@code socket}, or no agent when it is null. */
    public SshSettings withAgentSocket(Path socket) {
        return new SshSettings(knownHosts, acceptNewHostKeys, authTimeout, keepAlive, ignoreHostKeys, socket,
                keyPassphrase, prompt, idleTimeout, hostTimeout, connectAttempts, retryBackoff, local);
    }

    /** Returns a copy that runs commands locally, or over SSH again. */
    public SshSettings withLocal(boolean newLocal) {
        return new SshSettings(knownHosts, acceptNewHostKeys, authTimeout, keepAlive, ignoreHostKeys, agentSocket,
                keyPassphrase, prompt, idleTimeout, hostTimeout, connectAttempts, retryBackoff, newLocal);
    }

    /** Returns the settings without the passphrase, which must never reach a log. */
    @Override
    public String toString() {
        return "SshSettings[knownHosts=" + knownHosts + ", acceptNewHostKeys=" + acceptNewHostKeys + ", authTimeout="
                + authTimeout + ", keepAlive=" + keepAlive + ", ignoreHostKeys=" + ignoreHostKeys + ", agentSocket="
                + agentSocket + ", keyPassphrase=" + (keyPassphrase == null ? "none" : "***") + ", idleTimeout="
                + idleTimeout + ", hostTimeout=" + hostTimeout + ", connectAttempts=" + connectAttempts
                + ", retryBackoff=" + retryBackoff + ", local=" + local + "]";
    }
}
