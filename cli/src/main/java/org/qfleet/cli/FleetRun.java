package org.qfleet.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.qfleet.roster.RosterEntry;
import org.qfleet.states.plan.ManagedQubes;
import org.qfleet.transport.Fanout;
import org.qfleet.transport.SshSettings;
import org.qfleet.transport.SshTransport;

/**
 * One qfleet run over the fleet: loads the roster, selects the targets, runs the host
 * pipeline on every target with bounded concurrency, prints each host's report as soon as it
 * finishes, and returns the fleet's exit code.
 */
final class FleetRun {

    private final QfleetConfig config;
    private final FunctionCall call;
    private final boolean acceptNewHostKeys;
    private final Colors colors;
    private OutputOptions output = new OutputOptions();
    private String rawCommand;
    private SshOptions ssh = new SshOptions();
    private TargetOptions targeting = new TargetOptions();

    FleetRun(QfleetConfig config, FunctionCall call, boolean acceptNewHostKeys, Colors colors) {
        this.config = config;
        this.call = call;
        this.acceptNewHostKeys = acceptNewHostKeys;
        this.colors = colors;
    }

    /** Sets the target type, shard and roster options that select the hosts from the roster. */
    FleetRun targeting(TargetOptions targeting) {
        this.targeting = targeting;
        return this;
    }

    /** Sets the SSH options: ssh config file, extra ssh options, host key checking, time limits, local mode. */
    FleetRun ssh(SshOptions ssh) {
        this.ssh = ssh;
        return this;
    }

    /** Sets the report, job cache, returner and logging options; with {@code rawCommand} set, runs it instead of {@code call}. */
    FleetRun output(OutputOptions output, String rawCommand) {
        this.output = output;
        this.rawCommand = rawCommand;
        return this;
    }

    int run(String targetPattern, PrintStream out) throws UsageException {
        List<RosterEntry> targets = selectTargets(targetPattern);
        output.applyConfig(config);
        output.validate();
        RunReporter reporter = new RunReporter(output, colors, out, System.err,
                rawCommand != null ? "raw shell: " + rawCommand : call.name(), targetPattern,
                targets.stream().map(RosterEntry::id).toList());
        Thread runThread = Thread.currentThread();
        SshSettings settings = ssh.settings(config, acceptNewHostKeys, targets);
        try (InterruptOnSignal signal = InterruptOnSignal.install(() -> {
                    reporter.interrupt();
                    runThread.interrupt();
                });
                SshTransport transport = new SshTransport(settings)) {
            HostPipeline pipeline = new HostPipeline(transport, config, call, ssh);
            Fanout.run(targets, config.maxProcs(), entry -> {
                reporter.hostStarted(entry.id());
                Instant started = Instant.now();
                HostReport report = rawCommand != null
                        ? rawShell(transport, pipeline, entry)
                        : pipeline.run(entry);
                if (report.started == null) {
                    report.started = started;
                }
                reporter.hostFinished(report);
                return report;
            });
        } catch (CancellationException ex) {
            Thread.interrupted();
            return reporter.finish(true);
        }
        return reporter.finish(false);
    }

    /**
     * Runs the raw shell command on one host. The command runs in dom0, so a roster entry whose
     * {@code manage} globs leave out dom0 rejects it before the host is contacted.
     */
    private HostReport rawShell(SshTransport transport, HostPipeline pipeline, RosterEntry entry) {
        if (!new ManagedQubes(entry.manage()).allows("dom0")) {
            HostReport rejected = new HostReport(entry.id());
            rejected.fail("raw shell commands run in dom0, which this host's roster entry does not allow (manage: "
                    + String.join(", ", entry.manage()) + "); add 'dom0' to 'manage' to allow them",
                    HostReport.RETCODE_COMPILE_ERROR);
            rejected.elapsed = Duration.ZERO;
            return rejected;
        }
        return RawShell.run(transport, pipeline.target(entry), config.runTimeout(), rawCommand);
    }

    /** Returns the fleet's exit code: 0 when every host returned 0, else 20, as salt-ssh does. */
    static int exitCode(List<HostReport> reports) {
        for (HostReport report : reports) {
            if (report.retcode() != 0) {
                return ExitCodes.HOSTS_FAILED;
            }
        }
        return ExitCodes.OK;
    }

    private List<RosterEntry> selectTargets(String pattern) throws UsageException {
        return targeting.select(config, pattern, output.jobsDir, System.err);
    }
}
