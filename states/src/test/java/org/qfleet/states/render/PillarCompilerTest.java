package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.qfleet.states.render.Data.assertData;
import static org.qfleet.states.render.Data.list;
import static org.qfleet.states.render.Data.map;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles the fixture pillar tree for several minions. The expected pillars are what
 * Salt 3006's {@code pillar.items} returned for the same minion IDs and grains.
 */
class PillarCompilerTest {

    private final PillarCompiler compiler = new PillarCompiler(Fixtures.pillarRoots());

    @Test
    void globListPcreAndIncludeMerge() throws Exception {
        Object pillar = compiler.compile("lab-01", Fixtures.grains("lab-01"), Fixtures.host());

        assertData(map(
                "site", "lab",
                "qvm", map(
                        "sys-net", map("memory", 300, "prefs", list(map("netvm", ""), map("memory", 400))),
                        "sys-firewall", map("disposable", true),
                        "sys-usb", map("name", "sys-net", "mouse-action", "allow"),
                        "whonix", map("repo", "qubes-templates-community-testing", "version", 17)),
                "marker", "lab-01-qubes"), pillar);
    }

    @Test
    void pcreIsAnchoredAtStartOnly() throws Exception {
        Object pillar = compiler.compile("lab-42", Fixtures.grains("lab-42"), Fixtures.host());

        assertData(map(
                "site", "lab",
                "qvm", map(
                        "sys-net", map("memory", 300, "prefs", list(map("netvm", ""), map("memory", 400))),
                        "sys-firewall", map("disposable", true))), pillar);
    }

    @Test
    void onlyWildcardTargetMatchesOtherMinion() throws Exception {
        Object pillar = compiler.compile("dom0", Fixtures.grains("dom0"), Fixtures.host());

        assertData(map("site", "lab", "qvm", map("sys-net", map("memory", 300))), pillar);
    }

    @Test
    void missingTopGivesEmptyPillar(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("orphan.sls"), "a: 1\n");

        Object pillar = new PillarCompiler(new FileRoots(List.of(root))).compile("dom0", Fixtures.grains("dom0"),
                Fixtures.host());

        assertData(map(), pillar);
    }

    @Test
    void grainMatchUsesGrainValue(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("top.sls"), "base:\n  'os:Qub*':\n    - match: grain\n    - qubes\n");
        Files.writeString(root.resolve("qubes.sls"), "on_qubes: true\n");

        Object pillar = new PillarCompiler(new FileRoots(List.of(root))).compile("dom0", Fixtures.grains("dom0"),
                Fixtures.host());

        assertData(map("on_qubes", true), pillar);
    }

    @Test
    void duplicateTargetIsRejected(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("top.sls"), "base:\n  '*':\n    - a\n  '*':\n    - b\n");
        PillarCompiler duplicate = new PillarCompiler(new FileRoots(List.of(root)));

        RenderException error = assertThrows(RenderException.class,
                () -> duplicate.compile("dom0", Fixtures.grains("dom0"), Fixtures.host()));

        assertEquals(root.resolve("top.sls").toAbsolutePath(), error.file().orElseThrow());
        assertEquals(0, error.line());
        assertEquals("invalid YAML at line 4 of the rendered text: found conflicting ID '*'\n"
                + "    rendered text:\n"
                + "      1 | base:\n"
                + "      2 |   '*':\n"
                + "      3 |     - a\n"
                + "    > 4 |   '*':\n"
                + "      5 |     - b", error.getMessage());
    }

    @Test
    void unsupportedMatchTypeIsNamed(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("top.sls"), "base:\n  '10.0.0.0/8':\n    - match: ipcidr\n    - a\n");
        PillarCompiler ipcidr = new PillarCompiler(new FileRoots(List.of(root)));

        RenderException error = assertThrows(RenderException.class,
                () -> ipcidr.compile("dom0", Fixtures.grains("dom0"), Fixtures.host()));

        assertEquals(root.resolve("top.sls").toAbsolutePath(), error.file().orElseThrow());
        assertEquals("pillar top.sls: match type 'ipcidr' of target '10.0.0.0/8' is not supported by qfleet;"
                + " use glob, list, pcre, grain, grain_pcre, pillar, compound or nodegroup", error.getMessage());
    }

    @Test
    void qubesNodegroupsSelectDom0(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("top.sls"), String.join("\n",
                "base:",
                "  dom0:",
                "    - match: nodegroup",
                "    - admin",
                "  vm:",
                "    - match: nodegroup",
                "    - guest",
                "  'G@os:Qubes and not lab-*':",
                "    - match: compound",
                "    - compound",
                ""));
        Files.writeString(root.resolve("admin.sls"), "role: admin\n");
        Files.writeString(root.resolve("guest.sls"), "role: guest\n");
        Files.writeString(root.resolve("compound.sls"), "compound: true\n");
        PillarCompiler qubes = new PillarCompiler(new FileRoots(List.of(root)));

        assertData(map("role", "admin", "compound", true),
                qubes.compile("dom0", Fixtures.grains("dom0"), Fixtures.host()));
        assertData(map("role", "guest"), qubes.compile("lab-03", Fixtures.grains("lab-03"), Fixtures.host()));
    }
}
