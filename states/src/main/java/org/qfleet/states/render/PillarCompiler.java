package org.qfleet.states.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles the pillar of one minion from pillar roots as Salt does: renders {@code top.sls},
 * collects the SLS names of every target that matches the minion (see {@link TargetMatcher})
 * in top-file order,
 * renders each with the grains, and deep-merges them in that order (mappings merge
 * recursively, any other value is replaced by the later file). A pillar SLS may
 * {@code include} others, which merge before the including file's own data.
 */
public final class PillarCompiler {

    private static final String TOP_FILE = "top.sls";

    private final FileRoots pillarRoots;
    private final SaltRenderer renderer;
    private final TargetMatcher matcher;

    /** Compiles with the nodegroups that Qubes OS defines ({@link TargetMatcher#QUBES_NODEGROUPS}). */
    public PillarCompiler(FileRoots pillarRoots) {
        this(pillarRoots, TargetMatcher.QUBES_NODEGROUPS);
    }

    /** @param nodegroups Salt's {@code nodegroups} option: a name to a compound expression or a list of IDs */
    public PillarCompiler(FileRoots pillarRoots, Map<String, Object> nodegroups) {
        this(pillarRoots, nodegroups, null);
    }

    /**
     * Compiles pillar with renderings shared between hosts.
     *
     * @param nodegroups Salt's {@code nodegroups} option: a name to a compound expression or a list of IDs
     * @param cache renderings of earlier hosts of the run, or null to render every time
     */
    public PillarCompiler(FileRoots pillarRoots, Map<String, Object> nodegroups, RenderingCache cache) {
        this.pillarRoots = pillarRoots;
        this.renderer = new SaltRenderer(pillarRoots, cache);
        this.matcher = new TargetMatcher(nodegroups);
    }

    /**
     * Returns the pillar of a minion. Without a {@code top.sls} in the pillar roots the
     * pillar is empty.
     */
    public Map<String, Object> compile(String minionId, Map<String, Object> grains, HostQueries host)
            throws RenderException {
        if (pillarRoots.find(TOP_FILE).isEmpty()) {
            return new LinkedHashMap<>();
        }
        RenderContext context = new RenderContext(minionId, grains, new LinkedHashMap<>(), host, "base");
        Map<String, Object> top = renderer.renderFile(TOP_FILE, context);
        Map<String, Object> pillar = new LinkedHashMap<>();
        List<String> rendered = new ArrayList<>();
        for (String sls : matchingSls(top, minionId, grains)) {
            renderInto(pillar, sls, context, rendered, "the pillar top.sls");
        }
        return pillar;
    }

    /**
     * Renders a pillar SLS and its includes into {@code pillar}. {@code namedBy} describes the file
     * that lists the SLS, for the error when the SLS does not exist.
     */
    private void renderInto(Map<String, Object> pillar, String sls, RenderContext context, List<String> rendered,
            String namedBy) throws RenderException {
        if (rendered.contains(sls)) {
            return;
        }
        rendered.add(sls);
        if (!renderer.slsExists(sls)) {
            // The renderer's own message names the file roots, which would send the user to
            // file_roots instead of pillar_roots.
            String base = sls.replace('.', '/');
            throw new RenderException("pillar SLS '" + sls + "' not found: no " + base + ".sls or " + base
                    + "/init.sls in pillar roots " + pillarRoots + "; check the name in " + namedBy
                    + " or the pillar_roots setting");
        }
        Map<String, Object> data = renderer.renderSls(sls, context);
        Object includes = data.remove("include");
        if (includes != null) {
            if (!(includes instanceof List<?> list)) {
                throw new RenderException("pillar SLS '" + sls + "': 'include' must be a list, got "
                        + PythonRepr.repr(includes), renderer.slsPath(sls), 0);
            }
            for (Object include : list) {
                String included = PythonRepr.str(include);
                if (included.startsWith(".")) {
                    boolean isInit = renderer.slsPath(sls).getFileName().toString().equals("init.sls");
                    String parent = isInit ? sls : (sls.contains(".") ? sls.substring(0, sls.lastIndexOf('.')) : "");
                    included = parent.isEmpty() ? included.substring(1) : parent + "." + included.substring(1);
                }
                renderInto(pillar, included, context, rendered, "the include list of pillar SLS '" + sls + "'");
            }
        }
        merge(pillar, data);
    }

    /** Merges {@code source} into {@code target}: mappings recursively, other values replaced. */
    @SuppressWarnings("unchecked")
    static void merge(Map<String, Object> target, Map<String, Object> source) {
        for (Map.Entry<String, Object> entry : source.entrySet()) {
            Object existing = target.get(entry.getKey());
            if (existing instanceof Map<?, ?> existingMap && entry.getValue() instanceof Map<?, ?> sourceMap) {
                Map<String, Object> merged = new LinkedHashMap<>((Map<String, Object>) existingMap);
                merge(merged, (Map<String, Object>) sourceMap);
                target.put(entry.getKey(), merged);
            } else {
                target.put(entry.getKey(), entry.getValue());
            }
        }
    }

    /** The SLS names of all top-file targets that match the minion, in order and without repeats. */
    private List<String> matchingSls(Map<String, Object> top, String minionId, Map<String, Object> grains)
            throws RenderException {
        List<String> result = new ArrayList<>();
        for (Map.Entry<String, Object> environment : top.entrySet()) {
            if (!(environment.getValue() instanceof Map<?, ?> targets)) {
                throw new RenderException("pillar top.sls: environment '" + environment.getKey()
                        + "' must map targets to lists of SLS names");
            }
            for (Map.Entry<?, ?> target : targets.entrySet()) {
                String expression = PythonRepr.str(target.getKey());
                if (!(target.getValue() instanceof List<?> items)) {
                    throw new RenderException("pillar top.sls: target '" + expression
                            + "' must have a list of SLS names, got " + PythonRepr.repr(target.getValue()));
                }
                String matchType = "glob";
                List<String> names = new ArrayList<>();
                for (Object item : items) {
                    if (item instanceof Map<?, ?> option && option.containsKey("match")) {
                        matchType = PythonRepr.str(option.get("match"));
                    } else if (item instanceof String name) {
                        names.add(name);
                    }
                }
                boolean matched;
                try {
                    matched = matcher.matches(matchType, expression, minionId, grains);
                } catch (RenderException e) {
                    throw new RenderException("pillar top.sls: " + e.getMessage(), pillarRoots.find(TOP_FILE).orElse(null), 0, e);
                }
                if (matched) {
                    for (String name : names) {
                        if (!result.contains(name)) {
                            result.add(name);
                        }
                    }
                }
            }
        }
        return result;
    }
}
