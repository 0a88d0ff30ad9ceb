package org.qfleet.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qfleet.transport.TransportException;

/**
 * The facts about one Qubes host that rendering needs, gathered with one shim request, and
 * turned into Salt grains.
 */
final class HostFacts {

    /** The qvm-ls columns read into the qube table, in this order. */
    static final List<String> QUBE_FIELDS = List.of("name", "class", "state", "label", "template", "netvm");

    private final Map<String, Object> grains;
    private final Map<String, Map<String, Object>> qubes;

    private HostFacts(Map<String, Object> grains, Map<String, Map<String, Object>> qubes) {
        this.grains = grains;
        this.qubes = qubes;
    }

    /** Returns the commands of the facts request. */
    static List<Map<String, Object>> commands() {
        return List.of(
                command("hostname", List.of("hostname")),
                command("vms", List.of("qvm-ls", "--raw-data", "--fields", String.join(",", QUBE_FIELDS))),
                command("prefs", List.of("qubes-prefs")));
    }

    /**
     * Gathers the facts of one host. Roster grains are laid over the gathered ones, as
     * salt-ssh lets roster grains win.
     */
    static HostFacts gather(ShimClient shim, String minionId, Map<String, Object> rosterGrains)
            throws TransportException, ShimClient.ShimFailure {
        Map<String, Map<String, Object>> results = shim.runCommands(commands());
        Map<String, Map<String, Object>> qubes = parseQubes(stdoutOf(results, "vms"));
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("id", minionId);
        String hostname = stdoutOf(results, "hostname").strip();
        if (!hostname.isEmpty()) {
            grains.put("host", hostname);
            grains.put("nodename", hostname);
        }
        Map<String, Object> qubesGrain = new LinkedHashMap<>();
        qubesGrain.put("vms", qubes);
        qubesGrain.put("prefs", parsePrefs(stdoutOf(results, "prefs")));
        grains.put("qubes", qubesGrain);
        if (rosterGrains != null) {
            grains.putAll(rosterGrains);
        }
        return new HostFacts(grains, qubes);
    }

    Map<String, Object> grains() {
        return grains;
    }

    boolean qubeExists(String name) {
        return qubes.containsKey(name);
    }

    private static Map<String, Object> command(String id, List<String> argv) {
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("id", id);
        command.put("argv", argv);
        return command;
    }

    private static String stdoutOf(Map<String, Map<String, Object>> results, String id) throws ShimClient.ShimFailure {
        Map<String, Object> result = results.get(id);
        if (result == null) {
            throw new ShimClient.ShimFailure("the shim returned no result for the facts command '" + id + "'");
        }
        if (!Integer.valueOf(0).equals(result.get("exit"))) {
            throw new ShimClient.ShimFailure("gathering facts failed: '" + id + "' exited with "
                    + result.get("exit") + ": " + String.valueOf(result.get("stderr")).strip()
                    + " (is this a Qubes dom0 with the qvm-* tools on PATH?)");
        }
        return String.valueOf(result.get("stdout"));
    }

    /** Parses {@code qvm-ls --raw-data} rows: cells joined by '|', '-' for none. */
    static Map<String, Map<String, Object>> parseQubes(String output) {
        Map<String, Map<String, Object>> qubes = new LinkedHashMap<>();
        for (String row : (Iterable<String>) output.lines()::iterator) {
            if (row.isBlank()) {
                continue;
            }
            String[] cells = row.split("\\|", -1);
            Map<String, Object> qube = new LinkedHashMap<>();
            for (int i = 0; i < QUBE_FIELDS.size() && i < cells.length; i++) {
                qube.put(QUBE_FIELDS.get(i), cells[i].equals("-") ? null : cells[i]);
            }
            qubes.put(cells[0], qube);
        }
        return qubes;
    }

    /** Parses {@code qubes-prefs} lines: name, marker, value, separated by runs of spaces. */
    static Map<String, Object> parsePrefs(String output) {
        Map<String, Object> prefs = new LinkedHashMap<>();
        for (String row : (Iterable<String>) output.lines()::iterator) {
            List<String> fields = new ArrayList<>(List.of(row.strip().split("\\s+", 3)));
            if (fields.isEmpty() || fields.get(0).isEmpty()) {
                continue;
            }
            String value = fields.size() == 3 ? fields.get(2) : "";
            prefs.put(fields.get(0), value);
        }
        return prefs;
    }
}
