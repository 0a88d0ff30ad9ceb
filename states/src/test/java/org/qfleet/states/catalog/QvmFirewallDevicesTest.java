package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Step;

/** Compile output and errors of qvm.firewall, qvm.devices and the pcidevs property. */
class QvmFirewallDevicesTest {

    @Test
    void firewallRulesTakeRawForm() throws Exception {
        Step step = compile("""
                work:
                  qvm.firewall:
                    - set:
                      - accept example.com tcp 443
                      - action=accept dsthost=10.1.2.3 proto=udp dstports=53
                      - {action: drop, proto: icmp, icmptype: 8, comment: no ping here}
                      - action=accept specialtarget=dns
                    - policy: drop
                """).steps().get(0);

        assertEquals(List.of("qvm-firewall", "--raw", "work", "list"), step.probe().argv());
        assertEquals(Expect.value(String.join("\n",
                "action=accept proto=tcp dsthost=example.com dstports=443-443",
                "action=accept proto=udp dst4=10.1.2.3/32 dstports=53-53",
                "action=drop proto=icmp icmptype=8 comment=no ping here",
                "action=accept specialtarget=dns",
                "action=drop")), step.expect());
    }

    @Test
    void firewallReplacesRulesFailClosed() throws Exception {
        Step step = compile("""
                work:
                  qvm.firewall:
                    - set:
                      - action=drop proto=icmp comment=no ping
                      - action=accept
                """).steps().get(0);

        assertEquals(List.of(
                List.of("qvm-firewall", "work", "reset"),
                List.of("qvm-firewall", "work", "add", "--before", "0", "action=drop"),
                List.of("qvm-firewall", "work", "add", "--before", "0", "action=drop", "proto=icmp",
                        "comment=no ping"),
                List.of("qvm-firewall", "work", "add", "--before", "1", "action=accept"),
                List.of("qvm-firewall", "work", "del", "--rule-no", "3"),
                List.of("qvm-firewall", "work", "del", "--rule-no", "2")), step.change());
    }

    @Test
    void firewallErrorsNameTheRule() {
        assertTrue(error("w:\n  qvm.firewall:\n    - set: [action=allow]\n")
                .contains("invalid rule 'action=allow': invalid action 'allow'; use accept or drop"));
        assertTrue(error("w:\n  qvm.firewall:\n    - set: [action=accept dstports=80]\n")
                .contains("dstports is valid only with proto=tcp or proto=udp"));
        assertTrue(error("w:\n  qvm.firewall:\n    - set: ['action=accept expire=+300']\n")
                .contains("never converges"));
        assertTrue(error("w:\n  qvm.firewall:\n    - set: [action=accept colour=red]\n")
                .contains("unknown key 'colour'; valid keys: action, comment,"));
        assertTrue(error("w:\n  qvm.firewall:\n    - policy: reject\n")
                .contains("invalid value for field 'policy': 'reject'; valid policies: accept, drop"));
        assertTrue(error("w:\n  qvm.firewall: []\n").contains("no rules: give 'set'"));
    }

    @Test
    void devicesAttachDetachesStaleOptionsFirst() throws Exception {
        List<Step> steps = compile("""
                sys-usb:
                  qvm.devices:
                    - attach:
                      - pci:dom0:00_14.0:
                        - no-strict-reset: true
                        - persistent: true
                      - 3c:00.0
                    - detach:
                      - dom0:00_1f.6
                """).steps();

        assertEquals(5, steps.size());
        Step stale = steps.get(0);
        assertEquals("sh", stale.probe().argv().get(0));
        assertEquals(List.of("qfleet-probe", "sys-usb", "dom0:00_14.0", "sys-usb (no-strict-reset=True)"),
                stale.probe().argv().subList(3, 7));
        assertEquals(List.of(List.of("qvm-device", "pci", "detach", "sys-usb", "dom0:00_14.0")), stale.change());
        Step attach = steps.get(1);
        assertEquals(Expect.value("sys-usb (no-strict-reset=True)"), attach.expect());
        assertEquals(List.of(List.of("qvm-device", "pci", "attach", "--persistent", "--option",
                "no-strict-reset=True", "sys-usb", "dom0:00_14.0")), attach.change());
        assertEquals(Expect.value("sys-usb"), steps.get(3).expect());
        assertEquals("dom0:3c_00.0", steps.get(3).key());
        Step detach = steps.get(4);
        assertEquals(Expect.value(""), detach.expect());
        assertEquals(List.of(List.of("qvm-device", "pci", "detach", "sys-usb", "dom0:00_1f.6")), detach.change());
    }

    @Test
    void devicesErrorsNameTheDevice() {
        assertTrue(error("x:\n  qvm.devices:\n    - attach: [usb:sys-usb:2-1]\n")
                .contains("invalid device 'usb:sys-usb:2-1'; write a PCI device as pci:dom0:00_14.0,"));
        assertTrue(error("x:\n  qvm.devices:\n    - attach: [{'00:14.0': {strict: true}}]\n")
                .contains("unknown option 'strict' of device '00:14.0'; valid options: no-strict-reset,"
                        + " permissive, persistent"));
        assertTrue(error("x:\n  qvm.devices:\n    - attach: ['00:14.0', dom0:00_14.0]\n")
                .contains("device 'dom0:00_14.0' is given twice"));
    }

    @Test
    void prefsPcidevsBecomeAssignments() throws Exception {
        List<Step> steps = compile("""
                sys-net:
                  qvm.prefs:
                    - memory: 400
                    - pcidevs: ['00:1f.6', '02:00.0']
                    - pci_strictreset: false
                """).steps();

        assertEquals(5, steps.size());
        assertEquals("memory", steps.get(0).key());
        assertEquals(Expect.value("sys-net (no-strict-reset=True)"), steps.get(2).expect());
        assertEquals("dom0:02_00.0", steps.get(4).key());
    }

    @Test
    void prefsEmptyPcidevsAsksNothing() throws Exception {
        assertEquals(List.of(), compile("sys-net:\n  qvm.prefs:\n    - pcidevs: []\n").steps());
    }

    @Test
    void prefsStrictResetNeedsPcidevs() {
        assertTrue(error("sys-net:\n  qvm.prefs:\n    - pci_strictreset: false\n")
                .contains("property 'pci_strictreset' works only together with 'pcidevs'"));
    }

    private static PlanChunk compile(String yaml) throws CompileException {
        return OneSls.compileAll(yaml).get(0);
    }

    private static String error(String yaml) {
        return assertThrows(CompileException.class, () -> compile(yaml)).getMessage();
    }
}
