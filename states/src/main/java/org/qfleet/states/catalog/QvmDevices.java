package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qfleet.states.MessageValues;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.Probe;
import org.qfleet.states.plan.Step;

/**
 * qvm.devices and the pcidevs property of qvm.prefs: persistent PCI assignments of dom0's
 * devices, made with {@code qvm-device pci attach --persistent}. A device is read from the
 * {@code USED BY} column of {@code qvm-device pci list QUBE}, which shows the qube and its
 * assignment options, such as {@code sys-usb (no-strict-reset=True)}.
 */
final class QvmDevices {

    /** Assignment options that qvm-device accepts for PCI devices, both booleans. */
    static final List<String> OPTIONS = List.of("no-strict-reset", "permissive");

    private static final Pattern SLOT = Pattern.compile("([0-9a-fA-F]{2})[:_]([0-9a-fA-F]{2})\\.([0-7])");

    /**
     * Prints the {@code USED BY} cell of device $2 in {@code qvm-device pci list $1}; the list of
     * one qube shows only the devices assigned to it, so the cell is empty otherwise.
     */
    // NOTE: the column layout is that of the simulator's qvm-device; the Qubes 4.2 layout is unverified.
    private static final String USED_BY = "qvm-device pci list \"$1\""
            + " | awk -v d=\"$2\" 'NR==1{p=index($0,\"USED BY\")} $1==d{print substr($0,p)}'";

    private QvmDevices() {}

    /** qvm.devices: {@code attach} and {@code detach} lists of PCI devices. */
    static List<Step> steps(Invocation call) {
        call.checkKnown(Set.of("attach", "detach"), Set.of());
        List<Step> steps = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Object entry : call.asList("attach", call.kwargs.get("attach"))) {
            Device device = parse(call, "attach", entry);
            if (device != null && noDuplicate(call, "attach", seen, device)) {
                steps.addAll(attachSteps(call, device));
            }
        }
        for (Object entry : call.asList("detach", call.kwargs.get("detach"))) {
            Device device = parse(call, "detach", entry);
            if (device != null && noDuplicate(call, "detach", seen, device)) {
                steps.add(detachStep(call, device));
            }
        }
        return steps;
    }

    /**
     * Returns the attach steps of the pcidevs property: slots such as {@code 00:14.0}, assigned
     * with {@code no-strict-reset} when {@code pci_strictreset} is false. Like Qubes' prefs state,
     * it only adds assignments, so {@code pcidevs: []} requests no device.
     */
    static List<Step> pcidevs(Invocation call, Object value, Object strictReset) {
        List<Step> steps = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        String strict = strictReset == null ? "True" : ValueForms.pythonBoolean(strictReset);
        if (strict == null) {
            call.errorIn("pci_strictreset", "invalid value for field 'pci_strictreset': "
                    + MessageValues.quote(strictReset) + "; it must be"
                    + " a boolean: True or False");
            return steps;
        }
        for (Object entry : call.asList("pcidevs", value)) {
            Device device = parse(call, "pcidevs", entry);
            if (device == null || !noDuplicate(call, "pcidevs", seen, device)) {
                continue;
            }
            if (strict.equals("False")) {
                device.options.put("no-strict-reset", "True");
            }
            steps.addAll(attachSteps(call, device));
        }
        return steps;
    }

    /**
     * A device ({@code dom0:00_14.0}) and its options, sorted by name as qvm-device lists them.
     *
     * @param written the device as the SLS writes it, under which the lines of its entry are stored
     */
    private record Device(String id, TreeMap<String, String> options, String written) {
        String usedBy(String qube) {
            if (options.isEmpty()) {
                return qube;
            }
            List<String> pairs = new ArrayList<>();
            options.forEach((key, value) -> pairs.add(key + "=" + value));
            return qube + " (" + String.join(", ", pairs) + ")";
        }
    }

    /**
     * Reads a device in any of the forms: {@code pci:dom0:00_14.0}, {@code dom0:00_14.0},
     * {@code 00:14.0}, each alone or as the key of a mapping whose value is its options: a
     * mapping, or Qubes' list of one-key mappings. {@code persistent: true} is accepted because
     * every assignment made here is persistent.
     *
     * @param list the argument that lists the device, such as {@code attach}
     */
    private static Device parse(Invocation call, String list, Object entry) {
        Object key = entry;
        Object options = null;
        if (entry instanceof Map<?, ?> map) {
            if (map.size() != 1) {
                call.errorIn(list, "invalid device " + MessageValues.quote(entry)
                        + "; give one device per entry, such as"
                        + " '- dom0:00_14.0: {no-strict-reset: true}'");
                return null;
            }
            Map.Entry<?, ?> only = map.entrySet().iterator().next();
            key = only.getKey();
            options = only.getValue();
        }
        String written = String.valueOf(key);
        String id = deviceId(written);
        if (id == null) {
            call.errorAt(List.of(list, written), "invalid device " + MessageValues.quote(key)
                    + "; write a PCI device as pci:dom0:00_14.0,"
                    + " dom0:00_14.0 or 00:14.0");
            return null;
        }
        TreeMap<String, String> parsed = new TreeMap<>();
        List<Object> items = options == null ? List.of()
                : options instanceof Map<?, ?> ? List.of(options) : call.asList("options", options);
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> optionMap)) {
                call.errorAt(List.of(list, written), "invalid options of device " + MessageValues.quote(key)
                        + ": " + MessageValues.quote(item) + "; write options"
                        + " as name: value, such as 'no-strict-reset: true'");
                return null;
            }
            for (Map.Entry<?, ?> option : optionMap.entrySet()) {
                List<String> optionPath = List.of(list, written, String.valueOf(option.getKey()));
                String name = String.valueOf(option.getKey()).replace('_', '-');
                String bool = ValueForms.pythonBoolean(option.getValue());
                if (name.equals("persistent")) {
                    if (!"True".equals(bool)) {
                        call.errorAt(optionPath, "device " + MessageValues.quote(key)
                                + ": persistent must be true, because qfleet"
                                + " makes persistent assignments only");
                        return null;
                    }
                    continue;
                }
                if (!OPTIONS.contains(name)) {
                    call.errorAt(optionPath, "unknown option " + MessageValues.quote(name) + " of device "
                            + MessageValues.quote(key) + "; valid"
                            + " options: " + String.join(", ", OPTIONS) + ", persistent");
                    return null;
                }
                if (bool == null) {
                    call.errorAt(optionPath, "invalid value for option " + MessageValues.quote(name)
                            + " of device " + MessageValues.quote(key) + ": " + MessageValues.quote(option.getValue())
                            + "; it must be true or false");
                    return null;
                }
                if (bool.equals("True")) {
                    parsed.put(name, bool);
                }
            }
        }
        return new Device(id, parsed, written);
    }

    /** Returns {@code dom0:BB_DD.F} for the accepted spellings of a dom0 PCI device, or null. */
    static String deviceId(String text) {
        String rest = text.startsWith("pci:") ? text.substring(4) : text;
        if (rest.startsWith("dom0:")) {
            rest = rest.substring(5);
        }
        Matcher matcher = SLOT.matcher(rest);
        if (!matcher.matches()) {
            return null;
        }
        return "dom0:" + matcher.group(1).toLowerCase() + "_" + matcher.group(2).toLowerCase() + "."
                + matcher.group(3);
    }

    private static boolean noDuplicate(Invocation call, String list, Set<String> seen, Device device) {
        if (!seen.add(device.id())) {
            call.errorAt(List.of(list, device.written()), "device " + MessageValues.quote(device.id())
                    + " is given twice");
            return false;
        }
        return true;
    }

    /**
     * Returns the steps of one attached device: first a detach when the device is assigned to
     * the qube with other options, because qvm-device cannot change the options of an
     * assignment, then the attach.
     */
    private static List<Step> attachSteps(Invocation call, Device device) {
        String wanted = device.usedBy(call.name);
        List<String> keepOrFree = List.of("sh", "-c", "c=$(" + USED_BY + "); [ -z \"$c\" ] || [ \"$c\" = \"$3\" ]",
                "qfleet-probe", call.name, device.id(), wanted);
        Step detachStale = new Step(call.group, device.id(), call.name, Probe.exit(keepOrFree),
                Expect.exit(0), List.of(List.of("qvm-device", "pci", "detach", call.name, device.id())),
                null, null);
        List<String> attach = new ArrayList<>(List.of("qvm-device", "pci", "attach", "--persistent"));
        device.options().forEach((key, value) -> {
            attach.add("--option");
            attach.add(key + "=" + value);
        });
        attach.add(call.name);
        attach.add(device.id());
        Step attachStep = new Step(call.group, device.id(), call.name, usedByProbe(call.name, device),
                Expect.value(wanted), List.of(attach), null, null);
        return List.of(detachStale, attachStep);
    }

    private static Step detachStep(Invocation call, Device device) {
        return new Step(call.group, device.id(), call.name, usedByProbe(call.name, device),
                Expect.value(""), List.of(List.of("qvm-device", "pci", "detach", call.name, device.id())),
                null, null);
    }

    private static Probe usedByProbe(String qube, Device device) {
        return new Probe(List.of("sh", "-c", USED_BY, "qfleet-probe", qube, device.id()), "stdout",
                null, false);
    }
}
