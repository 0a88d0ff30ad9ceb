package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 simulated hosts, 5% of them with a fault chosen at random: every other host succeeds and
 * the fleet summary counts each kind of outcome exactly.
 */
class FleetLoadTest {

    private static final int HOSTS = 200;
    private static final int FAULTY_HOSTS = HOSTS / 20;
    /** Faults that leave a host unreachable (no login, or the connection drops). */
    private static final List<String> UNREACHABLE = List.of("auth-refused", "drop-after:0");
    /** Faults that fail a host that could be reached. */
    private static final List<String> FAILED = List.of("no-python3", "fail:qvm-prefs", "hang:qvm-prefs");
    /**
     * The limit for the whole run. NOTE: a quiet 2-core machine is expected to need well under a
     * minute, but the measured times were taken with other builds running (see the report line this
     * test prints), so the limit only catches a run that hangs.
     */
    private static final long RUN_LIMIT_SECONDS = 600;

    @TempDir
    Path work;

    @Test
    void faultyHostsAreCountedExactly() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<Integer> numbers = new ArrayList<>();
        for (int i = 1; i <= HOSTS; i++) {
            numbers.add(i);
        }
        Collections.shuffle(numbers, random);
        List<String> faults = new ArrayList<>();
        List<String> faulty = new ArrayList<>();
        int unreachable = 0;
        for (int number : numbers.subList(0, FAULTY_HOSTS)) {
            String host = String.format("lab-%03d", number);
            List<String> kinds = random.nextBoolean() ? UNREACHABLE : FAILED;
            unreachable += kinds == UNREACHABLE ? 1 : 0;
            faults.add(host + ":" + kinds.get(random.nextInt(kinds.size())));
            faulty.add(host);
        }
        Path formulas = work.resolve("formulas");
        Files.createDirectories(formulas);
        Files.writeString(formulas.resolve("top.sls"), "base:\n  '*':\n    - label\n");
        Files.writeString(formulas.resolve("label.sls"), "work:\n  qvm.prefs:\n    - label: purple\n");
        String context = "seed " + seed + ", faults " + faults;

        try (FaultFleet fleet = FaultFleet.start(work, HOSTS, faults.toArray(String[]::new))) {
            long started = System.nanoTime();
            QfleetProcess.Outcome outcome = QfleetProcess.run(work, RUN_LIMIT_SECONDS, "-c",
                    fleet.config.toString(), "--file-root", formulas.toString(), "--step-timeout", "3",
                    "*", "state.apply");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

            String printed = outcome.stdout();
            String summary = printed.substring(Math.max(0, printed.lastIndexOf("Fleet summary")));
            assertEquals(20, outcome.exitCode(), context + "\n" + summary + outcome.stderr());
            assertTrue(summary.contains(row("Hosts succeeded:", HOSTS - FAULTY_HOSTS)), context + "\n" + summary);
            assertTrue(summary.contains(row("Hosts failed:", FAULTY_HOSTS - unreachable)), context + "\n" + summary);
            assertTrue(summary.contains(row("Hosts unreachable:", unreachable)), context + "\n" + summary);
            assertTrue(summary.contains(row("States changed:", HOSTS - FAULTY_HOSTS)), context + "\n" + summary);
            Map<String, HighstateReport.HostSection> report = HighstateReport.parse(printed);
            assertEquals(HOSTS, report.size(), context);
            for (HighstateReport.HostSection host : report.values()) {
                if (!faulty.contains(host.host())) {
                    assertTrue(host.summary().contains("Failed:    0"), context + "\n" + host.text());
                }
            }
            System.out.println("FleetLoadTest: " + HOSTS + " hosts in " + seconds + " s");
        }
    }

    private static String row(String label, int value) {
        return String.format("%-20s%10d", label, value);
    }
}
