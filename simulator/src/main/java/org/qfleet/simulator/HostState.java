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

    private static JsonNode read(Path stateFile) throws IOException {
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
