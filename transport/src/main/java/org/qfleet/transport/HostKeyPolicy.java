package org.qfleet.transport;

/** The policy for checking a server's host key against the known_hosts file. */
public enum HostKeyPolicy {
    /** Only a key that the file lists is accepted ({@code StrictHostKeyChecking yes}). */
    STRICT,
    /** A host with no key in the file gets its key recorded; a changed or revoked key is still rejected. */
    ACCEPT_NEW,
    /** No check at all: a warning is logged for every host. Anyone on the path can read and change the session. */
    IGNORE
}
