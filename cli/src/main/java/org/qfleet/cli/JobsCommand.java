package org.qfleet.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code qfleet jobs list|show|merge}: reads the job cache that every fleet run writes.
 *
 * <p>The fleet command's positional {@code TARGET FUNCTION} form cannot carry picocli
 * subcommands, because any first word may be a target glob. So {@link Main} sends the
 * arguments here when the first one is exactly {@code jobs}, before picocli parses anything.
 * A host whose roster ID is {@code jobs} is still reachable with an option first
 * ({@code qfleet -c FILE jobs state.apply}) or a glob ({@code qfleet 'job[s]' state.apply}).
 */
@Command(
        name = "qfleet jobs",
        mixinStandardHelpOptions = true,
        versionProvider = QfleetCommand.Version.class,
        description = "Lists, shows and merges the runs recorded in the job cache.",
        subcommands = {JobsCommand.ListJobs.class, JobsCommand.ShowJob.class, JobsCommand.MergeJobs.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:shown; for show and merge, every host in the job succeeded",
            "2:invalid usage, the job or jobs folder was not found, or a job to show or merge is damaged",
            "20:show and merge: at least one host in the jobs failed",
        })
final class JobsCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        CommandLine.usage(this, System.err);
        return ExitCodes.USAGE;
    }

    /** Runs {@code qfleet jobs} with the arguments after {@code jobs} and returns the exit code. */
    static int run(String... args) {
        CommandLine commandLine = new CommandLine(new JobsCommand());
        commandLine.setExecutionExceptionHandler(new ErrorHandler());
        commandLine.setParameterExceptionHandler((ex, argv) -> {
            ex.getCommandLine().getErr().println("qfleet jobs: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Run 'qfleet jobs --help' for usage.");
            return ExitCodes.USAGE;
        });
        return commandLine.execute(args);
    }

    /** Options that select the jobs folder. */
    static final class JobsDirOption {
        @Option(names = "--jobs-dir", paramLabel = "DIR",
                description = "Folder of the job cache (default: $QFLEET_JOBS_DIR, else ~/.cache/qfleet/jobs).")
        Path jobsDir;

        JobCache cache() throws UsageException {
            JobCache cache = new JobCache(JobCache.defaultDir(jobsDir));
            if (!cache.dir().toFile().isDirectory()) {
                throw new UsageException("jobs folder " + cache.dir() + " not found; give --jobs-dir or set "
                        + JobCache.DIR_VARIABLE);
            }
            return cache;
        }
    }

    /** Options for printing reports. */
    static final class PrintOptions {
        @Mixin
        ReportFormatOptions format = new ReportFormatOptions();

        @Option(names = "--no-color", description = "Print no colour codes.")
        boolean noColor;

        @Option(names = "--force-color", description = "Print colour codes even when output is not a terminal.")
        boolean forceColor;

        /**
         * Prints the hosts' reports in the chosen format, to {@code --out-file} when given, and
         * returns 0 or 20 by the hosts' return codes. The fleet summary counts changed states
         * only when {@code appliesStates} is set.
         */
        int print(List<HostReport> hosts, int notFinished, Duration elapsed, boolean appliesStates,
                PrintStream stdout) throws UsageException {
            format.validate();
            Colors colors = format.outFile != null ? Colors.NONE : Colors.choose(noColor, forceColor);
            List<HostReport> sorted = hosts.stream().sorted(Comparator.comparing(report -> report.id)).toList();
            String text = switch (format.format) {
                case HIGHSTATE -> {
                    HighstateOutputter highstate = new HighstateOutputter(colors, format.stateOutput, format.stateVerbose);
                    StringBuilder builder = new StringBuilder();
                    for (HostReport report : sorted) {
                        builder.append(highstate.format(report)).append('\n');
                    }
                    yield builder + new FleetSummary(colors, appliesStates).format(sorted, notFinished, elapsed);
                }
                case JSON -> RunDocument.json(sorted, format.outIndent);
                case YAML -> RunDocument.yaml(sorted);
                case JUNIT -> JunitReport.format(sorted);
            };
            if (format.outFile != null) {
                try (PrintStream file = new PrintStream(new FileOutputStream(format.outFile.toFile()), false,
                        StandardCharsets.UTF_8)) {
                    file.println(text);
                    if (file.checkError()) {
                        throw new UsageException("--out-file " + format.outFile + " could not be written");
                    }
                } catch (IOException ex) {
                    throw new UsageException("--out-file " + format.outFile + " could not be opened: "
                            + ex.getMessage(), ex);
                }
            } else {
                stdout.println(text);
                stdout.flush();
            }
            return FleetRun.exitCode(sorted);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the recorded jobs, oldest first: job ID, start, function, hosts finished out of "
                    + "targeted, exit code (running or interrupted when it has none) and target.")
    static final class ListJobs implements Callable<Integer> {

        /** One row: job ID, start, function, hosts, exit code (up to "interrupted") and target. */
        private static final String ROW = "%-22s %-20s %-22s %7s  %-11s  %s%n";

        @Mixin
        JobsDirOption jobsDir = new JobsDirOption();

        @Override
        public Integer call() throws Exception {
            JobCache cache = jobsDir.cache();
            PrintStream out = System.out;
            // TARGET comes last because a compound target can be long.
            out.printf(Locale.ROOT, ROW, "JID", "STARTED", "FUNCTION", "HOSTS", "EXIT", "TARGET");
            for (String jid : cache.jobIds()) {
                JobCache.StoredJob job;
                try {
                    job = cache.load(jid);
                } catch (IOException ex) {
                    // One damaged job, such as a hand-edited file or a truncated CI artifact, must
                    // not hide the others.
                    System.err.println("qfleet jobs list: skipped job " + jid + ": " + ex.getMessage()
                            + ". Delete the folder " + cache.dir().resolve(jid) + " if the job is not needed.");
                    continue;
                }
                Map<String, Object> info = job.info();
                int targets = info.get("targets") instanceof List<?> list ? list.size() : 0;
                String exit = info.get("exit_code") != null ? String.valueOf(info.get("exit_code")) : "running";
                if (Boolean.TRUE.equals(info.get("interrupted"))) {
                    exit = "interrupted";
                }
                String started = String.valueOf(info.get("started"));
                out.printf(Locale.ROOT, ROW, jid, started.length() > 19 ? started.substring(0, 19) : started,
                        info.get("function"), job.hosts().size() + "/" + targets, exit, info.get("target"));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints a recorded job's host results in any output format, hosts in ID order.")
    static final class ShowJob implements Callable<Integer> {

        @Mixin
        JobsDirOption jobsDir = new JobsDirOption();

        @Mixin
        PrintOptions print = new PrintOptions();

        @Parameters(index = "0", paramLabel = "JID", description = "The job ID, as 'qfleet jobs list' shows it.")
        String jid;

        @Override
        public Integer call() throws Exception {
            JobCache.StoredJob job;
            try {
                job = jobsDir.cache().load(jid);
            } catch (IOException ex) {
                throw new UsageException(ex.getMessage(), ex);
            }
            int targets = job.info().get("targets") instanceof List<?> list ? list.size() : job.hosts().size();
            return print.print(job.hosts(), Math.max(0, targets - job.hosts().size()), elapsed(job),
                    appliesStates(job), System.out);
        }
    }

    @Command(name = "merge", mixinStandardHelpOptions = true,
            description = {
                "Merges jobs into one report, such as the shards of one CI run that each ran on a part of "
                        + "the fleet and kept their own jobs folder.",
                "Without JIDs it merges every job in the folders. A host found in several jobs is taken "
                        + "from the latest job, with a warning on standard error.",
            })
    static final class MergeJobs implements Callable<Integer> {

        @Option(names = "--jobs-dir", paramLabel = "DIR",
                description = "A jobs folder to read; repeat for several (default: $QFLEET_JOBS_DIR, "
                        + "else ~/.cache/qfleet/jobs).")
        List<Path> jobsDirs = new ArrayList<>();

        @Mixin
        PrintOptions print = new PrintOptions();

        @Parameters(paramLabel = "JID", arity = "0..*",
                description = "Jobs to merge, looked up in every jobs folder; default: all jobs in them.")
        List<String> jids = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            List<JobCache> caches = new ArrayList<>();
            // A folder named twice, such as by a glob and by its own name, is read once.
            List<Path> dirs = (jobsDirs.isEmpty() ? List.of(JobCache.defaultDir(null)) : jobsDirs).stream()
                    .map(dir -> dir.toAbsolutePath().normalize()).distinct().toList();
            for (Path dir : dirs) {
                if (!dir.toFile().isDirectory()) {
                    throw new UsageException("jobs folder " + dir + " not found");
                }
                caches.add(new JobCache(dir));
            }

            List<JobCache.StoredJob> jobs = new ArrayList<>();
            for (JobCache cache : caches) {
                for (String jid : cache.jobIds()) {
                    if (jids.isEmpty() || jids.contains(jid)) {
                        try {
                            jobs.add(cache.load(jid));
                        } catch (IOException ex) {
                            throw new UsageException(ex.getMessage() + ". Delete the folder "
                                    + cache.dir().resolve(jid) + ", or name the jobs to merge as JIDs.", ex);
                        }
                    }
                }
            }
            for (String jid : jids) {
                if (jobs.stream().noneMatch(job -> job.jid().equals(jid))) {
                    throw new UsageException("job " + jid + " not found in " + dirs
                            + "; 'qfleet jobs list --jobs-dir DIR' shows the jobs of a folder");
                }
            }
            if (jobs.isEmpty()) {
                throw new UsageException("no jobs found in " + dirs);
            }

            jobs.sort(Comparator.comparing(JobCache.StoredJob::jid));
            Map<String, HostReport> hosts = new LinkedHashMap<>();
            Map<String, String> hostJob = new LinkedHashMap<>();
            int notFinished = 0;
            Duration elapsed = Duration.ZERO;
            for (JobCache.StoredJob job : jobs) {
                for (HostReport report : job.hosts()) {
                    String earlier = hostJob.put(report.id, job.jid());
                    if (earlier != null) {
                        System.err.println("qfleet jobs merge: host " + report.id + " is in jobs " + earlier
                                + " and " + job.jid() + "; using job " + job.jid());
                    }
                    hosts.put(report.id, report);
                }
                int targets = job.info().get("targets") instanceof List<?> list ? list.size() : job.hosts().size();
                notFinished += Math.max(0, targets - job.hosts().size());
                Duration jobElapsed = elapsed(job);
                if (jobElapsed.compareTo(elapsed) > 0) {
                    elapsed = jobElapsed;
                }
            }

            boolean appliesStates = jobs.stream().anyMatch(JobsCommand::appliesStates);
            return print.print(new ArrayList<>(hosts.values()), notFinished, elapsed, appliesStates, System.out);
        }
    }

    private static boolean appliesStates(JobCache.StoredJob job) {
        return FleetSummary.appliesStates(String.valueOf(job.info().get("function")));
    }

    /** Returns the job's run time from job.json, or the slowest host's when the job did not finish. */
    static Duration elapsed(JobCache.StoredJob job) {
        try {
            if (job.info().get("started") instanceof String started && job.info().get("finished") instanceof String finished) {
                return Duration.between(Instant.parse(started), Instant.parse(finished));
            }
        } catch (DateTimeParseException ex) {
            // An edited job.json: fall back to the hosts' own times below.
        }
        return job.hosts().stream().map(report -> report.elapsed).max(Comparator.naturalOrder()).orElse(Duration.ZERO);
    }
}
