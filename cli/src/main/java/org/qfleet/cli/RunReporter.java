package org.qfleet.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that happens to a host's result once the host finishes: the report on standard
 * output (or {@code --out-file}), the progress line, the job cache, the returners and the log.
 * A run calls {@link #hostStarted} and {@link #hostFinished} from its worker threads, then
 * {@link #finish} once, also after an interrupt, and exits with the code it returns.
 */
final class RunReporter {

    private static final Logger LOG = LoggerFactory.getLogger(RunReporter.class);

    private final ReportFormatOptions format;
    private final Colors colors;
    private final PrintStream out;
    private final boolean ownsOut;
    private final Progress progress;
    private final JobCache.Job job;
    private final WebhookReturner webhook;
    private final HighstateOutputter highstate;
    private final int total;
    private final boolean appliesStates;
    private final long startNanos = System.nanoTime();
    private final List<HostReport> finished = new ArrayList<>();
    private volatile boolean interrupted;

    /**
     * Prepares the report of a run over {@code targets}. Problems with the job cache are logged
     * and the run goes on without it; an {@code --out-file} that cannot be opened is a usage error.
     */
    RunReporter(OutputOptions options, Colors colors, PrintStream out, PrintStream err, String function,
            String target, List<String> targets) throws UsageException {
        this.format = options.format;
        this.total = targets.size();
        this.appliesStates = FleetSummary.appliesStates(function);
        if (format.outFile != null) {
            try {
                this.out = new PrintStream(new FileOutputStream(format.outFile.toFile()), false, StandardCharsets.UTF_8);
            } catch (IOException ex) {
                throw new UsageException("--out-file " + format.outFile + " could not be opened: " + ex.getMessage(), ex);
            }
            this.ownsOut = true;
            this.colors = Colors.NONE;
        } else {
            this.out = out;
            this.ownsOut = false;
            this.colors = options.colors(colors);
        }
        this.highstate = new HighstateOutputter(this.colors, format.stateOutput, format.stateVerbose);
        this.job = createJob(options, function, target, targets);
        List<URI> webhookUrls = options.returners.contains("webhook") ? options.webhookUris() : List.of();
        this.webhook = webhookUrls.isEmpty() ? null : new WebhookReturner(webhookUrls,
                WebhookReturner.Settings.defaults(Duration.ofMillis(Math.round(options.returnTimeoutSeconds * 1000))));
        this.progress = new Progress(err, total, Progress.onTerminal() && format.outFile == null);
        LOG.info("job {}: {} on {} hosts matching '{}'", jid(), function, total, target);
    }

    private static JobCache.Job createJob(OutputOptions options, String function, String target,
            List<String> targets) {
        JobCache cache = new JobCache(JobCache.defaultDir(options.jobsDir));
        try {
            JobCache.Job job = cache.create(options.commandLine(), function, target, targets);
            int deleted = cache.prune(options.keepJobs);
            if (deleted > 0) {
                LOG.debug("job cache {}: deleted {} old jobs, keeping {}", cache.dir(), deleted, options.keepJobs);
            }
            return job;
        } catch (IOException | RuntimeException ex) {
            LOG.warn("job cache {} is not usable, this run is not recorded: {}", cache.dir(), ex.getMessage());
            return null;
        }
    }

    /** Returns the job ID, or {@code -} when the job cache is not usable. */
    String jid() {
        return job == null ? "-" : job.jid();
    }

    /**
     * Marks the run as interrupted: results that arrive from now on are from hosts cut off in
     * the middle, so they are dropped rather than reported as failures.
     */
    void interrupt() {
        interrupted = true;
    }

    void hostStarted(String host) {
        LOG.info("host {}: started", host);
    }

    /** Records, prints and sends one host's result. */
    void hostFinished(HostReport report) {
        if (interrupted) {
            LOG.info("host {}: stopped by the interrupt after {} ms", report.id, report.elapsed.toMillis());
            return;
        }
        int retcode = report.retcode();
        LOG.info("host {}: finished with retcode {} in {} ms", report.id, retcode, report.elapsed.toMillis());
        for (String error : report.errors()) {
            LOG.info("host {}: error: {}", report.id, error.lines().findFirst().orElse(""));
        }
        if (job != null) {
            try {
                job.record(report);
            } catch (IOException ex) {
                LOG.warn("job {}: the result of host {} could not be recorded: {}", job.jid(), report.id, ex.getMessage());
            }
        }
        if (webhook != null) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("type", "host");
            event.put("jid", jid());
            event.put("host", report.id);
            event.put("result", RunDocument.build(List.of(report)).get(report.id));
            webhook.send(event);
        }
        synchronized (finished) {
            finished.add(report);
        }
        if (format.format == ReportFormatOptions.Format.HIGHSTATE) {
            String text = highstate.format(report);
            progress.around(() -> {
                out.println(text);
                out.flush();
            });
        }
        progress.hostDone(retcode != 0);
    }

    /** Returns the results of the hosts that finished so far, in finishing order. */
    List<HostReport> finishedHosts() {
        synchronized (finished) {
            return List.copyOf(finished);
        }
    }

    /**
     * Prints the fleet summary or the document, closes the job and the returners, and returns
     * the exit code: 130 when {@code interrupted}, else 0 or 20 by the hosts' return codes.
     */
    int finish(boolean interrupted) {
        interrupted |= this.interrupted;
        this.interrupted = true;
        progress.close();
        List<HostReport> reports = finishedHosts();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        int exitCode = interrupted ? ExitCodes.INTERRUPTED : FleetRun.exitCode(reports);
        String text = switch (format.format) {
            case HIGHSTATE -> new FleetSummary(colors, appliesStates).format(reports, total - reports.size(), elapsed);
            case JSON -> RunDocument.json(reports, format.outIndent);
            case YAML -> RunDocument.yaml(reports);
            case JUNIT -> JunitReport.format(reports);
        };

        out.println(text);
        out.flush();
        if (ownsOut) {
            out.close();
        }
        if (interrupted) {
            LOG.warn("job {}: interrupted; {} of {} hosts finished", jid(), reports.size(), total);
        }

        if (job != null) {
            try {
                job.finish(exitCode, interrupted);
            } catch (IOException ex) {
                LOG.warn("job {}: the end of the run could not be recorded: {}", job.jid(), ex.getMessage());
            }
        }

        if (webhook != null) {
            webhook.send(summaryEvent(reports, exitCode, interrupted, elapsed));
            webhook.close();
        }
        LOG.info("job {}: finished with exit code {} in {} ms", jid(), exitCode, elapsed.toMillis());
        return exitCode;
    }

    private Map<String, Object> summaryEvent(List<HostReport> reports, int exitCode, boolean interrupted,
            Duration elapsed) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", "summary");
        event.put("jid", jid());
        event.put("exit_code", exitCode);
        event.put("interrupted", interrupted);
        event.put("targets", total);
        event.put("succeeded", reports.stream().filter(report -> report.retcode() == 0).count());
        event.put("failed", reports.stream().filter(report -> report.retcode() != 0 && !report.unreachable()).count());
        event.put("unreachable", reports.stream().filter(HostReport::unreachable).count());
        event.put("states_changed", reports.stream().mapToInt(HostReport::changedStates).sum());
        event.put("elapsed_s", elapsed.toNanos() / 1e9);
        return event;
    }
}
