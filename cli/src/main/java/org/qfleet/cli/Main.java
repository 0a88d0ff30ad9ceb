package org.qfleet.cli;

import picocli.CommandLine;

/** Entry point of the {@code qfleet} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Library logging (MINA SSHD, Jinjava) goes to stderr, from warnings up unless the user
        // set another level. This must happen before the first logger exists.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        // On the terminal a warning reads "WARN host lab-01 ...", without the thread and the
        // logger's class. --log-file and the debug levels bring them back (OutputOptions).
        setIfUnset("org.slf4j.simpleLogger.showThreadName", "false");
        setIfUnset("org.slf4j.simpleLogger.showLogName", "false");
        // MINA SSHD warns about failures that qfleet reports itself, in its own words, per host;
        // --debug lets its warnings through again.
        if (System.getProperty("org.slf4j.simpleLogger.log.org.apache.sshd") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "error");
        }
        System.exit(run(args));
    }

    private static void setIfUnset(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Runs qfleet with the given arguments and returns its exit code, for tests that run it in-process. */
    public static int run(String... args) {
        // "jobs" as the first word selects the job cache commands; JobsCommand explains why it is
        // dispatched here rather than as a picocli subcommand.
        if (args.length > 0 && args[0].equals("jobs")) {
            return JobsCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length));
        }
        QfleetCommand command = new QfleetCommand();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setExecutionExceptionHandler(new ErrorHandler());
        commandLine.setParameterExceptionHandler((ex, argv) -> {
            CommandLine cmd = ex.getCommandLine();
            cmd.getErr().println("qfleet: " + ex.getMessage());
            String hint = command.rawShellOptionHint(ex, argv);
            if (hint != null) {
                cmd.getErr().println("qfleet: " + hint);
            }
            cmd.getErr().println("Run 'qfleet --help' for usage.");
            return ExitCodes.USAGE;
        });
        return commandLine.execute(args);
    }
}
