package org.qfleet.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Faults injected into one simulated host, stored in {@code DIR/hosts/ID/faults.json}, which the
 * host's SSH server reads at each login and exec and the simulated tools read at each run.
 *
 * <p>Kinds, written {@code KIND[:ARG]}:
 * <ul>
 * <li>{@code fail[:TOOL]}: the simulated tool (a shell pattern, default every tool) exits 1 with
 *     the admin client's "Got empty response from qubesd" error;</li>
 * <li>{@code hang[:TOOL]}: the tool never exits (until the client closes the channel);</li>
 * <li>{@code slow:SECONDS[:TOOL]}: the tool waits SECONDS before it runs;</li>
 * <li>{@code auth-refused}: the server rejects every key;</li>
 * <li>{@code drop-after:BYTES}: the server closes the connection once an exec has sent BYTES
 *     bytes of stdout;</li>
 * <li>{@code no-python3}: {@code python3} on the exec PATH fails as a missing command does
 *     ({@code /usr/bin/python3} named by its full path still runs).</li>
 * </ul>
 */
public final class Faults {

    /** The kinds of fault, in the order the help text lists them. */
    public static final List<String> KINDS = List.of("fail", "hang", "slow", "auth-refused", "drop-after",
            "no-python3");

    static final String FILE_NAME = "faults.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<ObjectNode> faults;

    private Faults(List<ObjectNode> faults) {
        this.faults = faults;
    }

    /** Returns the host's faults; a missing file means none. */
    static Faults read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Faults(List.of());
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("invalid fault file " + file + ": " + e.getMessage()
                    + "; clear it with: bin/qfleet-sim fault --dir DIR HOST none", e);
        }
        List<ObjectNode> list = new ArrayList<>();
        root.path("faults").forEach(node -> list.add((ObjectNode) node));
        return new Faults(list);
    }

    /** Returns the host's faults, or none with a warning in the log when the file is invalid. */
    static Faults readOrNone(Path file) {
        try {
            return read(file);
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(Faults.class).warn("ignoring faults: {}", e.getMessage());
            return new Faults(List.of());
        }
    }

    /** Returns the host's faults as {@code KIND[:ARG]} specs, as {@link #write} takes them. */
    static List<String> specs(Path file) throws IOException {
        List<String> specs = new ArrayList<>();
        for (ObjectNode node : read(file).faults) {
            String kind = node.path("kind").asText();
            switch (kind) {
                case "fail", "hang" -> specs.add(kind + ":" + node.path("tool").asText("*"));
                case "slow" -> specs.add(kind + ":" + node.path("seconds").asDouble() + ":" + node.path("tool").asText("*"));
                case "drop-after" -> specs.add(kind + ":" + node.path("bytes").asLong());
                default -> specs.add(kind);
            }
        }
        return specs;
    }

    /** Returns whether a fault of this kind is set. */
    boolean has(String kind) {
        return find(kind).isPresent();
    }

    /** Returns the byte count of the drop-after fault, or -1 when it is not set. */
    long dropAfterBytes() {
        return find("drop-after").map(node -> node.path("bytes").asLong()).orElse(-1L);
    }

    private Optional<ObjectNode> find(String kind) {
        return faults.stream().filter(node -> kind.equals(node.path("kind").asText())).findFirst();
    }

    /**
     * Parses {@code KIND[:ARG]} into the JSON object stored in the fault file.
     *
     * @throws IllegalArgumentException naming the spec and the expected form when it is invalid
     */
    static ObjectNode parse(String spec) {
        String[] parts = spec.split(":", 2);
        String kind = parts[0];
        String arg = parts.length > 1 ? parts[1] : "";
        ObjectNode node = JSON.createObjectNode();
        node.put("kind", kind);
        switch (kind) {
            case "fail", "hang" -> node.put("tool", arg.isEmpty() ? "*" : arg);
            case "slow" -> {
                String[] slow = arg.split(":", 2);
                node.put("seconds", parseNumber(spec, slow[0], "slow:SECONDS[:TOOL]"));
                node.put("tool", slow.length > 1 && !slow[1].isEmpty() ? slow[1] : "*");
            }
            case "drop-after" -> node.put("bytes", (long) parseNumber(spec, arg, "drop-after:BYTES"));
            case "auth-refused", "no-python3" -> {
                if (!arg.isEmpty()) {
                    throw new IllegalArgumentException("fault '" + spec + "': " + kind + " takes no argument");
                }
            }
            default -> throw new IllegalArgumentException("unknown fault kind '" + kind + "' in '" + spec
                    + "'; use one of: " + String.join(", ", KINDS));
        }
        return node;
    }

    private static double parseNumber(String spec, String text, String form) {
        try {
            double value = Double.parseDouble(text);
            if (value < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fault '" + spec + "': '" + text
                    + "' is not a non-negative number; write " + form);
        }
    }

    /** Replaces the host's faults with {@code specs} (each {@code KIND[:ARG]}); none clears them. */
    static void write(Path file, List<String> specs) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("faults");
        for (String spec : specs) {
            list.add(parse(spec));
        }
        Files.createDirectories(file.getParent());
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
