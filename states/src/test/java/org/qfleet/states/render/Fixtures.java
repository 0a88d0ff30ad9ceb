package org.qfleet.states.render;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The formula and pillar trees under {@code src/test/resources/render} and host data for them. */
final class Fixtures {

    private Fixtures() {}

    static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/render/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static FileRoots formulaRoots() {
        return new FileRoots(List.of(resource("formulas")));
    }

    static FileRoots pillarRoots() {
        return new FileRoots(List.of(resource("pillar")));
    }

    /** Grains of a Qubes machine with two network cards. */
    static Map<String, Object> grains(String minionId) {
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("id", minionId);
        grains.put("os", "Qubes");
        grains.put("pci_net_devs", List.of("00:19.0", "03:00.0"));
        return grains;
    }

    /**
     * Returns a host with the given qubes whose shell runs {@code bin/} of the fixtures first on PATH,
     * where {@code qubes-prefs} and {@code xl} print fixed output.
     */
    static LocalHost host(String... qubes) {
        Path bin = resource("bin");
        // Resource copying may drop the executable bit that git keeps for these scripts.
        for (String tool : List.of("qubes-prefs", "xl")) {
            bin.resolve(tool).toFile().setExecutable(true);
        }
        return new LocalHost(new HashSet<>(Arrays.asList(qubes)), bin);
    }

    /** The render context of a minion, with its pillar compiled from the fixture pillar tree. */
    static RenderContext context(String minionId, LocalHost host) throws RenderException {
        Map<String, Object> grains = grains(minionId);
        Map<String, Object> pillar = new PillarCompiler(pillarRoots()).compile(minionId, grains, host);
        return new RenderContext(minionId, grains, pillar, host, "base");
    }
}
