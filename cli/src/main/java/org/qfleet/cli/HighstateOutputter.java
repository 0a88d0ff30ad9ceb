package org.qfleet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Salt's highstate report for one host: a block per state in run order, then the summary.
 * The layout follows the highstate outputter of Salt 3006 and 3007 with profile lines on;
 * {@link Mode} and {@code verbose} are Salt's {@code state_output} and {@code state_verbose}.
 */
final class HighstateOutputter {

    private static final String INDENT = " ".repeat(14);

    /**
     * Salt's {@code state_output} values: which states print as a full block and which as one
     * terse line. The {@code _ID} variants show the state ID where the others show the name.
     */
    enum Mode {
        FULL, TERSE, MIXED, CHANGES, FULL_ID, TERSE_ID, MIXED_ID, CHANGES_ID;

        /** Parses a value as {@code --state-output} takes it, such as {@code mixed_id}. */
        static Mode parse(String text) {
            for (Mode mode : values()) {
                if (mode.name().equalsIgnoreCase(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("invalid state output '" + text + "'; expected one of "
                    + "full, terse, mixed, changes, full_id, terse_id, mixed_id, changes_id");
        }

        boolean showsId() {
            return name().endsWith("_ID");
        }

        /** Whether a state with this result and changes prints as one terse line. */
        boolean terse(Object result, boolean hasChanges) {
            return switch (this) {
                case TERSE, TERSE_ID -> true;
                case MIXED, MIXED_ID -> !Boolean.FALSE.equals(result);
                case CHANGES, CHANGES_ID -> Boolean.TRUE.equals(result) && !hasChanges;
                default -> false;
            };
        }
    }

    private final Colors colors;
    private final NestedOutputter nested;
    private final Mode mode;
    private final boolean verbose;

    HighstateOutputter(Colors colors) {
        this(colors, Mode.FULL, true);
    }

    /** With {@code verbose} false, states that succeeded without changes are left out, as Salt does. */
    HighstateOutputter(Colors colors, Mode mode, boolean verbose) {
        this.colors = colors;
        this.nested = new NestedOutputter(colors);
        this.mode = mode;
        this.verbose = verbose;
    }

    /** Formats a host's report, ending without a newline. */
    String format(HostReport report) {
        if (report.lowstate != null) {
            return formatNested(report.id, report.lowstate);
        }
        if (report.raw != null) {
            return formatNested(report.id, report.raw);
        }
        if (report.failure != null && report.states.isEmpty()) {
            return formatText(report.id, report.failure);
        }
        if (!report.compileErrors.isEmpty()) {
            return formatCompileErrors(report.id, report.compileErrors);
        }
        String text = formatStates(report.id, report.states);
        if (report.failure != null) {
            text += "\n" + colors.red() + report.failure + colors.reset();
        }
        return text;
    }

    private String formatNested(String host, Object data) {
        return colors.cyan() + host + ":" + colors.reset() + "\n" + nested.format(data, 4);
    }

    private String formatText(String host, String message) {
        List<String> lines = new ArrayList<>();
        lines.add(colors.cyan() + host + ":" + colors.reset());
        for (String line : (Iterable<String>) message.lines()::iterator) {
            lines.add(colors.green() + "    " + line + colors.reset());
        }
        return String.join("\n", lines);
    }

    private String formatCompileErrors(String host, List<String> errors) {
        List<String> lines = new ArrayList<>();
        lines.add(colors.lightRed() + host + ":" + colors.reset());
        lines.add("    " + colors.lightRed() + "Data failed to compile:" + colors.reset());
        for (String error : errors) {
            lines.add(colors.lightRed() + "----------\n    " + error + colors.reset());
        }
        return String.join("\n", lines);
    }

    private String formatStates(String host, Map<String, Map<String, Object>> states) {
        List<String> lines = new ArrayList<>();
        String hostColor = colors.green();
        Map<Object, Integer> counts = new LinkedHashMap<>();
        int changed = 0;
        double totalDuration = 0;
        for (Map.Entry<String, Map<String, Object>> entry : states.entrySet()) {
            Map<String, Object> state = entry.getValue();
            Object result = state.get("result");
            counts.merge(result == null ? "none" : result, 1, Integer::sum);
            if (state.get("duration") instanceof Number duration) {
                totalDuration += duration.doubleValue();
            }
            boolean hasChanges = state.get("changes") instanceof Map<?, ?> changes && !changes.isEmpty();
            if (hasChanges) {
                changed++;
            }
            if (!verbose && Boolean.TRUE.equals(result) && !hasChanges) {
                continue;
            }
            String color = colors.green();
            if (hasChanges) {
                color = colors.cyan();
            }
            if (Boolean.FALSE.equals(result)) {
                hostColor = colors.red();
                color = colors.red();
            }
            if (result == null) {
                hostColor = colors.lightYellow();
                color = colors.lightYellow();
            }
            if (mode.terse(result, hasChanges)) {
                lines.add(terseLine(entry.getKey(), state, color, hasChanges));
            } else {
                lines.addAll(stateBlock(entry.getKey(), state, color, hasChanges));
            }
        }
        lines.add(0, hostColor + host + ":" + colors.reset());
        lines.addAll(summary(host, counts, changed, totalDuration));
        return String.join("\n", lines);
    }

    /** Splits a state tag {@code module_|-id_|-name_|-function} into those four parts. */
    private String[] tagParts(String tag) {
        String[] parts = tag.split("_\\|-", 4);
        String module = parts[0];
        String id = parts.length > 1 ? parts[1] : tag;
        String name = parts.length > 2 ? parts[2] : id;
        String function = parts.length > 3 ? parts[3] : "";
        return new String[] {module, id, mode.showsId() ? id : name, function};
    }

    private String terseLine(String tag, Map<String, Object> state, String color, boolean hasChanges) {
        String[] parts = tagParts(tag);
        Object result = state.get("result");
        String outcome = hasChanges ? "Changed" : "Clean";
        if (Boolean.FALSE.equals(result)) {
            outcome = "Failed";
        } else if (result == null) {
            outcome = "Differs";
        }
        String line = " " + color + " Name: " + parts[2] + " - Function: " + parts[0] + "." + parts[3]
                + " - Result: " + outcome;
        if (state.containsKey("start_time")) {
            line += " - Started: " + state.get("start_time") + " - Duration: " + PythonText.repr(state.get("duration"))
                    + " ms";
        }
        return line + colors.reset();
    }

    private List<String> stateBlock(String tag, Map<String, Object> state, String color, boolean hasChanges) {
        String[] parts = tagParts(tag);
        String module = parts[0];
        String id = parts[1];
        String name = parts[2];
        String function = parts[3];
        String end = colors.reset();
        List<String> lines = new ArrayList<>();
        lines.add(color + "----------" + end);
        lines.add("    " + color + "      ID: " + id + end);
        lines.add("    " + color + "Function: " + module + "." + function + end);
        if (!id.equals(name)) {
            lines.add("    " + color + "    Name: " + name + end);
        }
        lines.add("    " + color + "  Result: " + PythonText.repr(state.get("result")) + end);
        String comment = String.valueOf(state.getOrDefault("comment", "")).strip().replace("\n", "\n" + INDENT);
        lines.add("    " + color + " Comment: " + comment + end);
        if (state.containsKey("start_time")) {
            lines.add("    " + color + " Started: " + state.get("start_time") + end);
            lines.add("    " + color + "Duration: " + PythonText.repr(state.get("duration")) + " ms" + end);
        }
        String changesText = hasChanges ? "\n" + nested.format(state.get("changes"), 14) : "";
        lines.add(color + "     Changes:   " + changesText + end);
        return lines;
    }

    private List<String> summary(String host, Map<Object, Integer> counts, int changed, double totalDuration) {
        int succeeded = counts.getOrDefault(Boolean.TRUE, 0);
        int notRun = counts.getOrDefault("none", 0);
        int failed = counts.getOrDefault(Boolean.FALSE, 0);
        int total = succeeded + notRun + failed;
        int countWidth = 0;
        for (int count : counts.values()) {
            countWidth = Math.max(countWidth, String.valueOf(count).length());
        }
        int lineWidth = "Succeeded".length() + countWidth + 2;
        String end = colors.reset();
        List<String> lines = new ArrayList<>();
        lines.add(colors.cyan() + "\nSummary for " + host + "\n" + "-".repeat(lineWidth) + end);
        List<String> stats = new ArrayList<>();
        if (notRun > 0) {
            stats.add(colors.lightYellow() + "unchanged=" + notRun + end);
        }
        if (changed > 0) {
            stats.add(colors.green() + "changed=" + changed + end);
        }
        String statsText = stats.isEmpty() ? "" : " (" + String.join(", ", stats) + ")";
        lines.add(colors.green() + count("Succeeded", succeeded + notRun, lineWidth) + end + statsText);
        lines.add((failed > 0 ? colors.red() : colors.cyan()) + count("Failed", failed, lineWidth) + end);
        lines.add(colors.cyan() + "-".repeat(lineWidth) + "\nTotal states run: "
                + padLeft(String.valueOf(total), lineWidth - 7) + end);
        double duration = totalDuration;
        String unit = "ms";
        if (duration > 999) {
            duration /= 1000;
            unit = "s";
        }
        lines.add(colors.cyan() + "Total run time: " + padLeft(String.format(java.util.Locale.ROOT, "%.3f", duration), lineWidth - 5)
                + " " + unit + end);
        return lines;
    }

    private static String count(String label, int count, int lineWidth) {
        return label + ": " + padLeft(String.valueOf(count), lineWidth - (label.length() + 2));
    }

    private static String padLeft(String text, int width) {
        return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
    }
}
