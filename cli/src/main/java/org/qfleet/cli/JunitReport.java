package org.qfleet.cli;

import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The run as a JUnit XML report, the format CI systems (Jenkins, GitLab, GitHub Actions
 * reporters) read: a {@code testsuite} per host and a {@code testcase} per state. A failed
 * state is a {@code failure} carrying its comment. A host that was unreachable, did not
 * render or compile, or whose shim stopped has one {@code error} test case with the message.
 */
final class JunitReport {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private JunitReport() {
    }

    /** Formats the report for {@code reports}, hosts in ID order. */
    static String format(List<HostReport> reports) {
        List<HostReport> sorted = reports.stream().sorted(Comparator.comparing(report -> report.id)).toList();
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(text);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            int tests = 0;
            int failures = 0;
            int errors = 0;
            double time = 0;
            for (HostReport report : sorted) {
                tests += testCount(report);
                failures += failureCount(report);
                errors += hostError(report) != null ? 1 : 0;
                time += seconds(report);
            }
            xml.writeStartElement("testsuites");
            xml.writeAttribute("name", "qfleet");
            xml.writeAttribute("tests", String.valueOf(tests));
            xml.writeAttribute("failures", String.valueOf(failures));
            xml.writeAttribute("errors", String.valueOf(errors));
            xml.writeAttribute("time", decimal(time));
            for (HostReport report : sorted) {
                writeSuite(xml, report);
            }
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException ex) {
            throw new IllegalStateException("the JUnit report could not be written", ex);
        }
        return text.toString();
    }

    private static void writeSuite(XMLStreamWriter xml, HostReport report) throws XMLStreamException {
        String error = hostError(report);
        xml.writeCharacters("\n  ");
        xml.writeStartElement("testsuite");
        xml.writeAttribute("name", report.id);
        xml.writeAttribute("tests", String.valueOf(testCount(report)));
        xml.writeAttribute("failures", String.valueOf(failureCount(report)));
        xml.writeAttribute("errors", error != null ? "1" : "0");
        xml.writeAttribute("skipped", "0");
        xml.writeAttribute("time", decimal(seconds(report)));
        Instant started = report.started != null ? report.started : Instant.EPOCH;
        xml.writeAttribute("timestamp", TIMESTAMP.format(started.truncatedTo(ChronoUnit.SECONDS)));
        xml.writeAttribute("hostname", report.id);
        for (Map.Entry<String, Map<String, Object>> entry : report.states.entrySet()) {
            writeStateCase(xml, report.id, entry.getKey(), entry.getValue());
        }
        if (error != null) {
            xml.writeCharacters("\n    ");
            xml.writeStartElement("testcase");
            xml.writeAttribute("classname", report.id);
            xml.writeAttribute("name", errorCaseName(report));
            xml.writeAttribute("time", decimal(seconds(report)));
            xml.writeCharacters("\n      ");
            xml.writeStartElement("error");
            xml.writeAttribute("message", firstLine(error));
            xml.writeAttribute("type", errorType(report));
            xml.writeCharacters(clean(error));
            xml.writeEndElement();
            xml.writeCharacters("\n    ");
            xml.writeEndElement();
        }
        if (report.raw != null) {
            writeRawCase(xml, report);
        }
        xml.writeCharacters("\n  ");
        xml.writeEndElement();
    }

    private static void writeStateCase(XMLStreamWriter xml, String host, String tag, Map<String, Object> state)
            throws XMLStreamException {
        String[] parts = tag.split("_\\|-", 4);
        String name = parts.length == 4 ? parts[1] + " (" + parts[0] + "." + parts[3] + ")" : tag;
        String comment = String.valueOf(state.getOrDefault("comment", "")).strip();
        double millis = state.get("duration") instanceof Number duration ? duration.doubleValue() : 0;
        xml.writeCharacters("\n    ");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", host);
        xml.writeAttribute("name", name);
        xml.writeAttribute("time", decimal(millis / 1000));
        if (Boolean.FALSE.equals(state.get("result"))) {
            xml.writeCharacters("\n      ");
            xml.writeStartElement("failure");
            xml.writeAttribute("message", firstLine(comment));
            xml.writeAttribute("type", "state failed");
            xml.writeCharacters(clean(comment));
            xml.writeEndElement();
        }
        if (!comment.isEmpty()) {
            xml.writeCharacters("\n      ");
            xml.writeStartElement("system-out");
            xml.writeCharacters(clean(comment));
            xml.writeEndElement();
        }
        xml.writeCharacters("\n    ");
        xml.writeEndElement();
    }

    private static void writeRawCase(XMLStreamWriter xml, HostReport report) throws XMLStreamException {
        int retcode = report.retcode();
        xml.writeCharacters("\n    ");
        xml.writeStartElement("testcase");
        xml.writeAttribute("classname", report.id);
        xml.writeAttribute("name", "raw shell command");
        xml.writeAttribute("time", decimal(seconds(report)));
        if (retcode != 0) {
            xml.writeCharacters("\n      ");
            xml.writeStartElement("failure");
            xml.writeAttribute("message", "the command exited with code " + retcode);
            xml.writeAttribute("type", "command failed");
            xml.writeCharacters(clean(String.valueOf(report.raw.getOrDefault("stderr", ""))));
            xml.writeEndElement();
        }
        xml.writeCharacters("\n      ");
        xml.writeStartElement("system-out");
        xml.writeCharacters(clean(String.valueOf(report.raw.getOrDefault("stdout", ""))));
        xml.writeEndElement();
        xml.writeCharacters("\n      ");
        xml.writeStartElement("system-err");
        xml.writeCharacters(clean(String.valueOf(report.raw.getOrDefault("stderr", ""))));
        xml.writeEndElement();
        xml.writeCharacters("\n    ");
        xml.writeEndElement();
    }

    /** The message that makes the whole host an error case, or null when its states ran. */
    private static String hostError(HostReport report) {
        if (!report.compileErrors.isEmpty()) {
            return String.join("\n", report.compileErrors);
        }
        return report.failure;
    }

    private static String errorCaseName(HostReport report) {
        if (report.unreachable()) {
            return "connect";
        }
        return report.compileErrors.isEmpty() ? "run" : "render and compile";
    }

    private static String errorType(HostReport report) {
        if (report.unreachable()) {
            return "unreachable";
        }
        return report.compileErrors.isEmpty() ? "run failed" : "compile error";
    }

    private static int testCount(HostReport report) {
        return report.states.size() + (hostError(report) != null ? 1 : 0) + (report.raw != null ? 1 : 0);
    }

    private static int failureCount(HostReport report) {
        int failures = 0;
        for (Map<String, Object> state : report.states.values()) {
            if (Boolean.FALSE.equals(state.get("result"))) {
                failures++;
            }
        }
        if (report.raw != null && report.retcode() != 0) {
            failures++;
        }
        return failures;
    }

    private static double seconds(HostReport report) {
        return report.elapsed.toNanos() / 1e9;
    }

    private static String decimal(double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    private static String firstLine(String text) {
        String stripped = clean(text).strip();
        int newline = stripped.indexOf('\n');
        return newline < 0 ? stripped : stripped.substring(0, newline);
    }

    /** Drops the characters XML 1.0 cannot carry, such as the escape codes of coloured output. */
    private static String clean(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(point -> {
            boolean allowed = point == 0x9 || point == 0xA || point == 0xD
                    || (point >= 0x20 && point <= 0xD7FF) || (point >= 0xE000 && point <= 0xFFFD)
                    || point >= 0x10000;
            if (allowed) {
                out.appendCodePoint(point);
            }
        });
        return out.toString();
    }
}
