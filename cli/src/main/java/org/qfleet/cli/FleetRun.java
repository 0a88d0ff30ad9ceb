package org.qfleet.cli;

import java.io.PrintStream;
import java.util.List;
import org.qfleet.roster.Roster;
import org.qfleet.roster.RosterEntry;
import org.qfleet.roster.RosterException;
import org.qfleet.roster.Targets;
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

    FleetRun(QfleetConfig config, FunctionCall call, boolean acceptNewHostKeys, Colors colors) {
        this.config = config;
        this.call = call;
        this.acceptNewHostKeys = acceptNewHostKeys;
        this.colors = colors;
    }

    int run(String targetPattern, PrintStream out) throws UsageException {
        List<RosterEntry> targets = selectTargets(targetPattern);
        call.testMode();
        HighstateOutputter highstate = new HighstateOutputter(colors);
        NestedOutputter nested = new NestedOutputter(colors);
        SshSettings settings = new SshSettings(config.knownHosts(), acceptNewHostKeys,
                config.connectTimeout(), SshSettings.defaults(config.knownHosts()).keepAlive());
        List<HostReport> reports;
        try (SshTransport transport = new SshTransport(settings)) {
            HostPipeline pipeline = new HostPipeline(transport, config, call);
            reports = Fanout.run(targets, config.maxProcs(), entry -> {
                HostReport report = pipeline.run(entry);
                String text = report.lowstate != null
                        ? colors.cyan() + report.id + ":" + colors.reset() + "\n" + nested.format(report.lowstate, 4)
                        : highstate.format(report);
                synchronized (out) {
                    out.println(text);
                    out.flush();
                }
                return report;
            });
        }
        return exitCode(reports);
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
        try {
            Roster roster = Roster.load(config.rosterFile());
            return Targets.glob(roster, pattern);
        } catch (RosterException ex) {
            throw new UsageException(ex.getMessage(), ex);
        }
    }
}
