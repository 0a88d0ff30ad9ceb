package org.qfleet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The whole run as one document keyed by host ID, in host ID order. Each host has its
 * {@code retcode}, {@code started} (ISO-8601 UTC), {@code elapsed_s} (seconds), {@code errors}
 * (list of messages) and {@code return}: what salt-ssh prints for the host with {@code --static}.
 */
final class RunDocument {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunDocument() {
    }

    /** Returns the document as maps and lists. */
    static Map<String, Object> build(List<HostReport> reports) {
        Map<String, Object> document = new LinkedHashMap<>();
        reports.stream().sorted(Comparator.comparing(report -> report.id)).forEach(report -> {
            Map<String, Object> host = new LinkedHashMap<>();
            host.put("retcode", report.retcode());
            host.put("started", report.started == null ? null : report.started.toString());
            host.put("elapsed_s", report.elapsed.toNanos() / 1e9);
            host.put("errors", report.errors());
            host.put("return", report.saltReturn());
            document.put(report.id, host);
        });
        return document;
    }

    /** Formats the document as JSON indented by {@code indent} spaces per level, as Python's json module lays it out. */
    static String json(List<HostReport> reports, int indent) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""));
        DefaultIndenter indenter = new DefaultIndenter(" ".repeat(indent), "\n");
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        try {
            return JSON.writer(printer).writeValueAsString(build(reports));
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("the run's results could not be written as JSON", ex);
        }
    }

    /**
     * Returns a deep copy with no object shared between two places, because SnakeYAML writes a
     * shared object (such as one empty map used for every unchanged state) as an anchor and aliases.
     */
    private static Object copyOf(Map<String, Object> document) {
        try {
            return JSON.readValue(JSON.writeValueAsBytes(document), LinkedHashMap.class);
        } catch (java.io.IOException ex) {
            throw new IllegalStateException("the run's results could not be copied for YAML", ex);
        }
    }

    /** Formats the document as block-style YAML. */
    static String yaml(List<HostReport> reports) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setWidth(Integer.MAX_VALUE);
        return new Yaml(options).dump(copyOf(build(reports))).stripTrailing();
    }
}
