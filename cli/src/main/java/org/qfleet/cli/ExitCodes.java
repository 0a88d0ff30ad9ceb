package org.qfleet.cli;

/** Exit codes of the {@code qfleet} command, the same as salt-ssh's where both have one. */
public final class ExitCodes {

    /** Every targeted host succeeded. */
    public static final int OK = 0;

    /** An unexpected internal error; a bug in qfleet. */
    public static final int INTERNAL_ERROR = 1;

    /** Invalid usage or configuration, found before any host was contacted. */
    public static final int USAGE = 2;

    /** At least one host failed: a state failed, the formulas did not compile, or the host was unreachable. */
    public static final int HOSTS_FAILED = 20;

    /** The run was interrupted (SIGINT from Ctrl-C, or SIGTERM); the hosts that finished were reported and recorded. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }
}
