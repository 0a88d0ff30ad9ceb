package org.qfleet.transport;

import java.util.Objects;

/** A failure to connect to a host or to run a command on it. The message names the host and what to do next. */
public final class TransportException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What failed. */
    public enum Kind {
        /** The host name did not resolve, or the TCP connect was refused or failed, or the connection dropped. */
        UNREACHABLE,
        /** The TCP connect did not finish within its limit. */
        CONNECT_TIMEOUT,
        /** Key exchange and authentication did not finish within their limit. */
        AUTH_TIMEOUT,
        /** The known_hosts file has no key for this host. */
        HOST_KEY_UNKNOWN,
        /** The known_hosts file has a different key of the same type for this host, or lists the key as revoked. */
        HOST_KEY_CHANGED,
        /** The server accepted none of the keys, agent keys or password. */
        AUTH_FAILED,
        /** A command, or opening its channel, did not finish within its limit. */
        EXEC_TIMEOUT,
        /** A command wrote nothing for longer than the idle output limit. */
        IDLE_TIMEOUT,
        /** The host's whole time limit ({@code --timeout}) ran out. */
        HOST_TIMEOUT,
        /** sudo refused to run the command: it needs a password that qfleet lacks or rejected it, or needs a tty. */
        SUDO_FAILED,
        /** The host has no such command, for example no {@code python3} (exit status 127). */
        COMMAND_NOT_FOUND,
        /** A host setting from the roster, the ssh config file or an ssh option is invalid. */
        CONFIG_INVALID,
        /** The connection or channel closed before the command finished. */
        CHANNEL_CLOSED,
        /** A private key file is missing, unreadable, encrypted or in an unknown format. */
        KEY_UNREADABLE,
        /** The calling thread was interrupted; its interrupt flag is set again. */
        INTERRUPTED
    }

    /** The per-host retcode of an unreachable host or a dropped connection, as salt-ssh uses it. */
    public static final int RETCODE_UNREACHABLE = 255;
    /** The per-host retcode when the host key, authentication or sudo was rejected. */
    public static final int RETCODE_REJECTED = 254;
    /** The per-host retcode when a time limit ran out, as GNU {@code timeout} exits. */
    public static final int RETCODE_TIMED_OUT = 124;
    /** The per-host retcode when the host has no {@code python3}, or another command the run needs. */
    public static final int RETCODE_COMMAND_NOT_FOUND = 10;
    /** The per-host retcode of a run interrupted by the user, as a shell reports SIGINT. */
    public static final int RETCODE_INTERRUPTED = 130;
    /** The per-host retcode of an invalid host setting. */
    public static final int RETCODE_CONFIG_INVALID = 1;

    private final Kind kind;
    private final String targetId;

    public TransportException(Kind kind, String targetId, String message) {
        this(kind, targetId, message, null);
    }

    public TransportException(Kind kind, String targetId, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.targetId = Objects.requireNonNull(targetId, "targetId");
    }

    public Kind kind() {
        return kind;
    }

    /** Returns the per-host retcode for this failure, one of the {@code RETCODE_} constants. */
    public int retcode() {
        return switch (kind) {
            case UNREACHABLE, CHANNEL_CLOSED -> RETCODE_UNREACHABLE;
            case HOST_KEY_UNKNOWN, HOST_KEY_CHANGED, AUTH_FAILED, KEY_UNREADABLE, SUDO_FAILED -> RETCODE_REJECTED;
            case CONNECT_TIMEOUT, AUTH_TIMEOUT, EXEC_TIMEOUT, IDLE_TIMEOUT, HOST_TIMEOUT -> RETCODE_TIMED_OUT;
            case COMMAND_NOT_FOUND -> RETCODE_COMMAND_NOT_FOUND;
            case INTERRUPTED -> RETCODE_INTERRUPTED;
            case CONFIG_INVALID -> RETCODE_CONFIG_INVALID;
        };
    }

    /** Returns the roster ID of the host. */
    public String targetId() {
        return targetId;
    }
}
