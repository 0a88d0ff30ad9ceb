package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.qfleet.states.MessageValues;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.Probe;
import org.qfleet.states.plan.Step;

/**
 * The steps of the qvm state functions. Each method reads an {@link Invocation}, records every
 * problem on it, and returns the steps, which are only used when no problem was recorded.
 */
final class QvmStates {

    private static final Pattern FEATURE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    private static final Pattern TAG_NAME = Pattern.compile("[a-zA-Z0-9_-]+");
    private static final List<String> CLASSES =
            List.of("AppVM", "TemplateVM", "StandaloneVM", "DispVM");

    private QvmStates() {}

    /**
     * qvm.present: creates the qube with {@code qvm-create} when {@code qvm-prefs QUBE} fails, which
     * it does for a qube that does not exist. An existing qube is left as it is, whatever its
     * template or label. The probe is the same property listing that the qube's qvm.prefs steps
     * read, so the shim runs it once for both.
     */
    static List<Step> present(Invocation call) {
        call.checkKnown(Set.of("template", "label", "class", "mem", "vcpus", "root_move_from",
                "root_copy_from"), Set.of("proxy", "net", "hvm", "hvm_template", "standalone", "quiet"));
        String qubeClass = qubeClass(call);
        String template = call.string("template");
        if (template != null) {
            call.checkQubeName("template", template);
        }
        String label = call.string("label");
        if (label == null) {
            call.error("missing argument 'label': qvm-create needs a label, one of "
                    + String.join(", ", QubeProperty.LABELS));
        } else if (!QubeProperty.LABELS.contains(label)) {
            call.errorIn("label", "invalid value for field 'label': " + MessageValues.quote(label)
                    + "; valid labels: "
                    + String.join(", ", QubeProperty.LABELS));
        }
        String memory = positiveInteger(call, "mem");
        String vcpus = positiveInteger(call, "vcpus");

        List<String> create = new ArrayList<>(List.of("qvm-create", call.name, "--class=" + qubeClass));
        addOption(create, "--root-move-from=", call.string("root_move_from"));
        addOption(create, "--root-copy-from=", call.string("root_copy_from"));
        addOption(create, "--template=", template);
        addOption(create, "--label=", label);
        // The properties that qvm-create sets, in the order of Qubes' qvm.present.
        Map<String, String> properties = new LinkedHashMap<>();
        if (memory != null) {
            properties.put("memory", memory);
        }
        if (vcpus != null) {
            properties.put("vcpus", vcpus);
        }
        if (call.hasFlag("hvm")) {
            properties.put("virt_mode", "hvm");
        }
        if (call.hasFlag("proxy") || call.hasFlag("net")) {
            properties.put("provides_network", "True");
        }
        if (call.hasFlag("net")) {
            properties.put("netvm", "");
        }
        properties.forEach((name, value) -> create.add("--property=" + name + "=" + value));

        Map<String, Object> created = new LinkedHashMap<>();
        created.put("class", qubeClass);
        if (template != null) {
            created.put("template", template);
        }
        created.put("label", label);
        created.putAll(properties);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("old", null);
        report.put("new", created);
        return List.of(new Step(call.group, call.name, call.name,
                Probe.exists(List.of("qvm-prefs", call.name)), Expect.present(true),
                List.of(create), call.name, report));
    }

    private static String qubeClass(Invocation call) {
        if (call.hasFlag("hvm_template")) {
            return "TemplateVM";
        }
        if (call.hasFlag("standalone")) {
            return "StandaloneVM";
        }
        String qubeClass = call.string("class");
        if (qubeClass == null) {
            return "AppVM";
        }
        if (!CLASSES.contains(qubeClass)) {
            call.errorIn("class", "invalid value for field 'class': " + MessageValues.quote(qubeClass)
                    + "; valid classes: "
                    + String.join(", ", CLASSES));
        }
        return qubeClass;
    }

    private static String positiveInteger(Invocation call, String key) {
        Object value = call.kwargs.get(key);
        if (value == null) {
            return null;
        }
        String decimal = ValueForms.decimal(value);
        if (decimal == null || decimal.startsWith("-") || decimal.equals("0")) {
            call.errorIn(key, "invalid value for field " + MessageValues.quote(key) + ": "
                    + MessageValues.quote(value)
                    + "; it must be a positive integer");
            return null;
        }
        return decimal;
    }

    private static void addOption(List<String> argv, String option, String value) {
        if (value != null) {
            argv.add(option + value);
        }
    }

    /** qvm.exists and qvm.missing: a pure check with {@code qvm-check}, which changes nothing. */
    static List<Step> check(Invocation call, boolean exists) {
        call.checkKnown(Set.of(), Set.of("quiet", "template"));
        List<String> argv = new ArrayList<>(List.of("qvm-check"));
        if (call.hasFlag("quiet")) {
            argv.add("--quiet");
        }
        if (call.hasFlag("template")) {
            argv.add("--template");
        }
        argv.add(call.name);
        // qvm-check exits 1 when the qube does not exist.
        return List.of(new Step(call.group, call.name, call.name, Probe.exit(argv),
                Expect.exit(exists ? 0 : 1), List.of(), null, null));
    }

    /** qvm.prefs: one step per property, read from the {@code qvm-prefs VM} table. */
    static List<Step> prefs(Invocation call) {
        // Every keyword is a property, checked one by one below; prefs takes no flags.
        call.checkKnown(Set.copyOf(call.kwargs.keySet()), Set.of());
        List<Step> steps = new ArrayList<>();
        Set<QubeProperty> seen = new LinkedHashSet<>();
        Object strictReset = call.kwargs.get("pci_strictreset");
        if (strictReset != null && !call.kwargs.containsKey("pcidevs")) {
            call.errorIn("pci_strictreset", "property 'pci_strictreset' works only together with 'pcidevs':"
                    + " it sets the no-strict-reset option of the PCI devices that pcidevs assigns");
        }
        for (Map.Entry<String, Object> entry : call.kwargs.entrySet()) {
            String key = entry.getKey();
            if (key.equals("pcidevs")) {
                // PCI devices are assignments, not a property that qvm-prefs sets.
                steps.addAll(QvmDevices.pcidevs(call, entry.getValue(), strictReset));
                continue;
            }
            if (key.equals("pci_strictreset")) {
                continue;
            }
            QubeProperty property = QubeProperty.find(key);
            if (property == null) {
                reportUnknownProperty(call, key);
                continue;
            }
            if (!seen.add(property)) {
                call.errorIn(key, "property " + MessageValues.quote(property.propertyName()) + " is given twice");
                continue;
            }
            Step step = prefStep(call, property, key, entry.getValue());
            if (step != null) {
                steps.add(step);
            }
        }
        return steps;
    }

    private static void reportUnknownProperty(Invocation call, String key) {
        if (QubeProperty.READ_ONLY.contains(key)) {
            call.errorIn(key, "property " + MessageValues.quote(key)
                    + " is read-only and cannot be set with qvm.prefs");
        } else {
            call.errorIn(key, "unknown property " + MessageValues.quote(key) + "."
                    + Suggestions.didYouMean(key.replace('-', '_'), QubeProperty.names())
                    + " Valid properties: " + QubeProperty.validNames());
        }
    }

    private static Step prefStep(Invocation call, QubeProperty property, String key, Object value) {
        String name = property.propertyName();
        Probe probe = Probe.prefs(call.name, name, property.type == QubeProperty.Type.QUBE);
        if ("*default*".equals(value)) {
            return new Step(call.group, name, call.name, probe, Expect.atDefault(),
                    List.of(List.of("qvm-prefs", "-D", call.name, name)), null, null);
        }
        String text = prefValue(call, property, key, value);
        if (text == null) {
            return null;
        }
        return new Step(call.group, name, call.name, probe, Expect.value(text),
                List.of(List.of("qvm-prefs", call.name, name, text)), null, null);
    }

    /**
     * Returns the value as qvm-prefs prints it, so that a converged qube compares equal: booleans
     * {@code True}/{@code False}, integers in decimal, qubes by name with {@code none} and
     * {@code ''} as the empty string. Records an error and returns null for an invalid value.
     *
     * @param key the property's key in the SLS, an alias or spelling of its name, for the error's line
     */
    static String prefValue(Invocation call, QubeProperty property, String key, Object value) {
        String field = property.propertyName();
        switch (property.type) {
            case BOOLEAN -> {
                String bool = ValueForms.pythonBoolean(value);
                if (bool == null) {
                    call.errorIn(key, "invalid value for field " + MessageValues.quote(field) + ": "
                            + MessageValues.quote(value)
                            + "; it must be a boolean: True or False");
                }
                return bool;
            }
            case INTEGER -> {
                String decimal = ValueForms.decimal(value);
                if (decimal == null) {
                    call.errorIn(key, "invalid value for field " + MessageValues.quote(field) + ": "
                            + MessageValues.quote(value)
                            + "; it must be an integer");
                }
                return decimal;
            }
            case QUBE -> {
                if (value == null || value.equals("") || "none".equalsIgnoreCase(String.valueOf(value))) {
                    return "";
                }
                if (!(value instanceof String qube)) {
                    call.errorIn(key, "invalid value for field " + MessageValues.quote(field) + ": "
                            + MessageValues.quote(value)
                            + "; it must be a qube name, or none");
                    return null;
                }
                return call.checkQubeName(field, qube) ? qube : null;
            }
            case LABEL -> {
                if (!QubeProperty.LABELS.contains(String.valueOf(value))) {
                    call.errorIn(key, "invalid value for field " + MessageValues.quote(field) + ": "
                            + MessageValues.quote(value)
                            + "; valid labels: " + String.join(", ", QubeProperty.LABELS));
                    return null;
                }
                return String.valueOf(value);
            }
            case VIRT_MODE -> {
                String mode = String.valueOf(value).toLowerCase(java.util.Locale.ROOT);
                if (!QubeProperty.VIRT_MODES.contains(mode)) {
                    call.errorIn(key, "invalid value for field " + MessageValues.quote(field) + ": "
                            + MessageValues.quote(value)
                            + "; valid modes: " + String.join(", ", QubeProperty.VIRT_MODES));
                    return null;
                }
                return mode;
            }
            default -> {
                boolean noDevices = property == QubeProperty.DEVICES_DENIED
                        && "none".equalsIgnoreCase(String.valueOf(value));
                if (value == null || noDevices) {
                    // Qubes' prefs state also takes none as "no device denied".
                    return "";
                }
                if (value instanceof List || value instanceof Map) {
                    call.errorIn(key, "invalid value for field " + MessageValues.quote(field) + ": "
                            + MessageValues.quote(value)
                            + "; it must be a single value");
                    return null;
                }
                return ValueForms.pythonString(value);
            }
        }
    }

    /** qvm.features: {@code enable}, {@code disable}, {@code default} and {@code set}. */
    static List<Step> features(Invocation call) {
        Set<String> actions = Set.of("enable", "disable", "default", "set");
        call.checkKnown(actions, Set.of());
        List<Step> steps = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Map.Entry<String, Object> entry : call.kwargs.entrySet()) {
            String action = entry.getKey();
            if (!actions.contains(action)) {
                // checkKnown reported it, and its entries would only add errors about a misread list.
                continue;
            }
            if (action.equals("set")) {
                for (Map.Entry<String, Object> feature : featureValues(call, entry.getValue()).entrySet()) {
                    String value = featureValue(call, feature.getKey(), feature.getValue());
                    addFeatureStep(call, steps, seen, action, feature.getKey(), feature.getKey(), value);
                }
                continue;
            }
            for (Object feature : call.asList(action, entry.getValue())) {
                String value = switch (action) {
                    case "enable" -> "1";
                    case "disable" -> "";
                    default -> null;
                };
                addFeatureStep(call, steps, seen, action, String.valueOf(feature), String.valueOf(feature), value);
            }
        }
        return steps;
    }

    /**
     * qvm.service: {@code enable}, {@code disable} and {@code default} lists of qube services,
     * which qubesd stores as the features {@code service.<name>}: 1, empty, or absent.
     */
    static List<Step> service(Invocation call) {
        Set<String> actions = Set.of("enable", "disable", "default");
        call.checkKnown(actions, Set.of());
        List<Step> steps = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Map.Entry<String, Object> entry : call.kwargs.entrySet()) {
            if (!actions.contains(entry.getKey())) {
                // checkKnown reported it, and reading its list as 'default' would add a misleading error.
                continue;
            }
            String value = switch (entry.getKey()) {
                case "enable" -> "1";
                case "disable" -> "";
                default -> null;
            };
            for (Object service : call.asList(entry.getKey(), entry.getValue())) {
                String name = String.valueOf(service);
                addFeatureStep(call, steps, seen, entry.getKey(), name, "service." + name, value);
            }
        }
        return steps;
    }

    /** Reads {@code set}: a list of one-key mappings, or one mapping. */
    private static Map<String, Object> featureValues(Invocation call, Object value) {
        Map<String, Object> values = new LinkedHashMap<>();
        List<Object> items = value instanceof Map<?, ?> ? List.of(value) : call.asList("set", value);
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> map)) {
                call.errorAt(List.of("set", String.valueOf(item)), "entry " + MessageValues.quote(item)
                        + " of 'set' must be a mapping of feature to value,"
                        + " such as '- service.cups: 1'");
                continue;
            }
            map.forEach((feature, featureValue) -> values.put(String.valueOf(feature), featureValue));
        }
        return values;
    }

    /** Returns a feature value as qubesd stores it: {@code True} as 1, {@code False} as empty. */
    private static String featureValue(Invocation call, String feature, Object value) {
        if (value instanceof Boolean bool) {
            return bool ? "1" : "";
        }
        if (value == null || value instanceof List || value instanceof Map) {
            call.errorAt(List.of("set", feature), "invalid value for feature " + MessageValues.quote(feature)
                    + ": " + MessageValues.quote(value) + "; give a string"
                    + " or number, or list the feature under 'default' to remove it");
            return null;
        }
        String text = String.valueOf(value);
        if (!ValueForms.printableAscii(text)) {
            call.errorAt(List.of("set", feature), "invalid value for feature " + MessageValues.quote(feature)
                    + ": " + MessageValues.quote(text) + "; values must be printable ASCII");
            return null;
        }
        return text;
    }

    /**
     * Adds the step for one feature, reported in {@code changes} under {@code key}.
     *
     * @param list the argument that lists the feature, such as {@code set} or {@code enable}
     */
    private static void addFeatureStep(Invocation call, List<Step> steps, Set<String> seen,
            String list, String key, String feature, String value) {
        if (!FEATURE_NAME.matcher(key).matches()) {
            call.errorAt(List.of(list, key), "invalid name " + MessageValues.quote(key)
                    + "; feature and service names use letters, digits, '_', '.' and '-'");
            return;
        }
        if (!seen.add(feature)) {
            call.errorAt(List.of(list, key), MessageValues.quote(key) + " is given twice");
            return;
        }
        if (call.failed()) {
            return;
        }
        Probe probe = Probe.features(call.name, feature);
        if (value == null) {
            steps.add(new Step(call.group, key, call.name, probe, Expect.absent(),
                    List.of(List.of("qvm-features", "--unset", call.name, feature)), null, null));
        } else {
            steps.add(new Step(call.group, key, call.name, probe, Expect.value(value),
                    List.of(List.of("qvm-features", call.name, feature, value)), null, null));
        }
    }

    /** qvm.tags: {@code add}/{@code present} and {@code del}/{@code absent} lists. */
    static List<Step> tags(Invocation call) {
        Set<String> actions = Set.of("add", "present", "del", "absent");
        call.checkKnown(actions, Set.of());
        Map<String, Boolean> wanted = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : call.kwargs.entrySet()) {
            if (!actions.contains(entry.getKey())) {
                // checkKnown reported it, and reading its list as a removal would add a misleading error.
                continue;
            }
            boolean add = entry.getKey().equals("add") || entry.getKey().equals("present");
            for (Object item : call.asList(entry.getKey(), entry.getValue())) {
                String tag = String.valueOf(item);
                if (!TAG_NAME.matcher(tag).matches()) {
                    call.errorAt(List.of(entry.getKey(), tag), "invalid tag " + MessageValues.quote(tag)
                            + "; tags use letters, digits, '_' and '-'");
                    continue;
                }
                Boolean previous = wanted.putIfAbsent(tag, add);
                if (previous != null && previous != add) {
                    call.errorAt(List.of(entry.getKey(), tag), "tag " + MessageValues.quote(tag)
                            + " is both added and removed");
                }
            }
        }
        List<Step> steps = new ArrayList<>();
        List<String> list = List.of("qvm-tags", call.name, "list");
        wanted.forEach((tag, add) -> steps.add(new Step(call.group, tag, call.name,
                Probe.lines(list, tag), Expect.present(add),
                List.of(List.of("qvm-tags", call.name, add ? "add" : "del", tag)), null, null)));
        return steps;
    }

    /** qvm.template_installed: installs the template with {@code qvm-template} when missing. */
    static List<Step> templateInstalled(Invocation call) {
        call.checkKnown(Set.of("fromrepo", "pool"), Set.of());
        String repository = call.string("fromrepo");
        String pool = call.string("pool");
        List<String> install = new ArrayList<>(List.of("qvm-template"));
        if (repository != null) {
            install.add("--enablerepo=" + repository);
        }
        install.add("install");
        if (pool != null) {
            install.add("--pool=" + pool);
        }
        install.add(call.name);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("old", null);
        report.put("new", "installed");
        return List.of(new Step(call.group, call.name, call.name,
                Probe.exit(List.of("qvm-check", "--quiet", "--template", call.name)), Expect.exit(0),
                List.of(install), call.name, report));
    }
}
