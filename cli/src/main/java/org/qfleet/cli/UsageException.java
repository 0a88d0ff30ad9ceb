package org.qfleet.cli;

/** Invalid usage or configuration, reported before any host is contacted; qfleet exits with {@link ExitCodes#USAGE}. */
public final class UsageException extends Exception {

    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
