package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.qfleet.states.render.Data.assertData;
import static org.qfleet.states.render.Data.list;
import static org.qfleet.states.render.Data.map;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders formulas written in the style of the Qubes virtual-machines formula. The expected
 * data is what Salt 3006 (Jinja2 3.1.2, PyYAML 6.0) rendered from the same files, grains
 * and pillar.
 */
class SaltRendererTest {

    private final SaltRenderer renderer = new SaltRenderer(Fixtures.formulaRoots());

    @Test
    void loadMacroEmitsVmStateForMissingQube() throws Exception {
        LocalHost host = Fixtures.host();
        Map<String, Object> rendered = renderer.renderSls("qvm.sys-net", Fixtures.context("dom0", host));

        assertData(map("sys-net", map("qvm.vm", list(
                map("name", "sys-net"),
                map("present", list(map("label", "red"), map("template", "fedora-42-xfce"), map("flags", list("net")))),
                map("prefs", list(map("netvm", ""), map("virt_mode", "hvm"), map("autostart", true),
                        map("provides-network", true), map("memory", 300),
                        map("pcidevs", list("00:19.0", "03:00.0")))),
                map("service", list(map("enable", list("clocksync")), map("disable", list("meminfo-writer")))),
                map("features", list(map("enable", list("servicevm")))),
                map("actions", list("present", "prefs", "service", "features"))))), rendered);
        assertEquals(List.of("qubes-prefs default-template"), host.commands);
    }

    @Test
    void loadMacroSkipsExistingQube() throws Exception {
        Map<String, Object> rendered = renderer.renderSls("qvm.sys-net", Fixtures.context("lab-07", Fixtures.host("sys-net")));

        assertData(map("sys-net", map("qvm.exists", list())), rendered);
    }

    @Test
    void pillarListReplacesFormulaList() throws Exception {
        Map<String, Object> rendered = renderer.renderSls("qvm.sys-net", Fixtures.context("lab-05", Fixtures.host()));

        List<?> state = (List<?>) ((Map<?, ?>) rendered.get("sys-net")).get("qvm.vm");
        assertData(map("prefs", list(map("netvm", ""), map("memory", 400))), state.get(2));
    }

    @Test
    void includeListFollowsPillarConditions() throws Exception {
        Map<String, Object> lab = renderer.renderSls("qvm.sys-firewall", Fixtures.context("lab-01", Fixtures.host()));
        Map<String, Object> dom0 = renderer.renderSls("qvm.sys-firewall", Fixtures.context("dom0", Fixtures.host()));

        assertData(list("qvm.sys-net", "qvm.default-dispvm"), lab.get("include"));
        assertData(list("qvm.sys-net"), dom0.get("include"));
        assertData(map("qvm.vm", list(
                map("name", "sys-firewall"),
                map("require", list(map("qvm", "sys-net"))),
                map("present", list(map("label", "green"))),
                map("prefs", list(map("netvm", "sys-net"), map("autostart", true), map("provides-network", true),
                        map("memory", 500))),
                map("features", list(map("enable", list("servicevm")))),
                map("actions", list("present", "prefs", "features")))), dom0.get("sys-firewall"));
        assertEquals(List.of("include", "sys-firewall"), List.copyOf(dom0.keySet()));
    }

    @Test
    void importedNamespaceExportsVariables() throws Exception {
        Map<String, Object> lab = renderer.renderSls("qvm.sys-whonix", Fixtures.context("lab-01", Fixtures.host("sys-whonix")));
        Map<String, Object> dom0 = renderer.renderSls("qvm.sys-whonix", Fixtures.context("dom0", Fixtures.host()));

        assertEquals(List.of("include", "sys-whonix", "whonix-repo-17"), List.copyOf(lab.keySet()));
        assertData(map("test.succeed_without_changes", list(map("name", "qubes-templates-community-testing"))),
                lab.get("whonix-repo-17"));
        assertData(map("test.succeed_without_changes", list(map("name", "qubes-templates-community"))),
                dom0.get("whonix-repo-18"));
        List<?> forced = (List<?>) ((Map<?, ?>) lab.get("sys-whonix")).get("qvm.vm");
        assertData(map("present", list(map("template", "whonix-gateway-17"), map("label", "black"), map("mem", 500))),
                forced.get(2));
        assertData(map("actions", list("present", "prefs", "features", "tags")), forced.get(forced.size() - 1));
    }

    @Test
    void numericFiltersComputeFromShellOutput() throws Exception {
        Map<String, Object> rendered = renderer.renderSls("qvm.disposable-preload", Fixtures.context("dom0", Fixtures.host()));

        assertData(map("dom0-preload", map("qvm.vm", list(map("name", "dom0"),
                map("features", list(map("set", list(
                        map("preload-dispvm-threshold", 1638), map("preload-dispvm-max", 4)))))))), rendered);
    }

    @Test
    void slsNamesResolveToFileOrInit(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/init.sls"), "x: 1\n");
        Files.writeString(root.resolve("a/c.sls"), "");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));

        assertTrue(local.slsExists("a.b"));
        assertTrue(local.slsExists("a.c"));
        assertFalse(local.slsExists("a.d"));
        assertEquals(root.resolve("a/b/init.sls").toAbsolutePath(), local.slsPath("a.b"));
        assertData(map(), local.renderSls("a.c", Fixtures.context("dom0", Fixtures.host())));
        RenderException missing = assertThrows(RenderException.class, () -> local.slsPath("a.d"));
        assertEquals("SLS 'a.d' not found: no a/d.sls or a/d/init.sls in file roots [" + root.toAbsolutePath()
                + "]; check the SLS name or the file roots", missing.getMessage());
    }

    @Test
    void firstRootHoldingFileWins(@TempDir Path root) throws Exception {
        Path site = Files.createDirectories(root.resolve("site"));
        Path vendor = Files.createDirectories(root.resolve("vendor"));
        Files.writeString(site.resolve("pick.sls"), "origin: site\n");
        Files.writeString(vendor.resolve("pick.sls"), "origin: vendor\n");
        Files.writeString(vendor.resolve("only.sls"), "{% from 'pick.jinja' import origin %}origin: {{ origin }}\n");
        Files.writeString(vendor.resolve("pick.jinja"), "{% set origin = 'vendor-jinja' %}");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(site, vendor)));
        RenderContext context = Fixtures.context("dom0", Fixtures.host());

        assertData(map("origin", "site"), local.renderSls("pick", context));
        assertData(map("origin", "vendor-jinja"), local.renderSls("only", context));
    }

    @Test
    void shebangSelectsRenderer(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("plain.sls"), "#!yaml\nvalue: '{{ not_jinja }}'\n");
        Files.writeString(root.resolve("piped.sls"), "#!jinja|yaml\nvalue: {{ 1 + 1 }}\n");
        Files.writeString(root.resolve("python.sls"), "#!py\ndef run():\n    return {}\n");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));
        RenderContext context = Fixtures.context("dom0", Fixtures.host());

        assertData(map("value", "{{ not_jinja }}"), local.renderSls("plain", context));
        assertData(map("value", 2), local.renderSls("piped", context));
        RenderException python = assertThrows(RenderException.class, () -> local.renderSls("python", context));
        assertEquals("renderer '#!py' is not supported by qfleet; qfleet renders '#!jinja|yaml' (the default),"
                + " '#!yaml', '#!jinja|json' and '#!json', so rewrite the file for one of them", python.getMessage());
        assertEquals(1, python.line());
    }

    @Test
    void renderTextKeepsJinjaOutput(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("files"));
        Files.writeString(root.resolve("files/motd"), "Host {{ grains['id'] }}\n{% for n in [1, 2] %}{{ n }}{% endfor %}\n");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));

        assertEquals("Host lab-02\n12\n", local.renderText("files/motd", Fixtures.context("lab-02", Fixtures.host())));
    }

    @Test
    void templatePathVariablesDescribeFile(@TempDir Path root) throws Exception {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/init.sls"),
                "paths: ['{{ tplpath }}', '{{ tplfile }}', '{{ tpldir }}', '{{ tpldot }}', '{{ slspath }}', '{{ sls }}']\n");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));

        Object rendered = local.renderSls("a.b", Fixtures.context("dom0", Fixtures.host()));

        assertData(map("paths", list(root.resolve("a/b/init.sls").toAbsolutePath().toString(), "a/b/init.sls",
                "a/b", "a.b", "a/b", "a.b")), rendered);
    }

    @Test
    void renderFileRendersTopFile() throws Exception {
        Map<String, Object> top = renderer.renderFile("top.sls", Fixtures.context("dom0", Fixtures.host()));

        assertData(map("base", map("dom0", list(map("match", "nodegroup"), "qvm.sys-net"))), top);
    }

    @Test
    void templateChangesStayInItsCopy(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("mutate.sls"), String.join("\n",
                "{% do pillar.update({'injected': True}) %}",
                "{% do grains.pci_net_devs.append('99:00.0') %}",
                "seen: {{ salt['pillar.get']('injected') }}",
                ""));
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));
        RenderContext context = Fixtures.context("lab-01", Fixtures.host());
        String pillarBefore = PythonRepr.repr(context.pillar());
        String grainsBefore = PythonRepr.repr(context.grains());

        assertData(map("seen", true), local.renderSls("mutate", context));
        assertEquals(pillarBefore, PythonRepr.repr(context.pillar()));
        assertEquals(grainsBefore, PythonRepr.repr(context.grains()));
    }
}
