package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.qfleet.states.EntryLines;
import org.qfleet.states.MessageValues;
import org.qfleet.states.SourceLine;
import org.qfleet.states.StateException;
import org.qfleet.states.catalog.Suggestions;
import org.qfleet.states.render.DeclarationLines;
import org.qfleet.states.render.RenderedSls;

/**
 * Compiles SLS files into low chunks in execution order, with Salt's rules: includes, state
 * declarations, {@code extend}, {@code exclude}, {@code names}, {@code state_auto_order},
 * {@code order}, every requisite of Salt 3006 but {@code onfail_stop} with its {@code _in}
 * form, and required chunks pulled ahead of the chunks that require them. Requisites are
 * resolved to tags here and evaluated by the shim; a cycle or a requisite that matches no
 * state is a compile error.
 *
 * <p>Only the {@code base} saltenv exists. Every problem found is collected, so one
 * {@link CompileException} lists them all.
 */
public final class HighStateCompiler {

    static final String SALTENV = "base";
    private static final Pattern RELATIVE_INCLUDE = Pattern.compile("^(\\.+)(.*)$");

    private final SlsSource source;
    /** The top file line that lists each SLS name, or null when that line is not known. */
    private final Function<String, SourceLine> topLines;

    public HighStateCompiler(SlsSource source) {
        this(source, sls -> null);
    }

    /**
     * Creates a compiler for SLS names that a top file selected, so that a missing SLS is
     * reported with the top file line that {@code topLines} returns for it (null when unknown).
     */
    public HighStateCompiler(SlsSource source, Function<String, SourceLine> topLines) {
        this.source = source;
        this.topLines = topLines;
    }

    /**
     * Renders the named SLS files and their includes and compiles them. The result is in
     * execution order: a chunk comes after every chunk it requires.
     */
    public List<LowChunk> compile(List<String> slsNames) throws CompileException {
        return gather(slsNames).compile();
    }

    /**
     * Compiles like {@link #compile} but returns the chunks in the order Salt's
     * {@code state.show_lowstate} prints them: sorted by order, before requisites pull
     * required chunks ahead.
     */
    public List<LowChunk> compileSorted(List<String> slsNames) throws CompileException {
        return gather(slsNames).compileSorted();
    }

    /**
     * Returns the high data of the named SLS files and their includes as Salt's
     * {@code state.show_sls} prints it: each state ID maps to its module argument lists, with
     * the function as a plain string and the automatic {@code order} stamped, plus
     * {@code __sls__} and {@code __env__}. {@code extend} and {@code exclude} are not applied
     * but listed under {@code __extend__} and {@code __exclude__}, as Salt does.
     *
     * <p>Unlike Salt, which checks only the structure, the whole compilation must succeed,
     * requisites included, so a run that would fail to compile fails here too.
     */
    public Map<String, Object> showSls(List<String> slsNames) throws CompileException {
        Gathering gathering = new Gathering();
        Map<String, IdDeclaration> high = gathering.renderAll(slsNames);
        Map<String, Object> shown = gathering.toSaltHigh(high);
        gathering.applyExtends(high);
        gathering.applyExcludes(high);
        new ChunkCompiler(high, gathering.errors, gathering.includedFrom).compile();
        return shown;
    }

    /**
     * Returns what Salt's {@code state.show_highstate} prints for {@code minionId}: the
     * {@link #showSls} data of the SLS files that the top file assigns to it in saltenv
     * {@code base}.
     */
    public Map<String, Object> showHighstate(Map<String, Object> top, String minionId)
            throws CompileException {
        return showSls(topSls(top, minionId, SALTENV));
    }

    private ChunkCompiler gather(List<String> slsNames) {
        Gathering gathering = new Gathering();
        Map<String, IdDeclaration> high = gathering.renderAll(slsNames);
        gathering.applyExtends(high);
        gathering.applyExcludes(high);
        return new ChunkCompiler(high, gathering.errors, gathering.includedFrom);
    }

    /**
     * Returns the SLS names that a top file assigns to {@code minionId} in {@code saltenv}, each
     * once, in file order. Targets are globs on the minion ID unless an entry {@code match:
     * list} or {@code match: pcre} selects another matcher.
     */
    public static List<String> topSls(Map<String, Object> top, String minionId, String saltenv)
            throws CompileException {
        return TopFile.select(top, minionId, saltenv);
    }

    /** The state of one compilation: what was rendered, extends, excludes and errors. */
    private final class Gathering {

        final Set<String> rendered = new HashSet<>();
        final List<String> errors = new ArrayList<>();
        final List<IdDeclaration> extensions = new ArrayList<>();
        final List<Object> excludes = new ArrayList<>();
        /** SLS name to the SLS files that include it directly. */
        final Map<String, Set<String>> includedFrom = new HashMap<>();
        int autoOrder = 10000;

        Map<String, IdDeclaration> renderAll(List<String> slsNames) {
            Map<String, IdDeclaration> high = new LinkedHashMap<>();
            for (String sls : slsNames) {
                if (!rendered.contains(sls)) {
                    merge(high, renderState(sls, null));
                }
            }
            return high;
        }

        /** Copies high data, extends and excludes into the structure Salt's show_sls returns. */
        Map<String, Object> toSaltHigh(Map<String, IdDeclaration> high) {
            Map<String, Object> shown = new LinkedHashMap<>();
            if (!extensions.isEmpty()) {
                List<Object> extend = new ArrayList<>();
                for (IdDeclaration extension : extensions) {
                    extend.add(singleton(extension.id, saltDeclaration(extension)));
                }
                shown.put("__extend__", extend);
            }
            if (!excludes.isEmpty()) {
                List<Object> exclude = new ArrayList<>();
                for (Object entry : excludes) {
                    exclude.add(entry instanceof String sls ? singleton("sls", sls) : deepCopy(entry));
                }
                shown.put("__exclude__", exclude);
            }
            for (IdDeclaration declaration : high.values()) {
                shown.put(declaration.id, saltDeclaration(declaration));
            }
            return shown;
        }

        private static Map<String, Object> saltDeclaration(IdDeclaration declaration) {
            Map<String, Object> body = new LinkedHashMap<>();
            declaration.modules.forEach((module, arguments) -> body.put(module, deepCopy(arguments)));
            body.put("__sls__", declaration.sls);
            body.put("__env__", SALTENV);
            return body;
        }

        /**
         * Renders one SLS file, then its includes, and numbers the file's own declarations after
         * the included ones, so included states run first.
         */
        Map<String, IdDeclaration> renderState(String sls, String includedFrom) {
            rendered.add(sls);
            Map<String, IdDeclaration> state = new LinkedHashMap<>();
            if (!source.exists(sls)) {
                errors.add(missingSls(sls, includedFrom));
                return state;
            }

            Map<String, Object> data;
            try {
                data = source.render(sls);
            } catch (StateException e) {
                errors.add("Rendering SLS '" + sls + "' failed: " + e.describe());
                return state;
            }
            if (data == null) {
                return state;
            }

            DeclarationLines lines = data instanceof RenderedSls rendered ? rendered.lines() : DeclarationLines.NONE;
            Map<Object, Object> body = new LinkedHashMap<>(data);
            List<String> includes = readIncludes(body.remove("include"), sls);
            readExtend(body.remove("extend"), sls, lines.extend());
            readExclude(body.remove("exclude"), sls);
            state.putAll(StateDeclarations.normalise(body, sls, lines, errors));

            for (String include : includes) {
                if (!rendered.contains(include)) {
                    merge(state, renderState(include, sls));
                }
            }
            numberDeclarations(state);
            return state;
        }

        /**
         * Describes an SLS that is not in the file roots: the roots, the two files searched (or
         * that a glob matched nothing), the include or top file line that named it, and a close
         * SLS name when one exists.
         */
        private String missingSls(String sls, String includedFrom) {
            StringBuilder message = new StringBuilder();
            SourceLine topLine = includedFrom == null ? topLines.apply(sls) : null;
            if (topLine != null) {
                message.append(topLine.prefix());
            }

            message.append("SLS '").append(sls).append("'");
            if (includedFrom != null) {
                message.append(" included from SLS '").append(includedFrom).append("'");
            }
            message.append(" was not found in the file roots");
            if (!source.fileRoots().isEmpty()) {
                message.append(' ').append(source.fileRoots());
            }

            String suggestion = "";
            if (Fnmatch.hasWildcards(sls)) {
                message.append(": the glob matches no SLS name.");
            } else {
                String base = sls.replace('.', '/');
                message.append(": neither ").append(base).append(".sls nor ").append(base)
                        .append("/init.sls exists.");
                List<String> names = source.names();
                suggestion = names == null ? "" : Suggestions.didYouMean(sls, names);
            }

            if (!suggestion.isEmpty()) {
                return message.append(suggestion).toString();
            }
            if (includedFrom != null) {
                return message.append(" Fix the include in SLS '").append(includedFrom)
                        .append("' or add the file to a file root.").toString();
            }
            return message.append(" Check the SLS name, or add the file to a file root.").toString();
        }

        private List<String> readIncludes(Object include, String sls) {
            List<String> names = new ArrayList<>();
            if (include == null) {
                return names;
            }
            if (!(include instanceof List<?> entries)) {
                errors.add("The include declaration in SLS '" + sls + "' must be a list, got: "
                        + include);
                return names;
            }
            for (Object entry : entries) {
                String name = includeName(entry, sls);
                if (name == null) {
                    continue;
                }
                for (String matched : expandGlob(name, sls)) {
                    names.add(matched);
                    includedFrom.computeIfAbsent(matched, unused -> new LinkedHashSet<>()).add(sls);
                }
            }
            return names;
        }

        private String includeName(Object entry, String sls) {
            Object value = entry;
            if (entry instanceof Map<?, ?> map && map.size() == 1) {
                Object saltenv = map.keySet().iterator().next();
                if (!SALTENV.equals(String.valueOf(saltenv))) {
                    errors.add("SLS '" + sls + "' includes " + map + " from saltenv '" + saltenv
                            + "', but only saltenv '" + SALTENV + "' exists; include '"
                            + map.get(saltenv) + "' without a saltenv");
                    return null;
                }
                value = map.get(saltenv);
            }
            if (!(value instanceof String name) || name.isEmpty()) {
                errors.add("SLS '" + sls + "' has an include entry that is not an SLS name: "
                        + entry);
                return null;
            }
            if (!name.startsWith(".")) {
                return name;
            }
            return resolveRelative(name, sls);
        }

        /**
         * Returns the SLS names an include glob matches, in sorted order, as Salt matches them
         * against the files it has. A glob that matches nothing stays as written, so that it is
         * reported as not found.
         */
        private List<String> expandGlob(String name, String sls) {
            if (!Fnmatch.hasWildcards(name)) {
                return List.of(name);
            }
            List<String> available = source.names();
            if (available == null) {
                errors.add("SLS '" + sls + "' includes '" + name + "', but this file source cannot"
                        + " list its SLS files, so globs in include are not supported; list the SLS"
                        + " names");
                return List.of();
            }
            List<String> matched = new ArrayList<>();
            for (String candidate : available) {
                if (Fnmatch.matches(candidate, name)) {
                    matched.add(candidate);
                }
            }
            java.util.Collections.sort(matched);
            return matched.isEmpty() ? List.of(name) : matched;
        }

        /**
         * Resolves {@code .x} and {@code ..x} against the including SLS. A file named
         * {@code init.sls} counts as one more level, as in Salt.
         */
        private String resolveRelative(String name, String sls) {
            Matcher matcher = RELATIVE_INCLUDE.matcher(name);
            matcher.matches();
            int levels = matcher.group(1).length();
            List<String> components = new ArrayList<>(List.of(sls.split("\\.")));
            if (source.isPackageInit(sls)) {
                components.add("init");
            }
            if (levels > components.size()) {
                errors.add("The relative include '" + name + "' in SLS '" + sls
                        + "' goes above the top of the file roots");
                return null;
            }
            List<String> resolved = new ArrayList<>(components.subList(0, components.size() - levels));
            resolved.add(matcher.group(2));
            return String.join(".", resolved);
        }

        private void readExtend(Object extend, String sls, DeclarationLines lines) {
            if (extend == null) {
                return;
            }
            if (!(extend instanceof Map<?, ?> map)) {
                errors.add("The extend declaration in SLS '" + sls + "' must be a mapping of state"
                        + " IDs, got: " + extend);
                return;
            }
            Map<Object, Object> body = new LinkedHashMap<>(map);
            extensions.addAll(StateDeclarations.normalise(body, sls, lines, errors).values());
        }

        private void readExclude(Object exclude, String sls) {
            if (exclude == null) {
                return;
            }
            if (!(exclude instanceof List<?> entries)) {
                errors.add("The exclude declaration in SLS '" + sls + "' must be a list, got: "
                        + exclude);
                return;
            }
            for (Object entry : entries) {
                boolean valid = entry instanceof String
                        || entry instanceof Map<?, ?> map && map.size() == 1
                                && (map.containsKey("sls") || map.containsKey("id"))
                                && IdDeclaration.argumentValue(map) instanceof String;
                if (valid) {
                    excludes.add(entry);
                } else {
                    errors.add("SLS '" + sls + "' has an exclude entry that is neither an SLS"
                            + " name, 'sls: NAME' nor 'id: ID': " + entry);
                }
            }
        }

        void merge(Map<String, IdDeclaration> into, Map<String, IdDeclaration> from) {
            for (IdDeclaration declaration : from.values()) {
                IdDeclaration existing = into.get(declaration.id);
                if (existing != null && !existing.sls.equals(declaration.sls)) {
                    String firstLine = existing.line == null ? "" : " (" + existing.line.location() + ")";
                    errors.add(prefix(declaration.line) + "Detected conflicting IDs: ID "
                            + MessageValues.quote(declaration.id) + " is declared in SLS '" + SALTENV + ":"
                            + existing.sls + "'" + firstLine + " and in SLS '" + SALTENV + ":" + declaration.sls
                            + "'. State IDs must be unique across all SLS files; rename one");
                    continue;
                }
                into.put(declaration.id, declaration);
            }
        }

        /** Stamps {@code order: 10000, 10001, ...} on declarations that have no order yet. */
        private void numberDeclarations(Map<String, IdDeclaration> state) {
            for (IdDeclaration declaration : state.values()) {
                for (List<Object> arguments : declaration.modules.values()) {
                    boolean ordered = arguments.stream()
                            .anyMatch(argument -> "order".equals(IdDeclaration.argumentKey(argument)));
                    if (!ordered) {
                        Map<String, Object> order = new LinkedHashMap<>();
                        order.put("order", autoOrder++);
                        arguments.add(order);
                    }
                }
            }
        }

        void applyExtends(Map<String, IdDeclaration> high) {
            Set<String> excludedSls = new HashSet<>();
            for (Object exclude : excludes) {
                if (exclude instanceof String sls) {
                    excludedSls.add(sls);
                } else if (((Map<?, ?>) exclude).containsKey("sls")) {
                    excludedSls.add((String) ((Map<?, ?>) exclude).get("sls"));
                }
            }
            for (IdDeclaration extension : extensions) {
                if (extension.modules.isEmpty()) {
                    continue;
                }
                IdDeclaration target = extensionTarget(high, extension);
                if (target == null || excludedSls.contains(extension.sls)) {
                    continue;
                }
                for (Map.Entry<String, List<Object>> module : extension.modules.entrySet()) {
                    List<Object> arguments = target.modules.get(module.getKey());
                    Map<String, EntryLines> extendingLines =
                            extension.argumentLines.getOrDefault(module.getKey(), Map.of());
                    if (arguments == null) {
                        target.modules.put(module.getKey(),
                                IdDeclaration.copyArguments(module.getValue()));
                        target.argumentLines.put(module.getKey(), new HashMap<>(extendingLines));
                        continue;
                    }
                    // The lines came from the rendered file's read-only map, so they change in a copy.
                    Map<String, EntryLines> targetLines =
                            new HashMap<>(target.argumentLines.getOrDefault(module.getKey(), Map.of()));
                    target.argumentLines.put(module.getKey(), targetLines);
                    for (Object argument : module.getValue()) {
                        extendArgument(arguments, argument);
                        moveLine(targetLines, IdDeclaration.argumentKey(argument), extendingLines);
                    }
                }
            }
        }

        /**
         * Gives an argument that an extension set the line in the extending file, or no line when
         * that is unknown, so that no message points at the value the extension replaced. A
         * requisite list that the extension appended to is in both files, so it gets no line.
         */
        private static void moveLine(Map<String, EntryLines> targetLines, String key,
                Map<String, EntryLines> extendingLines) {
            if (key == null) {
                return;
            }
            EntryLines argumentLines = extendingLines.get(key);
            boolean joined = Requisites.ALL.contains(key) && targetLines.containsKey(key);
            if (argumentLines == null || joined) {
                targetLines.remove(key);
            } else {
                targetLines.put(key, argumentLines);
            }
        }

        private IdDeclaration extensionTarget(Map<String, IdDeclaration> high, IdDeclaration extension) {
            String module = extension.modules.keySet().iterator().next();
            IdDeclaration target = high.get(extension.id);
            if (target != null && target.modules.containsKey(module)) {
                return target;
            }
            // Salt also accepts the name of a state in place of its ID.
            List<IdDeclaration> byName = new ArrayList<>();
            for (IdDeclaration candidate : high.values()) {
                List<Object> arguments = candidate.modules.get(module);
                if (arguments == null) {
                    continue;
                }
                for (Object argument : arguments) {
                    if ("name".equals(IdDeclaration.argumentKey(argument))
                            && extension.id.equals(IdDeclaration.argumentValue(argument))) {
                        byName.add(candidate);
                        break;
                    }
                }
            }
            if (byName.size() == 1) {
                return byName.get(0);
            }
            errors.add(prefix(extension.line) + "Cannot extend ID " + MessageValues.quote(extension.id)
                    + " in SLS '" + SALTENV + ":" + extension.sls + "': no state with that ID and module '" + module
                    + "' is part of the high state. Include the SLS file that declares it, or"
                    + " correct the ID");
            return null;
        }

        /**
         * Merges one extending argument: a function replaces the function, a requisite list is
         * appended to, any other argument replaces the one of the same key, and the rest is added.
         */
        private void extendArgument(List<Object> arguments, Object argument) {
            String key = IdDeclaration.argumentKey(argument);
            boolean updated = false;
            for (int i = 0; i < arguments.size(); i++) {
                Object existing = arguments.get(i);
                if (argument instanceof String && existing instanceof String) {
                    arguments.set(i, argument);
                    updated = true;
                    continue;
                }
                String existingKey = IdDeclaration.argumentKey(existing);
                if (key == null || existingKey == null) {
                    continue;
                }
                if (key.equals(existingKey)) {
                    Object value = IdDeclaration.argumentValue(argument);
                    Object existingValue = IdDeclaration.argumentValue(existing);
                    if (Requisites.ALL.contains(key) && existingValue instanceof List<?> existingList
                            && value instanceof List<?> list) {
                        List<Object> joined = new ArrayList<>(existingList);
                        joined.addAll(list);
                        arguments.set(i, singleton(key, joined));
                    } else {
                        arguments.set(i, argument);
                    }
                    updated = true;
                } else if (key.equals("name") && existingKey.equals("names")) {
                    arguments.set(i, argument);
                    updated = true;
                }
            }
            if (!updated) {
                arguments.add(argument);
            }
        }

        void applyExcludes(Map<String, IdDeclaration> high) {
            Set<String> excludedIds = new HashSet<>();
            for (Object exclude : excludes) {
                String slsPattern = null;
                if (exclude instanceof String sls) {
                    slsPattern = sls;
                } else {
                    Map<?, ?> map = (Map<?, ?>) exclude;
                    if (map.containsKey("id")) {
                        excludedIds.add((String) map.get("id"));
                    } else {
                        slsPattern = (String) map.get("sls");
                    }
                }
                if (slsPattern != null) {
                    for (IdDeclaration declaration : high.values()) {
                        if (Fnmatch.matches(declaration.sls, slsPattern)) {
                            excludedIds.add(declaration.id);
                        }
                    }
                }
            }
            high.keySet().removeAll(excludedIds);
        }
    }

    /** Returns the {@code FILE:LINE: } prefix of a message about an ID, or "" when its line is unknown. */
    private static String prefix(SourceLine line) {
        return line == null ? "" : line.prefix();
    }

    private static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, entry) -> copy.put(key, deepCopy(entry)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(entry -> copy.add(deepCopy(entry)));
            return copy;
        }
        return value;
    }

    static Map<String, Object> singleton(String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, value);
        return map;
    }
}
