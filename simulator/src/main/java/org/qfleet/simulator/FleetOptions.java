package org.qfleet.simulator;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Options of {@link SimulatedFleet#start(Path, int, FleetOptions)}: the hosts' profile, hardware, ports and faults.
 *
 * @param fresh        reset every host's state to the profile, not only hosts without a state file
 * @param profile      {@code fresh} (a default Qubes 4.2 install), {@code empty} (dom0 only), or the
 *                     path of a profile file written by {@code qfleet-sim import}
 * @param hardwareFile a JSON file of hardware facts applied to every host at start, or null
 * @param portBase     the port of the first host, the next hosts on the following ports; 0 picks
 *                     free ports
 * @param faults       faults to inject, each {@code HOST:KIND[:ARG]} (see {@link Faults})
 */
public record FleetOptions(boolean fresh, String profile, Path hardwareFile, int portBase, List<String> faults) {

    public FleetOptions {
        Objects.requireNonNull(profile, "profile");
        faults = List.copyOf(faults);
        if (portBase < 0 || portBase > 65535) {
            throw new IllegalArgumentException("port base must be 0 (free ports) or a port from 1 to 65535, got "
                    + portBase);
        }
    }

    /** Returns the options of a plain start: profile fresh, free ports, no hardware file, no faults. */
    public static FleetOptions defaults() {
        return new FleetOptions(false, "fresh", null, 0, List.of());
    }

    public FleetOptions withFresh(boolean value) {
        return new FleetOptions(value, profile, hardwareFile, portBase, faults);
    }

    public FleetOptions withProfile(String value) {
        return new FleetOptions(fresh, value, hardwareFile, portBase, faults);
    }

    public FleetOptions withHardwareFile(Path value) {
        return new FleetOptions(fresh, profile, value, portBase, faults);
    }

    public FleetOptions withPortBase(int value) {
        return new FleetOptions(fresh, profile, hardwareFile, value, faults);
    }

    public FleetOptions withFaults(List<String> value) {
        return new FleetOptions(fresh, profile, hardwareFile, portBase, value);
    }

    /** Returns whether the profile names a built-in profile rather than a profile file. */
    boolean builtInProfile() {
        return profile.equals("fresh") || profile.equals("empty");
    }
}
