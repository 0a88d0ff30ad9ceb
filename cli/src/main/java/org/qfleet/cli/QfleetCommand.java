package org.qfleet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.qfleet.shim.Shim;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qfleet [options] TARGET FUNCTION [ARGS...]}: the salt-ssh style command line. */
@Command(
        name = "qfleet",
        mixinStandardHelpOptions = true,
        versionProvider = QfleetCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Applies Salt formulas to a fleet of Qubes OS hosts over SSH, as salt-ssh does.",
            "",
            "Examples:",
            // The blank line makes the indented lines a literal block in the generated man page,
            // where AsciiDoc would otherwise read the pairs of '*' as bold.
            "",
            "  qfleet -c sim/qfleet.yaml '*' state.apply",
            "  qfleet 'lab-*' state.sls qvm.sys-whonix test=True",
            "  qfleet lab-01 state.show_lowstate qvm.anon-whonix",
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every targeted host succeeded",
            "2:invalid usage or configuration, found before any host was contacted",
            "20:at least one host failed: a state failed, the formulas did not compile, "
                    + "or the host could not be reached",
            "130:interrupted (Ctrl-C or SIGTERM); the hosts that finished were reported and recorded",
        })
final class QfleetCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file (default: $QFLEET_CONFIG, ./qfleet.yaml, ~/.config/qfleet/qfleet.yaml).")
    private Path configFile;

    @Option(names = "--roster-file", paramLabel = "FILE",
            description = "Salt-ssh flat roster; overrides roster_file and roster_url.")
    private Path rosterFile;

    @Option(names = "--file-root", paramLabel = "DIR",
            description = "Folder holding the formulas and top.sls; repeat for several. Overrides file_roots.")
    private List<Path> fileRoots = new ArrayList<>();

    @Option(names = "--pillar-root", paramLabel = "DIR",
            description = "Folder holding the pillar and its top.sls; repeat for several. Overrides pillar_roots.")
    private List<Path> pillarRoots = new ArrayList<>();

    @Option(names = "--max-procs", paramLabel = "N",
            description = "Maximum number of hosts worked on at once (default 25). Overrides max_procs.")
    private Integer maxProcs;

    @Option(names = "--accept-new-host-keys",
            description = "Trust the key of a host not yet in known_hosts and record it there. "
                    + "A changed key is still rejected.")
    private boolean acceptNewHostKeys;

    @Option(names = "--no-color", description = "Print no colour codes.")
    private boolean noColor;

    @Option(names = "--force-color", description = "Print colour codes even when output is not a terminal.")
    private boolean forceColor;

    @Option(names = "--debug", description = "Print stack traces of internal errors.")
    private boolean debug;

    @Mixin
    private OutputOptions output = new OutputOptions();

    @Mixin
    private SshOptions ssh = new SshOptions();

    @Mixin
    private TargetOptions targetOptions = new TargetOptions();

    @Mixin
    private DocOptions doc = new DocOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET",
            description = "Glob over the roster's host IDs, such as 'lab-*'; -E, -L, -G, -N and -C read it otherwise.")
    private String target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "FUNCTION",
            description = "state.apply [SLS,...], state.sls SLS, state.highstate, state.show_lowstate [SLS],"
                    + " state.show_sls SLS or state.show_top.")
    private String function;

    @Parameters(index = "2..*", paramLabel = "ARGS",
            description = "SLS names, and test=True to predict changes without making any.")
    private List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (doc.requested()) {
            return doc.print(System.out);
        }
        if (debug) {
            System.setProperty("qfleet.debug", "true");
            System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "warn");
        }
        if (maxProcs != null && maxProcs < 1) {
            throw new UsageException("--max-procs must be at least 1, got: " + maxProcs);
        }
        QfleetConfig settings = targetOptions.apply(QfleetConfig.locate(configFile)
                .withOverrides(rosterFile, fileRoots, pillarRoots, maxProcs), rosterFile);
        if (targetOptions.showConfig) {
            ShowConfig.print(settings, System.out);
            return ExitCodes.OK;
        }
        if (targetOptions.listHosts) {
            if (function != null) {
                throw TargetOptions.extraWordsOfListHosts(target, words());
            }
            return targetOptions.listHosts(settings, target, output.jobsDir, System.out, System.err);
        }
        if (target == null || function == null) {
            throw new UsageException("missing " + (target == null ? "TARGET and FUNCTION" : "FUNCTION")
                    + ". Usage: qfleet [options] TARGET FUNCTION [ARGS...]; run 'qfleet --help' for details.");
        }
        String rawCommand = output.rawShell ? RawShell.commandLine(words()) : null;
        FunctionCall call = rawCommand != null ? null : parseFunction(settings);
        QfleetConfig config = settings;
        if (call != null) {
            requireFolders("file root", config.fileRoots());
            requireFolders("pillar root", config.pillarRoots());
        }
        Colors colors = Colors.choose(noColor, forceColor);
        return new FleetRun(config, call, acceptNewHostKeys, colors).output(output, rawCommand).ssh(ssh)
                .targeting(targetOptions).run(target, System.out);
    }

    /**
     * Returns a hint for an option error in a raw-shell run, or null for other errors. It is
     * called after a failed parse: picocli stores each value as it reads it and stops at most
     * errors, so a TARGET that is already set means that the rejected option came after it, in
     * the shell command. Unknown options are the exception, because picocli reports them only
     * after reading every argument, so their position in {@code argv} is compared instead.
     */
    String rawShellOptionHint(CommandLine.ParameterException error, String[] argv) {
        if (!output.rawShell || target == null) {
            return null;
        }
        if (error instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            List<String> words = List.of(argv);
            if (words.indexOf(unmatched.getUnmatched().get(0)) < words.indexOf(target)) {
                return null;
            }
        }
        return "with -r, the options after TARGET are read as qfleet's own until '--'. Put '--' before the"
                + " command, such as: qfleet -r '" + target + "' -- sh -c 'echo hi'";
    }

    /** Returns FUNCTION and ARGS, the words after TARGET. */
    private List<String> words() {
        List<String> words = new ArrayList<>(List.of(function));
        words.addAll(arguments);
        return words;
    }

    /**
     * Parses FUNCTION and ARGS. With -L, an unknown function that is a roster host ID is reported
     * as a host list split over several arguments, which is what the shell makes of
     * {@code -L lab-01 lab-02}.
     */
    private FunctionCall parseFunction(QfleetConfig settings) throws UsageException {
        try {
            return FunctionCall.parse(function, arguments);
        } catch (UsageException ex) {
            if (!targetOptions.list || FunctionCall.SUPPORTED.contains(function)) {
                throw ex;
            }
            UsageException split = targetOptions.splitHostList(settings, target, words());
            throw split == null ? ex : split;
        }
    }

    /** Rejects a configured formula or pillar folder that does not exist, before any host is contacted. */
    private static void requireFolders(String kind, List<Path> folders) throws UsageException {
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                String problem = Files.exists(folder) ? "is not a folder" : "does not exist";
                throw new UsageException(kind + " " + folder + " " + problem
                        + "; fix --" + kind.replace(' ', '-') + " or the " + kind.replace(' ', '_') + "s setting");
            }
        }
    }

    /** Returns qfleet's version and the shim protocol it speaks, which a host's shim must match. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"qfleet " + number() + " (shim protocol " + Shim.PROTOCOL + ")"};
        }

        /** Returns the version Maven built, such as {@code 0.1.0-SNAPSHOT}. */
        static String number() {
            Properties properties = new Properties();
            try (InputStream in = QfleetCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                // NOTE: the version is only shown, so a jar without the file still runs.
            }
            return properties.getProperty("version", "unknown");
        }
    }
}
