package org.qfleet.states.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders SLS files from one Salt environment's file roots as Salt does with its default
 * {@code jinja|yaml} renderer: Jinja first, with Salt's context variables and functions,
 * then YAML into ordered mappings.
 *
 * <p>One renderer may be shared by threads that render for different hosts, because each
 * rendering keeps its state in its own session.
 */
public final class SaltRenderer {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FileRoots roots;
    private final SaltJinja jinja = SharedEngine.JINJA;
    private final RenderingCache cache;

    public SaltRenderer(FileRoots roots) {
        this(roots, null);
    }

    /**
     * Creates a renderer that shares renderings with other hosts through a cache.
     *
     * @param cache renderings of earlier hosts of the run, or null to render every time
     */
    public SaltRenderer(FileRoots roots, RenderingCache cache) {
        this.roots = roots;
        this.cache = cache;
    }

    /**
     * The one engine of the process: its configuration, tags, filters and parse cache are the
     * same for every renderer, and each rendering keeps its state in its own session.
     */
    private static final class SharedEngine {
        static final SaltJinja JINJA = new SaltJinja();
    }

    /** Returns whether {@code a.b} exists as {@code a/b.sls} or {@code a/b/init.sls}. */
    public boolean slsExists(String sls) {
        return findSls(sls).isPresent();
    }

    /** Returns the file of an SLS name, or throws an error naming the SLS and the roots searched. */
    public Path slsPath(String sls) throws RenderException {
        return findSls(sls).map(RelativeFile::absolute).orElseThrow(() -> slsNotFound(sls));
    }

    /**
     * Renders an SLS through Jinja and YAML. An empty document gives an empty map.
     *
     * @throws RenderException when the SLS is missing, does not render, or is not a mapping
     */
    public Map<String, Object> renderSls(String sls, RenderContext ctx) throws RenderException {
        RelativeFile file = findSls(sls).orElseThrow(() -> slsNotFound(sls));
        return renderShared("sls", file, ctx, sls, "SLS " + sls);
    }

    /** Renders a file of the roots, such as {@code top.sls}, through Jinja and YAML. */
    public Map<String, Object> renderFile(String relativePath, RenderContext ctx) throws RenderException {
        RelativeFile file = findFile(relativePath);
        return renderShared("file", file, ctx, slsNameOf(relativePath), relativePath);
    }

    /** Renders a file to a mapping, or takes an equal host's rendering from the cache. */
    private Map<String, Object> renderShared(String kind, RelativeFile file, RenderContext ctx, String sls,
            String what) throws RenderException {
        if (cache == null) {
            return toMapping(render(file, ctx, sls, null), file.absolute(), what);
        }
        RenderingCache.Key key = new RenderingCache.Key(kind, roots.toString(), file.relative(), sls, ctx.saltenv());
        return cache.render(key, inputSources(ctx), ctx.host(), (recorder, host) -> {
            RenderContext asking = new RenderContext(ctx.minionId(), ctx.grains(), ctx.pillar(), host, ctx.saltenv());
            return toMapping(render(file, asking, sls, recorder), file.absolute(), what);
        });
    }

    /** Returns the context mappings a template of this renderer reads for a host, by name. */
    private Map<String, Map<String, Object>> inputSources(RenderContext ctx) {
        Map<String, Map<String, Object>> sources = new LinkedHashMap<>();
        sources.put("grains", ctx.grains());
        sources.put("pillar", ctx.pillar());
        sources.put("opts", opts(ctx));
        return sources;
    }

    /** Renders a file of the roots through Jinja only and returns the text. */
    public String renderText(String relativePath, RenderContext ctx) throws RenderException {
        RelativeFile file = findFile(relativePath);
        return renderJinja(file, ctx, slsNameOf(relativePath), null);
    }

    /** A rendered document and the lines of its state IDs and arguments. */
    private record Rendered(Object data, DeclarationLines lines) {}

    private Rendered render(RelativeFile file, RenderContext ctx, String sls, RenderInputs.Recorder recorder)
            throws RenderException {
        String text = read(file.absolute(), UNCHANGED);
        RendererPipe pipe = rendererPipe(text, file.absolute());
        String rendered = pipe.templated() ? renderJinja(file, ctx, sls, recorder) : text;
        Object data;
        DeclarationLines lines = DeclarationLines.NONE;
        if (pipe.json()) {
            // NOTE: JSON documents record no lines, so compile errors in them name no file.
            data = loadJson(rendered, file.absolute(), pipe.templated());
        } else {
            SaltYaml.Document document = SaltYaml.loadDocument(rendered, file.absolute(), pipe.templated());
            data = document.data();
            lines = DeclarationLines.of(document.root(), pipe.templated()
                    ? DeclarationLines.lineMap(file.absolute(), text, rendered)
                    : DeclarationLines.fileLines(file.absolute()));
        }
        return new Rendered(data == null ? new LinkedHashMap<String, Object>() : data, lines);
    }

    /**
     * Renders a file through Jinja. With a recorder, the template sees recording views of the
     * context mappings and of the host, so the recorder learns what the rendering read.
     */
    private String renderJinja(RelativeFile file, RenderContext ctx, String sls, RenderInputs.Recorder recorder)
            throws RenderException {
        String text = read(file.absolute(), SaltJinja.PREPARE_TOP);
        RenderContext seen = recorder == null ? ctx
                : new RenderContext(ctx.minionId(), ctx.grains(), ctx.pillar(), recorder.watch(ctx.host()), ctx.saltenv());
        RenderSession session = new RenderSession(roots, seen, file.relative());
        Map<String, Object> variables = contextVariables(file, seen, sls, recorder);
        return jinja.render(session, text, variables);
    }

    /** The renderers a file passes through: Jinja or none, then YAML or JSON. */
    record RendererPipe(boolean templated, boolean json) {}

    private static final RendererPipe JINJA_YAML = new RendererPipe(true, false);

    /**
     * Reads the renderer pipe from a {@code #!} first line. qfleet renders {@code jinja|yaml}
     * (the default, also spelled {@code yaml_jinja} or {@code jinja}), {@code yaml},
     * {@code jinja|json} (also {@code json_jinja}) and {@code json}. Other renderers, such as
     * {@code py}, {@code pyobjects} or {@code mako}, are rejected with their name.
     */
    static RendererPipe rendererPipe(String text, Path file) throws RenderException {
        if (!text.startsWith("#!") || text.startsWith("#!/")) {
            return JINJA_YAML;
        }
        int end = text.indexOf('\n');
        String pipe = (end < 0 ? text.substring(2) : text.substring(2, end)).strip().replace(" ", "");
        return switch (pipe) {
            case "jinja|yaml", "yaml_jinja", "jinja" -> JINJA_YAML;
            case "yaml" -> new RendererPipe(false, false);
            case "jinja|json", "json_jinja" -> new RendererPipe(true, true);
            case "json" -> new RendererPipe(false, true);
            default -> throw new RenderException("renderer '#!" + pipe + "' is not supported by qfleet;"
                    + " qfleet renders '#!jinja|yaml' (the default), '#!yaml', '#!jinja|json' and '#!json',"
                    + " so rewrite the file for one of them", file, 1);
        };
    }

    /**
     * Parses a JSON document as Salt's JSON renderer does: a {@code #!} first line is dropped,
     * objects keep their key order and blank input is an empty mapping.
     */
    private static Object loadJson(String text, Path file, boolean rendered) throws RenderException {
        int skipped = 0;
        String json = text;
        if (text.startsWith("#!")) {
            int end = text.indexOf('\n');
            json = end < 0 ? "" : text.substring(end + 1);
            skipped = 1;
        }
        if (json.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr() + skipped;
            String where = rendered ? "invalid JSON at line " + line + " of the rendered text: "
                    : "invalid JSON: ";
            String context = rendered && line > 0 ? "\n    rendered text:" + SaltYaml.excerpt(text, line) : "";
            throw new RenderException(where + e.getOriginalMessage() + context, file, rendered ? 0 : line, e);
        }
    }

    /** Returns Salt's {@code opts} for a host: the few master options that formulas read. */
    private Map<String, Object> opts(RenderContext ctx) {
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("id", ctx.minionId());
        opts.put("saltenv", ctx.saltenv());
        opts.put("renderer", "jinja|yaml");
        Map<String, Object> fileRoots = new LinkedHashMap<>();
        fileRoots.put(ctx.saltenv(), roots.roots().stream().map(Path::toString).toList());
        opts.put("file_roots", fileRoots);
        return opts;
    }

    private Map<String, Object> contextVariables(RelativeFile file, RenderContext ctx, String sls,
            RenderInputs.Recorder recorder) {
        Map<String, Object> opts = opts(ctx);
        Map<String, Object> variables = new LinkedHashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> grains = (Map<String, Object>) SaltJinja.deepCopy(ctx.grains());
        @SuppressWarnings("unchecked")
        Map<String, Object> pillar = (Map<String, Object>) SaltJinja.deepCopy(ctx.pillar());
        if (recorder != null) {
            grains = recorder.watch("grains", grains);
            pillar = recorder.watch("pillar", pillar);
            opts = recorder.watch("opts", opts);
        }
        RenderContext copied = new RenderContext(ctx.minionId(), grains, pillar, ctx.host(), ctx.saltenv());
        variables.put("salt", new SaltFunctions(copied, opts));
        variables.put("grains", grains);
        variables.put("pillar", pillar);
        variables.put("opts", opts);
        variables.put("saltenv", ctx.saltenv());
        variables.put("env", ctx.saltenv());

        String relative = file.relative();
        Path parent = Path.of(relative).getParent();
        String tpldir = parent == null ? "." : parent.toString();
        variables.put("tplpath", file.absolute().toString());
        variables.put("tplfile", relative);
        variables.put("tpldir", tpldir);
        variables.put("tpldot", ".".equals(tpldir) ? "" : tpldir.replace('/', '.'));

        variables.put("sls", sls);
        String slsDirectory = relative.endsWith("/init.sls") || relative.equals("init.sls") ? sls
                : (sls.contains(".") ? sls.substring(0, sls.lastIndexOf('.')) : "");
        variables.put("slspath", slsDirectory.replace('.', '/'));
        variables.put("sls_path", slsDirectory.replace('.', '_'));
        variables.put("slsdotpath", slsDirectory);
        variables.put("slscolonpath", slsDirectory.replace('.', ':'));
        return variables;
    }

    private static Map<String, Object> toMapping(Rendered rendered, Path file, String what) throws RenderException {
        if (!(rendered.data() instanceof Map<?, ?> map)) {
            throw new RenderException(what + " does not render to a dictionary; it renders to "
                    + PythonRepr.repr(rendered.data()).lines().findFirst().orElse(""), file, 0);
        }
        RenderedSls result = new RenderedSls(rendered.lines());
        map.forEach((key, value) -> result.put(key instanceof String text ? text : PythonRepr.str(key), value));
        return result;
    }

    private Optional<RelativeFile> findSls(String sls) {
        if (sls == null || sls.isBlank()) {
            return Optional.empty();
        }
        String base = sls.replace('.', '/');
        for (String candidate : List.of(base + ".sls", base + "/init.sls")) {
            Optional<Path> found = roots.find(candidate);
            if (found.isPresent()) {
                return Optional.of(new RelativeFile(candidate, found.get()));
            }
        }
        return Optional.empty();
    }

    private RenderException slsNotFound(String sls) {
        String base = sls == null ? "" : sls.replace('.', '/');
        return new RenderException("SLS '" + sls + "' not found: no " + base + ".sls or " + base
                + "/init.sls in file roots " + roots + "; check the SLS name or the file roots");
    }

    private RelativeFile findFile(String relativePath) throws RenderException {
        if (!FileRoots.isSafeRelative(relativePath)) {
            throw new RenderException("path '" + relativePath
                    + "' is absolute or climbs above the file root; use a path relative to the file root");
        }
        String normalized = Path.of(relativePath).normalize().toString();
        Path found = roots.find(normalized).orElseThrow(() -> new RenderException(
                "file '" + relativePath + "' not found in file roots " + roots));
        return new RelativeFile(normalized, found);
    }

    private static String slsNameOf(String relativePath) {
        String path = relativePath.endsWith(".sls") ? relativePath.substring(0, relativePath.length() - 4) : relativePath;
        if (path.endsWith("/init")) {
            path = path.substring(0, path.length() - 5);
        }
        return path.replace('/', '.');
    }

    /** The preparation for {@link TemplateFiles#read} that keeps a file's text as it is. */
    private static final java.util.function.UnaryOperator<String> UNCHANGED = text -> text;

    private static String read(Path file, java.util.function.UnaryOperator<String> preparation) throws RenderException {
        try {
            return TemplateFiles.read(file, java.nio.charset.StandardCharsets.UTF_8, preparation);
        } catch (IOException e) {
            throw new RenderException("cannot read: " + e.getMessage(), file, 0, e);
        }
    }

    /** A file of the roots: its path relative to the root that contains it, and its absolute path. */
    private record RelativeFile(String relative, Path absolute) {}
}
