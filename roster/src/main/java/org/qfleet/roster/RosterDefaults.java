package org.qfleet.roster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Validated {@code roster_defaults}: roster keys that apply under every entry. As in salt-ssh, each entry starts from
 * its own deep copy of the defaults and its keys replace whole values, so an entry's {@code grains} replace the
 * default {@code grains} rather than merging with them. The defaults apply to string entries too.
 */
public final class RosterDefaults {

    private static final RosterDefaults NONE = new RosterDefaults(new EnumMap<>(RosterKey.class), List.of());

    private final Map<RosterKey, Object> values;
    private final List<String> notices;

    private RosterDefaults(Map<RosterKey, Object> values, List<String> notices) {
        this.values = values;
        this.notices = List.copyOf(notices);
    }

    /** Returns defaults that set nothing. */
    public static RosterDefaults none() {
        return NONE;
    }

    /**
     * Validates the defaults, reporting every problem at once.
     *
     * @param values     the mapping from the configuration, such as {@code {user: admin, sudo: true}}
     * @param source     where the mapping was read, for messages, such as {@code /etc/qfleet/qfleet.yaml}
     * @param baseFolder the folder that a relative {@code priv} path is resolved against
     * @throws RosterException listing every unknown key and invalid value
     */
    public static RosterDefaults of(Map<?, ?> values, String source, Path baseFolder) throws RosterException {
        Objects.requireNonNull(values, "values");
        String where = source + ": roster_defaults: ";
        Map<RosterKey, Object> typed = new EnumMap<>(RosterKey.class);
        List<String> problems = new ArrayList<>();
        List<String> notices = new ArrayList<>();
        for (Map.Entry<?, ?> entry : values.entrySet()) {
            if (!(entry.getKey() instanceof String name)) {
                problems.add(where + "key " + RosterParser.describe(entry.getKey()) + " is "
                        + RosterParser.typeName(entry.getKey()) + ", not a string.");
                continue;
            }
            Optional<RosterKey> key = RosterKey.find(name);
            if (key.isEmpty()) {
                problems.add(where + RosterParser.unknownKeyMessage(name));
                continue;
            }
            if (key.get().ignoredBecause != null) {
                notices.add(where + "key '" + name + "' is ignored: " + key.get().ignoredBecause + ".");
                continue;
            }
            FieldCheck check = new FieldCheck(key.get(), entry.getValue(), where, baseFolder, problems);
            Object value = check.typed();
            if (!check.failed()) {
                typed.put(key.get(), value);
            }
        }
        if (!problems.isEmpty()) {
            String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
            throw new RosterException("Invalid roster_defaults in " + source + " (" + count + "):", problems);
        }
        return new RosterDefaults(typed, notices);
    }

    /** Returns a fresh deep copy of the typed values, for one entry to start from. */
    Map<RosterKey, Object> copyForEntry() {
        Map<RosterKey, Object> copy = new EnumMap<>(RosterKey.class);
        values.forEach((key, value) -> copy.put(key, RosterEntry.frozen(value)));
        return copy;
    }

    /** Returns the defaults by roster key, as the configuration spelled them, with secrets left out. */
    public Map<String, Object> withoutSecrets() {
        Map<String, Object> shown = new java.util.LinkedHashMap<>();
        values.forEach((key, value) -> {
            if (key.isSecret()) {
                shown.put(key.key, "***");
            } else if (value instanceof java.time.Duration duration) {
                shown.put(key.key, duration.toMillis() / 1000.0);
            } else {
                shown.put(key.key, value);
            }
        });
        return Collections.unmodifiableMap(shown);
    }

    /** Returns one notice per ignored key, such as salt-ssh's {@code thin_dir}. */
    public List<String> notices() {
        return notices;
    }
}
