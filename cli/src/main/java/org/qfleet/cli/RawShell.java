package org.qfleet.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.qfleet.transport.SshSession;
import org.qfleet.transport.SshTarget;
import org.qfleet.transport.SshTransport;
import org.qfleet.transport.TransportException;

/**
 * salt-ssh's {@code -r}: one shell command run on a host through the shim's {@code commands}
 * request, reported as {@code stdout}, {@code stderr} and {@code retcode}.
 */
final class RawShell {

    private static final Pattern NON_WORD = Pattern.compile("\\W", Pattern.UNICODE_CHARACTER_CLASS);

    private RawShell() {
    }

    /**
     * Joins the words into one command line, each word kept as one shell word, as salt-ssh
     * does by putting a backslash before every character that is not a letter, digit or
     * underscore. A newline is quoted instead, because a backslash before it would remove it.
     */
    static String commandLine(List<String> words) {
        StringBuilder command = new StringBuilder();
        for (String word : words) {
            if (command.length() > 0) {
                command.append(' ');
            }
            if (word.isEmpty()) {
                command.append("''");
            }
            word.codePoints().forEach(point -> {
                String character = new String(Character.toChars(point));
                if (point == '\n') {
                    command.append("'\n'");
                } else if (NON_WORD.matcher(character).matches()) {
                    command.append('\\').append(character);
                } else {
                    command.append(character);
                }
            });
        }
        return command.toString();
    }

    /** Runs {@code command} on the host; every problem ends up in the returned report. */
    static HostReport run(SshTransport transport, SshTarget target, Duration timeout, String command) {
        long started = System.nanoTime();
        HostReport report = new HostReport(target.id());
        report.started = Instant.now();
        try (SshSession session = transport.connect(target);
                ShimClient shim = new ShimClient(session, timeout)) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("id", "raw");
            request.put("shell", command);
            Map<String, Object> result = shim.runCommands(List.of(request)).get("raw");
            if (result == null) {
                report.fail("the shim finished without the command's result", HostReport.RETCODE_SHIM_FAILED);
            } else {
                Map<String, Object> raw = new LinkedHashMap<>();
                raw.put("retcode", result.get("exit") instanceof Number exit ? exit.intValue() : 1);
                raw.put("stderr", String.valueOf(result.getOrDefault("stderr", "")));
                raw.put("stdout", String.valueOf(result.getOrDefault("stdout", "")));
                report.raw = raw;
            }
        } catch (TransportException ex) {
            report.fail(ex.getMessage(), ex.retcode());
        } catch (ShimClient.ShimFailure ex) {
            report.fail(ex.getMessage(), HostReport.RETCODE_SHIM_FAILED);
        } finally {
            report.elapsed = Duration.ofNanos(System.nanoTime() - started);
        }
        return report;
    }
}
