package org.qfleet.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a simulated host's state file (written by the simulated qvm-* tools) and renders the
 * summary that {@code qfleet-sim show} prints.
 */
final class HostState {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private HostState() {
    }

    /**
     * Returns the host's qubes as pretty-printed JSON: {@code host}, {@code vms} (sorted by name,
     * each with class, state, label, explicitly set properties, features and sorted tags) and
     * {@code global} (explicitly set global properties).
     */
    static String showJson(Path stateFile) throws IOException {
        JsonNode state = read(stateFile);
        ObjectNode show = JSON.createObjectNode();
        show.put("host", state.path("host").asText());
        ObjectNode vms = show.putObject("vms");
        for (Map.Entry<String, JsonNode> entry : sortedFields(state.path("vms")).entrySet()) {
            JsonNode vm = entry.getValue();
            ObjectNode summary = vms.putObject(entry.getKey());
            summary.put("class", vm.path("class").asText());
            summary.put("state", vm.path("state").asText());
            summary.put("label", vm.path("label").asText());
            summary.set("properties", sortedObject(vm.path("properties")));
            summary.set("features", sortedObject(vm.path("features")));
            ArrayNode tags = summary.putArray("tags");
            List<String> tagList = new ArrayList<>();
            vm.path("tags").forEach(tag -> tagList.add(tag.asText()));
            Collections.sort(tagList);
            tagList.forEach(tags::add);
        }
        show.set("global", sortedObject(state.path("global")));
        return JSON.writeValueAsString(show);
    }

    /** Hardware fact names that a hardware file may set, besides {@code hosts}. */
    static final List<String> HARDWARE_KEYS = List.of("hostname", "qubes_release", "kernel_cmdline", "xen_cmdline",
            "memory_mb", "cpus", "pci_devices");

    private static final List<String> PCI_KEYS = List.of("slot", "class", "class_name", "vendor", "vendor_name",
            "device", "device_name", "revision");

    /**
     * Prepares one host's state at fleet start: writes {@code seed} when {@code reseed} is set or
     * the state file is missing, fills in hardware facts that an older state file lacks from the
     * seed, and applies {@code hardware} (facts from a hardware file, or null).
     */
    static void prepare(Path stateFile, String hostId, String seedJson, boolean reseed, ObjectNode hardware)
            throws IOException {
        ObjectNode seed = (ObjectNode) JSON.readTree(seedJson);
        ObjectNode state;
        if (reseed || !Files.exists(stateFile)) {
            state = seed.deepCopy();
            state.put("host", hostId);
        } else {
            state = (ObjectNode) read(stateFile);
        }
        ObjectNode facts = seed.path("hardware").isObject()
                ? ((ObjectNode) seed.path("hardware")).deepCopy() : JSON.createObjectNode();
        if (state.path("hardware").isObject()) {
            facts.setAll((ObjectNode) state.path("hardware"));
        }
        if (hardware != null) {
            facts.setAll(hardware);
        }
        state.set("hardware", facts);
        writeState(stateFile, state);
    }

    /**
     * Reads and checks a hardware file: a JSON object of facts ({@link #HARDWARE_KEYS}) for every
     * host, with an optional {@code hosts} object of per-host facts. Returns the facts of one host.
     *
     * @throws IOException naming the file, the key and the value when the file is invalid
     */
    static ObjectNode hardwareFor(Path file, JsonNode root, String hostId) throws IOException {
        if (!root.isObject()) {
            throw new IOException("hardware file " + file + " must contain a JSON object, found " + root.getNodeType());
        }
        ObjectNode facts = JSON.createObjectNode();
        checkFacts(file, "", root, true);
        root.fields().forEachRemaining(field -> {
            if (!field.getKey().equals("hosts")) {
                facts.set(field.getKey(), field.getValue());
            }
        });
        JsonNode own = root.path("hosts").path(hostId);
        if (own.isObject()) {
            checkFacts(file, "hosts." + hostId + ".", own, false);
            facts.setAll((ObjectNode) own);
        }
        return facts;
    }

    private static void checkFacts(Path file, String prefix, JsonNode facts, boolean top) throws IOException {
        for (Iterator<Map.Entry<String, JsonNode>> it = facts.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            String where = "hardware file " + file + ": " + prefix + key;
            if (top && key.equals("hosts")) {
                if (!value.isObject()) {
                    throw new IOException(where + " must be an object of host ID to facts");
                }
                continue;
            }
            if (!HARDWARE_KEYS.contains(key)) {
                throw new IOException(where + " is not a hardware fact; use: " + String.join(", ", HARDWARE_KEYS));
            }
            if ((key.equals("memory_mb") || key.equals("cpus")) && !(value.isInt() && value.asInt() > 0)) {
                throw new IOException(where + " must be a positive integer, found " + value);
            }
            if (key.equals("pci_devices")) {
                checkPciDevices(where, value);
            } else if (!key.equals("memory_mb") && !key.equals("cpus") && !value.isTextual()) {
                throw new IOException(where + " must be a string, found " + value);
            }
        }
    }

    private static void checkPciDevices(String where, JsonNode devices) throws IOException {
        if (!devices.isArray()) {
            throw new IOException(where + " must be a list of devices, found " + devices);
        }
        for (int i = 0; i < devices.size(); i++) {
            JsonNode device = devices.get(i);
            String at = where + "[" + i + "]";
            for (String required : List.of("slot", "class", "vendor", "device")) {
                if (!device.path(required).isTextual()) {
                    throw new IOException(at + " lacks the string field '" + required + "'");
                }
            }
            if (!device.path("class").asText().matches("[0-9a-f]{4}")) {
                throw new IOException(at + ".class must be 4 lower-case hex digits like 0280, found '"
                        + device.path("class").asText() + "'");
            }
            for (Iterator<String> names = device.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!PCI_KEYS.contains(name)) {
                    throw new IOException(at + "." + name + " is not a device field; use: " + String.join(", ", PCI_KEYS));
                }
            }
            ObjectNode filled = (ObjectNode) device;
            filled.put("class_name", device.path("class_name").asText("Class " + device.path("class").asText()));
            filled.put("vendor_name", device.path("vendor_name").asText("Vendor " + device.path("vendor").asText()));
            filled.put("device_name", device.path("device_name").asText("Device " + device.path("device").asText()));
            filled.put("revision", device.path("revision").asText(""));
        }
    }

    /**
     * Writes the files under the host's root directory ({@code QUBES_SIM_ROOT}) that a formula
     * reads on a real dom0: {@code etc/qubes-release}, {@code etc/hostname} and {@code proc/cmdline}.
     */
    static void writeRootFiles(Path stateFile, Path rootDir) throws IOException {
        JsonNode state = read(stateFile);
        JsonNode facts = state.path("hardware");
        String hostname = facts.path("hostname").asText("");
        if (hostname.isEmpty()) {
            hostname = state.path("host").asText();
        }
        String release = facts.path("qubes_release").asText("4.2.4");
        String major = release.replaceAll("^(\\d+\\.\\d+).*", "$1");
        Files.createDirectories(rootDir.resolve("etc"));
        Files.createDirectories(rootDir.resolve("proc"));
        Files.writeString(rootDir.resolve("etc/qubes-release"), "Qubes release " + release + " (R" + major + ")\n");
        Files.writeString(rootDir.resolve("etc/hostname"), hostname + "\n");
        Files.writeString(rootDir.resolve("proc/cmdline"), facts.path("kernel_cmdline").asText("") + "\n");
    }

    private static void writeState(Path stateFile, JsonNode state) throws IOException {
        Files.createDirectories(stateFile.getParent());
        Path temp = stateFile.resolveSibling(stateFile.getFileName() + ".new");
        Files.writeString(temp, JSON.writeValueAsString(state) + "\n");
        Files.move(temp, stateFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes {@code seed} as the state of host {@code hostId}, replacing any existing state. */
    static void writeSeed(Path stateFile, String seedJson, String hostId) throws IOException {
        ObjectNode state = (ObjectNode) JSON.readTree(seedJson);
        state.put("host", hostId);
        Files.createDirectories(stateFile.getParent());
        Path temp = stateFile.resolveSibling(stateFile.getFileName() + ".new");
        Files.writeString(temp, JSON.writeValueAsString(state) + "\n");
        Files.move(temp, stateFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static JsonNode read(Path stateFile) throws IOException {
        try {
            return JSON.readTree(stateFile.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException("invalid JSON in simulated host state " + stateFile + ": "
                    + e.getOriginalMessage() + "; restart the fleet with --fresh to reset it", e);
        }
    }

    private static Map<String, JsonNode> sortedFields(JsonNode object) {
        Map<String, JsonNode> sorted = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            sorted.put(field.getKey(), field.getValue());
        }
        return sorted;
    }

    private static ObjectNode sortedObject(JsonNode object) {
        ObjectNode result = JSON.createObjectNode();
        sortedFields(object).forEach(result::set);
        return result;
    }
}
