package org.qfleet.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The fleet summary printed after the last host's report, which salt-ssh does not have: how
 * many hosts succeeded, failed and were unreachable, how many states changed, and the slowest
 * hosts. The states-changed count is left out for functions that apply no states, such as
 * {@code state.show_lowstate} and raw shell commands, because it would always be 0.
 */
final class FleetSummary {

    /** How many of the slowest hosts the summary names. */
    static final int SLOWEST_SHOWN = 3;

    /** Functions that apply states. The others only show data or run a raw shell command. */
    private static final Set<String> STATE_FUNCTIONS = Set.of("state.apply", "state.sls", "state.highstate");

    private final Colors colors;
    private final boolean countsStates;

    /** Prepares a summary that has the states-changed count only when {@code countsStates} is set. */
    FleetSummary(Colors colors, boolean countsStates) {
        this.colors = colors;
        this.countsStates = countsStates;
    }

    /**
     * Returns whether {@code function} applies states. It is the function as the job cache
     * records it: a name such as {@code state.show_top}, or {@code raw shell: COMMAND}.
     */
    static boolean appliesStates(String function) {
        return STATE_FUNCTIONS.contains(function);
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
        if (countsStates) {
            lines.add(colors.cyan() + row("States changed:", changed) + end);
        }
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
