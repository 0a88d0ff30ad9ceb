package org.qfleet.cli;

import picocli.CommandLine;

/**
 * Turns exceptions that escape a command into one plain line on stderr. Expected problems
 * (bad configuration, a roster error) exit with {@link ExitCodes#USAGE}; anything else is a
 * bug, whose stack trace {@code --debug} prints.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        if (ex instanceof UsageException) {
            commandLine.getErr().println("qfleet: " + ex.getMessage());
            return ExitCodes.USAGE;
        }
        commandLine.getErr().println("qfleet: internal error: " + ex);
        if (Boolean.getBoolean("qfleet.debug")) {
            ex.printStackTrace(commandLine.getErr());
        } else {
            commandLine.getErr().println("Run again with --debug for the stack trace.");
        }
        return ExitCodes.INTERNAL_ERROR;
    }
}
