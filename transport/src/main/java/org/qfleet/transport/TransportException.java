package org.qfleet.transport;

import java.util.Objects;

/** A failure to connect to a host or to run a command on it. The message names the host and what to do next. */
public final class TransportException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What failed. */
    public enum Kind {
        /** The host name did not resolve, or the TCP connect was refused or failed, or the connection dropped. */
        UNREACHABLE,
        /** The TCP connect, key exchange or authentication did not finish within its limit. */
        CONNECT_TIMEOUT,
        /** The known_hosts file has no key for this host. */
        HOST_KEY_UNKNOWN,
        /** The known_hosts file has a different key of the same type for this host, or lists the key as revoked. */
        HOST_KEY_CHANGED,
        /** The server accepted none of the private keys. */
        AUTH_FAILED,
        /** A command, or opening its channel, did not finish within its limit. */
        EXEC_TIMEOUT,
        /** The connection or channel closed before the command finished. */
        CHANNEL_CLOSED,
        /** A private key file is missing, unreadable, encrypted or in an unknown format. */
        KEY_UNREADABLE,
        /** The calling thread was interrupted; its interrupt flag is set again. */
        INTERRUPTED
    }

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

    /** Returns the roster ID of the host. */
    public String targetId() {
        return targetId;
    }
}
