package org.qfleet.states.plan;

import java.util.List;

/**
 * A read-only command and how the shim reads its output.
 *
 * @param argv the command, run without a shell
 * @param read {@code exit}, {@code stdout}, {@code prefs}, {@code features}, {@code lines} or
 *     {@code exists}
 * @param field the property, feature or line to look at, or null for {@code exit} and
 *     {@code stdout}
 * @param vmValued for {@code prefs}: the property's value is a qube, so a printed {@code None} reads
 *     as {@code ""}
 */
public record Probe(List<String> argv, String read, String field, boolean vmValued) {

    public Probe {
        argv = List.copyOf(argv);
    }

    public static Probe exit(List<String> argv) {
        return new Probe(argv, "exit", null, false);
    }

    public static Probe prefs(String vm, String property, boolean vmValued) {
        return new Probe(List.of("qvm-prefs", vm), "prefs", property, vmValued);
    }

    public static Probe features(String vm, String feature) {
        return new Probe(List.of("qvm-features", vm), "features", feature, false);
    }

    /**
     * Returns a probe that reads whether a qube exists from a command about it, such as
     * {@code qvm-prefs VM}: it exists when the command succeeds, and is missing when the
     * command fails with {@code no such domain}. Any other failure fails the probe.
     */
    public static Probe exists(List<String> argv) {
        return new Probe(argv, "exists", null, false);
    }

    public static Probe lines(List<String> argv, String line) {
        return new Probe(argv, "lines", line, false);
    }
}
