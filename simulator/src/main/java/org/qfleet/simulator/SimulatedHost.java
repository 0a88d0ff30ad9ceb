package org.qfleet.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** One simulated Qubes host of a {@link SimulatedFleet}: its SSH port and its state file. */
public final class SimulatedHost {

    private final String id;
    private final int port;
    private final Path stateFile;

    SimulatedHost(String id, int port, Path stateFile) {
        this.id = id;
        this.port = port;
        this.stateFile = stateFile;
    }

    /** Returns the host's ID, e.g. {@code lab-01}, which is also its roster ID and hostname. */
    public String id() {
        return id;
    }

    /** Returns the TCP port on 127.0.0.1 where the host's SSH server listens. */
    public int port() {
        return port;
    }

    /** Returns the path of the host's state file, which the simulated qvm-* tools change. */
    public Path stateFile() {
        return stateFile;
    }

    /**
     * Returns the host's qubes as pretty-printed JSON: {@code {"host", "vms": {name: {"class",
     * "state", "label", "properties", "features", "tags"}}, "global"}}, with only explicitly set
     * properties, as the strings that qvm-prefs prints.
     *
     * @throws UncheckedIOException when the state file cannot be read
     */
    public String showJson() {
        try {
            return HostState.showJson(stateFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return id + " (127.0.0.1:" + port + ")";
    }
}
