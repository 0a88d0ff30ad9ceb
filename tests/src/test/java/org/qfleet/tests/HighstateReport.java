package org.qfleet.tests;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads qfleet's highstate text report back into hosts and state blocks, so that tests can
 * check what a user reads on the screen.
 */
final class HighstateReport {

    /** One state block: its labelled lines ("ID", "Function", "Result", "Comment", ...) and its Changes text. */
    record StateBlock(Map<String, String> fields, String changes) {
        String id() {
            return fields.get("ID");
        }

        String result() {
            return fields.get("Result");
        }

        String comment() {
            return fields.getOrDefault("Comment", "");
        }
    }

    /** One host's section: its state blocks and its summary lines. */
    record HostSection(String host, List<StateBlock> states, String summary, String text) {
        StateBlock state(String id) {
            return states.stream().filter(s -> id.equals(s.id())).findFirst()
                    .orElseThrow(() -> new AssertionError("no state with ID " + id + " in the report of " + host
                            + ":\n" + text));
        }
    }

    private static final Pattern HOST_HEADER = Pattern.compile("^([A-Za-z0-9_.-]+):$", Pattern.MULTILINE);
    private static final Pattern FIELD = Pattern.compile("^ {4}\\s*([A-Za-z]+): ?(.*)$");

    /** Splits the report into host sections by their {@code host:} header lines. */
    static Map<String, HostSection> parse(String report) {
        Map<String, HostSection> hosts = new LinkedHashMap<>();
        Matcher matcher = HOST_HEADER.matcher(report);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (matcher.find()) {
            starts.add(new int[] {matcher.start(), matcher.end()});
            names.add(matcher.group(1));
        }
        for (int i = 0; i < starts.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : report.length();
            String body = report.substring(starts.get(i)[1], end);
            hosts.put(names.get(i), section(names.get(i), body));
        }
        return hosts;
    }

    private static HostSection section(String host, String body) {
        int summaryAt = body.indexOf("\nSummary for ");
        String blocksText = summaryAt >= 0 ? body.substring(0, summaryAt) : body;
        String summary = summaryAt >= 0 ? body.substring(summaryAt + 1) : "";
        List<StateBlock> states = new ArrayList<>();
        for (String block : blocksText.split("\n----------\n")) {
            if (!block.contains("      ID: ")) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            StringBuilder changes = new StringBuilder();
            String current = null;
            for (String line : block.split("\n")) {
                if (line.startsWith("     Changes:")) {
                    current = "Changes";
                    continue;
                }
                if ("Changes".equals(current)) {
                    changes.append(line.strip()).append('\n');
                    continue;
                }
                Matcher field = FIELD.matcher(line);
                if (field.matches() && line.indexOf(':') <= 12) {
                    current = field.group(1);
                    fields.put(current, field.group(2));
                } else if (current != null && line.startsWith(" ".repeat(14))) {
                    fields.merge(current, "\n" + line.substring(14), String::concat);
                }
            }
            states.add(new StateBlock(fields, changes.toString().strip()));
        }
        return new HostSection(host, states, summary, body);
    }

    private HighstateReport() {
    }
}
