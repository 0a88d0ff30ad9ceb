package org.qfleet.states.render;

import static org.qfleet.states.render.Data.assertData;
import static org.qfleet.states.render.Data.list;
import static org.qfleet.states.render.Data.map;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Renders {@code qvm.sys-usb}, written in the style of the Qubes formulas: a grain loop that
 * fills a list with {@code do}, the {@code load} macro imported with {@code from ... import},
 * {@code yaml(False) | indent} inside the macro, and a pillar key {@code qvm:sys-usb:name}
 * that renames the qube. The expected high data is what Salt 3006 rendered from the same
 * files, grains and pillar with {@code salt-call --local state.show_sls qvm.sys-usb}.
 */
class QubesIdiomsTest {

    private final SaltRenderer renderer = new SaltRenderer(Fixtures.formulaRoots());

    private static RenderContext context(String minionId) throws RenderException {
        RenderContext base = Fixtures.context(minionId, Fixtures.host());
        Map<String, Object> grains = Fixtures.grains(minionId);
        grains.put("pci_usb_devs", List.of("00:14.0", "04:00.0"));
        return new RenderContext(minionId, grains, base.pillar(), base.host(), "base");
    }

    private static List<Object> usbState(String name) {
        return list(
                map("name", name),
                map("present", list(map("label", "red"))),
                map("prefs", list(map("netvm", ""), map("pcidevs", list("00:14.0", "04:00.0")))),
                map("service", list(map("enable", list("qubes-input-sender-keyboard")))),
                map("features", list(map("set", list(map("assigned", "pci:dom0:00_14.0,pci:dom0:04_00.0"))))),
                map("actions", list("present", "prefs", "service", "features")));
    }

    @Test
    void grainLoopFillsFeatureList() throws Exception {
        Map<String, Object> rendered = renderer.renderSls("qvm.sys-usb", context("lab-02"));

        assertData(map("sys-usb", map("qvm.vm", usbState("sys-usb"))), rendered);
    }

    @Test
    void pillarNameRenamesQube() throws Exception {
        Map<String, Object> rendered = renderer.renderSls("qvm.sys-usb", context("lab-07"));

        assertData(map("sys-net", map("qvm.vm", usbState("sys-net"))), rendered);
    }
}
