package org.qfleet.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The fleet summary printed after the last host's report, which salt-ssh does not have: how
 * many hosts succeeded, failed and were unreachable, how many states changed, and the slowest
 * hosts.
 */
final class FleetSummary {

    /** How many of the slowest hosts the summary names. */
    static final int SLOWEST_SHOWN = 3;

    private final Colors colors;

    FleetSummary(Colors colors) {
        this.colors = colors;
    }

    /**
     * Formats the summary of {@code reports}, ending without a newline. With {@code notRun} above
     * zero (an interrupted run), a line says how many targeted hosts did not finish.
     */
    String format(List<HostReport> reports, int notRun, Duration elapsed) {
        int succeeded = 0;
        int failed = 0;
        int unreachable = 0;
        int changed = 0;
        for (HostReport report : reports) {
            if (report.unreachable()) {
                unreachable++;
            } else if (report.retcode() != 0) {
                failed++;
            } else {
                succeeded++;
            }
            changed += report.changedStates();
        }
        String end = colors.reset();
        String rule = colors.cyan() + "-".repeat(30) + end;
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add(colors.cyan() + "Fleet summary" + end);
        lines.add(rule);
        lines.add(colors.green() + row("Hosts succeeded:", succeeded) + end);
        lines.add((failed > 0 ? colors.red() : colors.cyan()) + row("Hosts failed:", failed) + end);
        lines.add((unreachable > 0 ? colors.red() : colors.cyan()) + row("Hosts unreachable:", unreachable) + end);
        if (notRun > 0) {
            lines.add(colors.lightYellow() + row("Hosts not finished:", notRun) + end);
        }
        lines.add(rule);
        lines.add(colors.cyan() + row("States changed:", changed) + end);
        lines.add(colors.cyan() + String.format(Locale.ROOT, "%-20s%10s", "Elapsed:", seconds(elapsed)) + end);
        List<HostReport> slowest = reports.stream()
                .sorted(Comparator.comparing((HostReport report) -> report.elapsed).reversed()
                        .thenComparing(report -> report.id))
                .limit(SLOWEST_SHOWN)
                .toList();
        if (!slowest.isEmpty()) {
            lines.add(colors.cyan() + "Slowest hosts:" + end);
            for (HostReport report : slowest) {
                lines.add(colors.cyan() + String.format(Locale.ROOT, "    %-16s%10s", report.id, seconds(report.elapsed))
                        + end);
            }
        }
        return String.join("\n", lines);
    }

    private static String row(String label, int count) {
        return String.format(Locale.ROOT, "%-20s%10d", label, count);
    }

    private static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.3f s", duration.toNanos() / 1e9);
    }
}
