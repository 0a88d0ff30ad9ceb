package org.qfleet.transport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a session's commands under sudo, as the roster's {@code sudo} and {@code sudo_user} ask.
 *
 * <p>Before the first command, {@code sudo -n true} finds out whether sudo needs a password. If it does not, commands
 * run with {@code sudo -n}. If it does, and the target has a password, commands run with {@code sudo -S -k -p ''}
 * and the password is the first line of their standard input: it never appears in a command line, so neither the
 * host's process list nor a log shows it. {@code -k} makes sudo ask for it every time, so the line is always read
 * and never reaches the command. Without a password, or when sudo wants a tty, the command fails with
 * {@code SUDO_FAILED} and a message that names what to change.
 */
final class SudoWrapper {

    private static final Logger LOG = LoggerFactory.getLogger(SudoWrapper.class);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private final SshSession session;
    private final SshTarget target;
    /** Whether sudo asks for a password; null until the probe ran. Guarded by {@code this}. */
    private Boolean needsPassword;

    SudoWrapper(SshSession session, SshTarget target) {
        this.session = session;
        this.target = target;
    }

    /** A command rewritten to run under sudo, with the standard input it needs. */
    record Wrapped(String command, byte[] stdin, boolean withPassword) {
    }

    Wrapped wrap(String command, byte[] stdin, Duration timeout) throws TransportException {
        String userOption = target.sudo().user() == null ? "" : " -u " + quote(target.sudo().user());
        String inner = " -- sh -c " + quote(command);
        if (!needsPassword(userOption, timeout)) {
            return new Wrapped("sudo -n" + userOption + inner, stdin, false);
        }
        byte[] password = (target.password() + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = stdin == null ? new byte[0] : stdin;
        byte[] combined = new byte[password.length + body.length];
        System.arraycopy(password, 0, combined, 0, password.length);
        System.arraycopy(body, 0, combined, password.length, body.length);
        return new Wrapped("sudo -S -k -p ''" + userOption + inner, combined, true);
    }

    private synchronized boolean needsPassword(String userOption, Duration timeout) throws TransportException {
        if (needsPassword != null) {
            return needsPassword;
        }
        Duration limit = timeout.compareTo(PROBE_TIMEOUT) < 0 ? timeout : PROBE_TIMEOUT;
        ExecResult probe = session.execRaw("sudo -n" + userOption + " true", null, line -> { }, limit);
        String stderr = probe.stderr();
        if (probe.exitStatus() != null && probe.exitStatus() == 0) {
            needsPassword = false;
        } else if (wantsTty(stderr)) {
            throw failed("sudo on the host requires a tty (requiretty in sudoers), and qfleet runs commands without"
                    + " one. Remove requiretty for user " + target.user() + " in the host's sudoers.");
        } else if (stderr.contains("password is required")) {
            if (target.password() == null) {
                throw failed("sudo on the host asks for a password, and the roster entry gives none. Set passwd in"
                        + " the roster entry, or allow user " + target.user() + " to run sudo without a password"
                        + " (NOPASSWD in the host's sudoers).");
            }
            needsPassword = true;
        } else if (probe.exitStatus() != null && probe.exitStatus() == 127) {
            throw failed("sudo is not installed on the host (exit status 127). Install it, or remove sudo from"
                    + " the roster entry and log in as the user that the states need.");
        } else if (target.sudo().user() != null) {
            String sudoUser = target.sudo().user();
            throw failed("sudo -n" + userOption + " true failed with exit status " + probe.exitStatus() + ": "
                    + stderr.strip() + ". Check that user " + sudoUser + " (sudo_user in the roster entry) exists on"
                    + " the host and that user " + target.user() + " may run commands as " + sudoUser
                    + " with sudo there.");
        } else {
            throw failed("sudo -n" + userOption + " true failed with exit status " + probe.exitStatus() + ": "
                    + stderr.strip() + ". Check that user " + target.user() + " may use sudo on the host.");
        }
        LOG.debug("sudo({}) needs a password: {}", target.id(), needsPassword);
        return needsPassword;
    }

    /** Raises {@code SUDO_FAILED} when sudo, not the command, made a run with a password fail. */
    void checkResult(Wrapped wrapped, ExecResult result) throws TransportException {
        if (result.exitStatus() == null || result.exitStatus() == 0) {
            return;
        }
        String stderr = result.stderr();
        if (wrapped.withPassword() && (stderr.contains("incorrect password") || stderr.contains("Sorry, try again"))) {
            throw failed("sudo rejected the password from passwd in the roster entry. Fix passwd for this host.");
        }
        if (wantsTty(stderr)) {
            throw failed("sudo on the host requires a tty (requiretty in sudoers), and qfleet runs commands without"
                    + " one. Remove requiretty for user " + target.user() + " in the host's sudoers.");
        }
    }

    private static boolean wantsTty(String stderr) {
        return stderr.contains("must have a tty");
    }

    private TransportException failed(String detail) {
        return new TransportException(TransportException.Kind.SUDO_FAILED, target.id(),
                "host " + target.id() + " (" + target.address() + "): " + detail);
    }

    /** Quotes a word for a POSIX shell. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
