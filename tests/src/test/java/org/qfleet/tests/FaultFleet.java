package org.qfleet.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qfleet.simulator.FleetOptions;
import org.qfleet.simulator.SimulatedFleet;
import org.qfleet.simulator.SimulatedHost;

/**
 * A simulated fleet for fault and bad-input tests: faults injected at start or later, a roster
 * that may hold extra entries, a known_hosts file that a test may tamper with, and a count of
 * the shim execs each host received.
 */
final class FaultFleet implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path work;
    final SimulatedFleet fleet;
    final Path roster;
    final Path knownHosts;
    final Path config;
    private final Path execLog;

    private FaultFleet(Path work, SimulatedFleet fleet) throws IOException {
        this.work = work;
        this.fleet = fleet;
        this.roster = work.resolve("roster");
        this.knownHosts = work.resolve("known_hosts");
        this.config = work.resolve("qfleet.yaml");
        this.execLog = fleet.dir().resolve("shim-execs.log");
        Files.copy(fleet.rosterFile(), roster);
        Files.copy(fleet.knownHostsFile(), knownHosts);
        Files.writeString(config, "roster_file: " + roster + "\nknown_hosts: " + knownHosts + "\n");
        installExecCounter();
    }

    /** Starts {@code hosts} hosts with faults given as {@code HOST:KIND[:ARG]}. */
    static FaultFleet start(Path work, int hosts, String... faults) throws IOException {
        SimulatedFleet fleet = SimulatedFleet.start(work.resolve("sim"), hosts,
                FleetOptions.defaults().withFaults(List.of(faults)));
        try {
            return new FaultFleet(work, fleet);
        } catch (IOException | RuntimeException ex) {
            fleet.close();
            throw ex;
        }
    }

    /**
     * Puts a {@code python3} first on every host's exec PATH that records the host's ID and then
     * runs the real one, so that each shim exec leaves one line. The simulated qvm-* tools start
     * {@code /usr/bin/python3} by its full path and leave none.
     */
    private void installExecCounter() throws IOException {
        Path wrapper = fleet.dir().resolve("bin").resolve("python3");
        Files.writeString(wrapper, "#!/bin/sh\necho \"$QUBES_SIM_HOST\" >> '" + execLog + "'\n"
                + "exec /usr/bin/python3 \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Returns how many shim execs each host received so far; hosts with none are absent. */
    Map<String, Integer> shimExecs() throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        if (!Files.exists(execLog)) {
            return counts;
        }
        for (String line : Files.readAllLines(execLog)) {
            if (!line.isBlank()) {
                counts.merge(line.strip(), 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Appends roster entries, in the roster's YAML. */
    void addToRoster(String entries) throws IOException {
        Files.writeString(roster, Files.readString(roster) + entries);
    }

    /** Returns a roster entry for {@code id} at {@code 127.0.0.1:port}, with the fleet's key. */
    String rosterEntry(String id, int port, String extra) {
        return id + ":\n  host: 127.0.0.1\n  port: " + port + "\n  user: qfleet\n  priv: " + fleet.clientKey()
                + "\n" + extra;
    }

    /** Replaces the host's faults; none clears them. The server reads them at each login and exec. */
    void setFaults(String hostId, String... faultsJson) throws IOException {
        Files.writeString(fleet.dir().resolve("hosts").resolve(hostId).resolve("faults.json"),
                "{\"faults\": [" + String.join(", ", faultsJson) + "]}\n");
    }

    /** Returns every host's state as the simulator stores it. */
    Map<String, JsonNode> snapshot() throws IOException {
        Map<String, JsonNode> states = new LinkedHashMap<>();
        for (SimulatedHost host : fleet.hosts()) {
            states.put(host.id(), JSON.readTree(host.showJson()));
        }
        return states;
    }

    /** Runs {@code bin/qfleet -c CONFIG --out json ARGS...}. */
    Run runJson(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("-c", config.toString(), "--out", "json"));
        command.addAll(List.of(args));
        QfleetProcess.Outcome outcome = QfleetProcess.run(work, command.toArray(String[]::new));
        JsonNode document = null;
        if (outcome.stdout().strip().startsWith("{")) {
            document = JSON.readTree(outcome.stdout());
        }
        return new Run(outcome, document);
    }

    /** One qfleet run: what it printed and its JSON document, null when stdout was not JSON. */
    record Run(QfleetProcess.Outcome outcome, JsonNode document) {

        JsonNode host(String id) {
            return document == null ? null : document.get(id);
        }

        /** Returns everything the run printed, for assertion messages. */
        String text() {
            return "exit " + outcome.exitCode() + "\nstdout:\n" + outcome.stdout() + "\nstderr:\n" + outcome.stderr();
        }
    }

    /**
     * Writes a formula tree in {@code dir} with one SLS, {@code name}, holding {@code text}, and a
     * top that applies it to every host.
     */
    static Path oneSlsTree(Path dir, String name, String text) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("top.sls"), "base:\n  '*':\n    - " + name + "\n");
        Files.writeString(dir.resolve(name + ".sls"), text);
        return dir;
    }

    static String whonixFormulas() {
        return QfleetProcess.repositoryRoot().resolve("examples/whonix").toString();
    }

    @Override
    public void close() {
        fleet.close();
    }
}
