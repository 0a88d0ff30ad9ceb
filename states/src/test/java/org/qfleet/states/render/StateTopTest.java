package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reads state tops laid out as Qubes OS does and selects the SLS names of one host. */
class StateTopTest {

    private static final TargetMatcher FLEET = new TargetMatcher(TargetMatcher.FLEET_NODEGROUPS);

    private static Map<String, Object> grains() {
        Map<String, Object> grains = Fixtures.grains("lab-07");
        grains.put("roles", List.of("net", "usb"));
        return grains;
    }

    private static Map<String, Object> pillar() {
        return Data.map("qvm", Data.map("sys-usb", Data.map("name", "sys-net")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiterString = " ## ", value = {
        "glob ## lab-* ## true",
        "glob ## lab-1? ## false",
        "pcre ## lab-\\d+ ## true",
        "pcre ## ab-07 ## false",
        "list ## lab-01,lab-07 ## true",
        "list ## lab-01,lab-08 ## false",
        "grain ## os:Qubes ## true",
        "grain ## roles:us? ## true",
        "grain ## os:Debian ## false",
        "grain_pcre ## pci_net_devs:03:00\\.\\d ## true",
        "grain_pcre ## os:Deb.* ## false",
        "pillar ## qvm:sys-usb:name:sys-* ## true",
        "pillar ## qvm:sys-usb:name:sys-usb ## false",
        "nodegroup ## dom0 ## true",
        "nodegroup ## vm ## false",
        "compound ## G@os:Qubes and I@qvm:sys-usb:name:sys-net ## true",
        "compound ## lab-* and not N@dom0 ## false",
        "compound ## P@os:Q.* or L@x ## true",
    })
    void matchTypeSelectsHost(String matchType, String expression, boolean selected) throws Exception {
        Map<String, Object> top = Data.map("base", Data.map(expression,
                List.of(Data.map("match", matchType), "picked")));

        Map<String, List<String>> names = StateTop.select(top, FLEET, "lab-07", grains(), pillar());

        assertEquals(selected ? Map.of("base", List.of("picked")) : Map.of(), names);
    }

    @Test
    void qubesNodegroupsNeedDom0Id() throws Exception {
        TargetMatcher qubes = new TargetMatcher(TargetMatcher.QUBES_NODEGROUPS);
        Map<String, Object> top = Data.map("base", Data.map("dom0", List.of(Data.map("match", "nodegroup"), "a")));

        assertEquals(Map.of(), StateTop.select(top, qubes, "lab-07", grains(), pillar()));
        assertEquals(Map.of("base", List.of("a")), StateTop.select(top, qubes, "dom0", grains(), pillar()));
    }

    @Test
    void unknownMatchTypeIsRejected() {
        Map<String, Object> top = Data.map("base", Data.map("x", List.of(Data.map("match", "ipcidr"), "a")));

        RenderException error = assertThrows(RenderException.class,
                () -> StateTop.select(top, FLEET, "lab-07", grains(), pillar()));

        assertEquals("match type 'ipcidr' of target 'x' is not supported by qfleet; use glob, list, pcre, grain,"
                + " grain_pcre, pillar, compound or nodegroup", error.getMessage());
    }

    @Test
    void enabledTopsMergeWithTopFile(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("qvm"));
        Files.createDirectories(root.resolve("_tops/base"));
        Files.createDirectories(root.resolve("_tops/user"));
        Files.writeString(root.resolve("top.sls"), "base:\n  '*':\n    - common\n  dom0:\n    - match: nodegroup\n    - local\n");
        Files.writeString(root.resolve("qvm/sys-net.top"),
                "base:\n  dom0:\n    - match: nodegroup\n    - qvm.sys-net\n");
        Files.writeString(root.resolve("qvm/sys-usb.top"),
                "base:\n  dom0:\n    - match: nodegroup\n    - qvm.sys-usb\n  vm:\n    - match: nodegroup\n    - usb-vm\n");
        Files.createSymbolicLink(root.resolve("_tops/base/qvm.sys-usb.top"), root.resolve("qvm/sys-usb.top"));
        Files.createSymbolicLink(root.resolve("_tops/base/qvm.sys-net.top"), root.resolve("qvm/sys-net.top"));
        Files.writeString(root.resolve("_tops/user/mine.top"),
                "user:\n  dom0:\n    - match: nodegroup\n    - mine\n{% if grains.os == 'Qubes' %}    - qubes-only\n{% endif %}");
        Files.writeString(root.resolve("_tops/base/notes.txt"), "not a top\n");
        StateTop stateTop = new StateTop(new FileRoots(List.of(root)));
        RenderContext context = new RenderContext("lab-07", grains(), new LinkedHashMap<>(), Fixtures.host(), "base");

        Map<String, Object> top = stateTop.render(context);
        Map<String, List<String>> names = StateTop.select(top, FLEET, "lab-07", grains(), pillar());

        assertEquals(List.of("_tops/base/qvm.sys-net.top", "_tops/base/qvm.sys-usb.top", "_tops/user/mine.top"),
                stateTop.enabledTops());
        assertEquals(List.of("match", "local", "qvm.sys-net", "qvm.sys-usb"),
                ((List<?>) ((Map<?, ?>) top.get("base")).get("dom0")).stream()
                        .map(item -> item instanceof Map<?, ?> ? "match" : item).toList());
        assertEquals(Map.of("base", List.of("common", "local", "qvm.sys-net", "qvm.sys-usb"),
                "user", List.of("mine", "qubes-only")), names);
        assertEquals(List.of("base", "user"), List.copyOf(names.keySet()));
    }
}
