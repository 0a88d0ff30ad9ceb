package org.qfleet.states.render;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.qfleet.states.SourceLine;

/**
 * The state top of a file tree, laid out as Qubes OS lays out {@code /srv/salt}: an optional
 * {@code top.sls}, and the tops that {@code qubesctl top.enable} links into
 * {@code _tops/<saltenv>/NAME.top}. The tops merge as Qubes' {@code top.sls} merges them:
 * {@code top.sls} first, then the enabled tops in file-name order, and for a target that
 * several tops name, the lists join with repeated items dropped.
 */
public final class StateTop {

    /** The folder, in a file root, that contains one folder of enabled {@code .top} files per saltenv. */
    public static final String TOPS_DIRECTORY = "_tops";

    private static final String TOP_FILE = "top.sls";

    private final FileRoots roots;
    private final SaltRenderer renderer;

    public StateTop(FileRoots roots) {
        this(roots, null);
    }

    /** @param cache renderings of earlier hosts of the run, or null to render every time */
    public StateTop(FileRoots roots, RenderingCache cache) {
        this.roots = roots;
        this.renderer = new SaltRenderer(roots, cache);
    }

    /** Returns whether the roots contain a {@code top.sls} or an enabled {@code _tops} top. */
    public boolean exists() {
        return roots.find(TOP_FILE).isPresent() || !enabledTops().isEmpty();
    }

    /**
     * Renders {@code top.sls} and every enabled top with the minion's context and merges them.
     *
     * @throws RenderException when a top does not render or is not a mapping of saltenvs to targets
     */
    public Map<String, Object> render(RenderContext context) throws RenderException {
        Map<String, Object> merged = new LinkedHashMap<>();
        if (roots.find(TOP_FILE).isPresent()) {
            mergeTop(merged, renderer.renderFile(TOP_FILE, context), TOP_FILE);
        }
        for (String top : enabledTops()) {
            mergeTop(merged, renderer.renderFile(top, context), top);
        }
        return merged;
    }

    /**
     * Returns, per saltenv in top order, the SLS names of every target that matches the
     * minion, each name once.
     *
     * @throws RenderException for a malformed top or a target that cannot be evaluated
     */
    public static Map<String, List<String>> select(Map<String, Object> top, TargetMatcher matcher, String minionId,
            Map<String, Object> grains, Map<String, Object> pillar) throws RenderException {
        Map<String, List<String>> selected = new LinkedHashMap<>();
        for (Map.Entry<String, Object> environment : top.entrySet()) {
            if (environment.getValue() == null) {
                continue;
            }
            if (!(environment.getValue() instanceof Map<?, ?> targets)) {
                throw new RenderException("top file: saltenv '" + environment.getKey()
                        + "' must map targets to lists of SLS names, got " + PythonRepr.repr(environment.getValue()));
            }
            List<String> names = new ArrayList<>();
            for (Map.Entry<?, ?> target : targets.entrySet()) {
                String expression = PythonRepr.str(target.getKey());
                if (!(target.getValue() instanceof List<?> items)) {
                    throw new RenderException("top file: target '" + expression + "' in saltenv '"
                            + environment.getKey() + "' must have a list of SLS names, got "
                            + PythonRepr.repr(target.getValue()));
                }
                String matchType = "glob";
                List<String> targetNames = new ArrayList<>();
                for (Object item : items) {
                    if (item instanceof Map<?, ?> option && option.containsKey("match")) {
                        matchType = PythonRepr.str(option.get("match"));
                    } else if (item instanceof String name) {
                        targetNames.add(name);
                    } else if (!(item instanceof Map<?, ?>)) {
                        throw new RenderException("top file: target '" + expression + "' has an entry that is"
                                + " neither an SLS name nor an option: " + PythonRepr.repr(item));
                    }
                }
                if (matcher.matches(matchType, expression, minionId, grains, pillar)) {
                    for (String name : targetNames) {
                        if (!names.contains(name)) {
                            names.add(name);
                        }
                    }
                }
            }
            if (!names.isEmpty()) {
                selected.put(environment.getKey(), names);
            }
        }
        return selected;
    }

    /**
     * Finds the first line, in merge order of the tops, that lists {@code sls} as a block
     * sequence item ({@code - NAME}, quoted or not). Returns null when no top lists it so.
     *
     * <p>NOTE: the files are searched as written, so a name that Jinja builds or that sits in
     * a flow sequence ({@code [a, b]}) is not found, and a matching line inside a Jinja block
     * that did not render is still reported.
     */
    public SourceLine lineNaming(String sls) {
        Pattern item = Pattern.compile("^\\s*-\\s*(['\"]?)" + Pattern.quote(sls) + "\\1\\s*(#.*)?$");
        List<String> tops = new ArrayList<>();
        tops.add(TOP_FILE);
        tops.addAll(enabledTops());
        for (String top : tops) {
            Path file = roots.find(top).orElse(null);
            if (file == null) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (IOException e) {
                // The top rendered moments ago, so an unreadable file now only costs the line number.
                continue;
            }
            for (int i = 0; i < lines.size(); i++) {
                if (item.matcher(lines.get(i)).matches()) {
                    return new SourceLine(file, i + 1, false);
                }
            }
        }
        return null;
    }

    /** Returns the enabled tops, {@code _tops/<saltenv>/NAME.top}, relative to the roots and sorted by path. */
    List<String> enabledTops() {
        TreeMap<String, String> tops = new TreeMap<>();
        for (Path root : roots.roots()) {
            Path directory = root.resolve(TOPS_DIRECTORY);
            if (!Files.isDirectory(directory)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(directory, 2)) {
                files.filter(file -> file.getFileName().toString().endsWith(".top"))
                        .filter(file -> directory.relativize(file).getNameCount() == 2)
                        .forEach(file -> tops.putIfAbsent(root.relativize(file).toString(), file.toString()));
            } catch (IOException e) {
                // NOTE: an unreadable _tops folder is skipped without an error, so its tops do not apply.
                continue;
            }
        }
        return new ArrayList<>(tops.keySet());
    }

    @SuppressWarnings("unchecked")
    private static void mergeTop(Map<String, Object> merged, Map<String, Object> top, String file)
            throws RenderException {
        for (Map.Entry<String, Object> environment : top.entrySet()) {
            if (environment.getValue() == null) {
                continue;
            }
            if (!(environment.getValue() instanceof Map<?, ?> targets)) {
                throw new RenderException(file + ": saltenv '" + environment.getKey()
                        + "' must map targets to lists of SLS names, got " + PythonRepr.repr(environment.getValue()));
            }
            Map<String, Object> mergedTargets = (Map<String, Object>) merged.computeIfAbsent(environment.getKey(),
                    key -> new LinkedHashMap<String, Object>());
            for (Map.Entry<?, ?> target : targets.entrySet()) {
                String expression = PythonRepr.str(target.getKey());
                Object items = target.getValue();
                Object existing = mergedTargets.get(expression);
                if (existing instanceof List<?> existingItems && items instanceof List<?> newItems) {
                    List<Object> joined = new ArrayList<>(existingItems);
                    for (Object item : newItems) {
                        if (!joined.contains(item)) {
                            joined.add(item);
                        }
                    }
                    mergedTargets.put(expression, joined);
                } else {
                    mergedTargets.put(expression, items);
                }
            }
        }
    }
}
