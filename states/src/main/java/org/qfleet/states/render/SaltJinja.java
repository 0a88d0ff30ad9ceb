package org.qfleet.states.render;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.InvalidArgumentException;
import com.hubspot.jinjava.interpret.InvalidInputException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.TemplateSyntaxException;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.loader.LocationResolver;
import com.hubspot.jinjava.loader.ResourceLocator;
import com.hubspot.jinjava.loader.ResourceNotFoundException;
import com.hubspot.jinjava.tree.Node;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Jinjava engine configured as Salt's Jinja environment: strict undefined variables,
 * Python's printing of values, {@code True}/{@code False}/{@code None}, Salt's serializer
 * tags, filters and tests, the {@code salt} function object, and template paths resolved in
 * the file roots. One instance is shared by all renderings; the per-rendering state is in
 * {@link RenderSession}.
 */
final class SaltJinja {

    private static final int MAX_MACRO_RECURSION_DEPTH = 100;

    /** Prepares the text of a template rendered at the top, for {@link TemplateFiles#read}. */
    static final java.util.function.UnaryOperator<String> PREPARE_TOP = TemplateSource::separateNestedClosingBraces;

    private final Jinjava jinjava;

    SaltJinja() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new SaltElResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        LegacyOverrides overrides = LegacyOverrides.newBuilder()
                .withEvaluateMapKeys(true)
                .withIterateOverMapKeys(true)
                .withUsePyishObjectMapper(true)
                .withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true)
                .withAllowAdjacentTextNodes(true)
                .withUseTrimmingForNotesAndExpressions(true)
                .withKeepNullableLoopValues(true)
                .build();
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withElResolver(resolver)
                .withLegacyOverrides(overrides)
                .withFailOnUnknownTokens(false)
                .withNestedInterpretationEnabled(false)
                .withTrimBlocks(false)
                .withLstripBlocks(false)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(MAX_MACRO_RECURSION_DEPTH)
                .withInterperterFactory(new SaltInterpreterFactory())
                .build();
        jinjava = new PythonOperators.PythonJinjava(config);
        jinjava.setResourceLocator(new FileRootsLocator());
        Context globals = jinjava.getGlobalContext();
        globals.setDynamicVariableResolver(SaltJinja::resolveMissingVariable);
        globals.registerTag(new LoopFilterForTag());
        globals.registerTag(new WithTag());
        globals.registerTag(new FilterBlockTag());
        globals.registerTag(new CallWithArgumentsTag());
        globals.registerTag(new IncludeTag());
        globals.registerTag(new ImportScope.SaltImportTag());
        globals.registerTag(new ImportScope.SaltFromTag());
        for (String format : List.of("yaml", "json", "text")) {
            globals.registerTag(new SerializerTags.LoadTag(format));
            globals.registerTag(new SerializerTags.ImportTag(format));
        }
        SaltFilters.registerAll(globals);
        SaltTests.registerAll(globals);
        globals.registerFunction(new ELFunctionDefinition("", "raise", SaltJinja.class, "raiseError", Object.class));
        globals.registerFunction(new ELFunctionDefinition("", "odict", SaltJinja.class, "orderedDict"));
    }

    /**
     * Renders one template of the session's file roots with the given variables. The text
     * must already be prepared by {@link #PREPARE_TOP}.
     *
     * @throws RenderException for the first error Salt would report, with its file and line
     */
    String render(RenderSession session, String text, Map<String, Object> variables) throws RenderException {
        session.open(jinjava, variables);
        try {
            RenderResult result = renderForResult(text, variables);
            Optional<RenderException> first = session.firstError();
            if (first.isPresent()) {
                throw first.get();
            }
            List<TemplateError> errors = new ArrayList<>(result.getErrors());
            if (!errors.isEmpty()) {
                throw toRenderException(session, errors.get(0), jinjava.getGlobalContext());
            }
            return result.getOutput();
        } finally {
            session.close();
        }
    }

    /**
     * Copies of the global context, one per thread. {@link Jinjava#renderForResult} builds a
     * fresh copy for every rendering, which registers every default filter, test and tag again
     * and cost more than rendering a small SLS file. A rendering records resolved names in the
     * parent contexts, so each thread keeps its own copy and {@link Context#reset() resets} it
     * after each rendering, as Jinjava resets its global context.
     */
    private final ThreadLocal<Context> threadGlobals = ThreadLocal.withInitial(this::copyGlobalContext);

    private Context copyGlobalContext() {
        Context global = jinjava.getGlobalContext();
        Context copy = new Context(null, global);
        global.getAllExpTests().forEach(copy::registerExpTest);
        global.getAllFilters().forEach(copy::registerFilter);
        global.getAllFunctions().forEach(copy::registerFunction);
        global.getAllTags().forEach(copy::registerTag);
        copy.setDynamicVariableResolver(global.getDynamicVariableResolver());
        return copy;
    }

    /**
     * Renders a top-level template as {@link Jinjava#renderForResult(String, Map)} does, with
     * this thread's copy of the global context, and returns the output and every error.
     */
    private RenderResult renderForResult(String template, Map<String, Object> variables) {
        JinjavaConfig config = jinjava.getGlobalConfig();
        Context globals = threadGlobals.get();
        Context context = new Context(globals, variables, config.getDisabled());
        JinjavaInterpreter interpreter = config.getInterpreterFactory().newInstance(jinjava, context, config);
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            String output = interpreter.render(template);
            return new RenderResult(output, interpreter.getContext(), interpreter.getErrorsCopy());
        } catch (TemplateSyntaxException e) {
            return new RenderResult(TemplateError.fromException(e), interpreter.getContext(), interpreter.getErrorsCopy());
        } catch (InterpretException e) {
            return new RenderResult(TemplateError.fromSyntaxError(e), interpreter.getContext(), interpreter.getErrorsCopy());
        } catch (InvalidArgumentException e) {
            return new RenderResult(TemplateError.fromInvalidArgumentException(e), interpreter.getContext(),
                    interpreter.getErrorsCopy());
        } catch (InvalidInputException e) {
            return new RenderResult(TemplateError.fromInvalidInputException(e), interpreter.getContext(),
                    interpreter.getErrorsCopy());
        } catch (RuntimeException e) {
            return new RenderResult(TemplateError.fromException(e), interpreter.getContext(), interpreter.getErrorsCopy());
        } finally {
            JinjavaInterpreter.popCurrent();
            globals.reset();
        }
    }

    private static RenderException toRenderException(RenderSession session, TemplateError error, Context globals) {
        String template = error.getSourceTemplate().orElse(session.templatePath());
        Path file = session.roots().find(template).orElse(Path.of(template));
        int line = Math.max(error.getLineno(), 0);
        String message = explainUnknownTag(stripWrapping(error.getMessage()), globals);
        String offending = offendingLine(file, line);
        if (error.getFieldName() != null && !error.getFieldName().isBlank() && !message.contains(error.getFieldName())) {
            message = message + " (at '" + error.getFieldName() + "')";
        }
        return new RenderException("Jinja error: " + message
                + (offending.isEmpty() ? "" : "\n    " + offending + "    <======================"),
                file, line);
    }

    /** Removes Jinjava's "Error in `path` on line N:" prefix, as the file and line are reported apart. */
    private static String stripWrapping(String message) {
        if (message == null) {
            return "unknown error";
        }
        return message.replaceFirst("^Error in `[^`]*` on line \\d+: ", "")
                .replaceFirst("^(InterpretException|TemplateSyntaxException|RuntimeException): ", "");
    }

    private static final java.util.regex.Pattern UNKNOWN_TAG =
            java.util.regex.Pattern.compile("Unknown tag: (\\S+)");

    /** Rewrites Jinjava's "Unknown tag: x" as Jinja2 names it, with the closest registered tag. */
    private static String explainUnknownTag(String message, Context globals) {
        java.util.regex.Matcher matcher = UNKNOWN_TAG.matcher(message);
        if (!matcher.find()) {
            return message;
        }
        String tag = matcher.group(1);
        List<String> known = globals.getAllTags().stream().map(registered -> registered.getName()).toList();
        return "unknown tag '" + tag + "'" + KnownNames.hint(tag, known);
    }

    private static String offendingLine(Path file, int line) {
        try {
            return SaltYaml.lineOf(Files.readString(file), line).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Resolves names that no scope defines: {@code True}, {@code False} and {@code None} (and
     * their lower-case forms, which Jinja2 also accepts) as constants, a variable explicitly set to None as null, anything else as {@link Undefined}.
     */
    private static Object resolveMissingVariable(String name) {
        switch (name) {
            case "True":
            case "true":
                return Boolean.TRUE;
            case "False":
            case "false":
                return Boolean.FALSE;
            case "None":
            case "none":
                return null;
            default:
                break;
        }
        JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
        if (interpreter != null && isBoundToNull(interpreter.getContext(), name)) {
            return null;
        }
        return Undefined.variable(name);
    }

    private static boolean isBoundToNull(Context context, String name) {
        for (Context scope = context; scope != null; scope = scope.getParent()) {
            if (scope instanceof ImportScope.GlobalsOnlyContext importScope) {
                return importScope.binds(name);
            }
            if (scope.getScope().containsKey(name)) {
                return true;
            }
        }
        return false;
    }

    /** Salt's {@code raise('message')} global: ends the rendering with the message. */
    public static Object raiseError(Object message) {
        RenderSession.SaltCallException error = new RenderSession.SaltCallException(PythonRepr.str(message));
        RenderSession.current().ifPresent(session -> session.recordError(error));
        throw error;
    }

    /** Salt's {@code odict()} global: an empty mapping that keeps insertion order. */
    public static Map<String, Object> orderedDict() {
        return new LinkedHashMap<>();
    }

    /** Creates {@link SaltInterpreter}s for top-level templates, imports and macros alike. */
    private static final class SaltInterpreterFactory implements InterpreterFactory {
        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter orig) {
            if (ImportScope.takeIsolationRequest()) {
                SaltInterpreter child = new SaltInterpreter(RenderSession.require().application(),
                        ImportScope.globalsOnly(orig.getContext()), orig.getConfig());
                return child;
            }
            return new SaltInterpreter(orig);
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava application, Context context, JinjavaConfig renderConfig) {
            return new SaltInterpreter(application, context, renderConfig);
        }
    }

    /** The most parsed templates kept; the cache starts over when it is full. */
    private static final int MAX_CACHED_TEMPLATES = 1024;

    /**
     * Parsed templates by their text, shared by all renderings and threads, because Jinjava
     * parses a template again on every render, import and include. A parse that reported an
     * error is not kept, so that each rendering of a broken template reports that error again.
     * NOTE: this relies on Jinjava 2.8 nodes keeping no state between renderings; the
     * render tests, ConcurrentRenderTest included, pass with the cache but do not prove it.
     */
    private static final Map<String, Node> PARSED = new ConcurrentHashMap<>();

    /** An interpreter that prints values as Python's {@code str()} does and reuses parsed templates. */
    private static final class SaltInterpreter extends JinjavaInterpreter {
        SaltInterpreter(JinjavaInterpreter orig) {
            super(orig);
        }

        SaltInterpreter(Jinjava application, Context context, JinjavaConfig renderConfig) {
            super(application, context, renderConfig);
        }

        @Override
        public Node parse(String template) {
            Node cached = PARSED.get(template);
            if (cached != null) {
                return cached;
            }
            int errorsBefore = getErrors().size();
            Node parsed = super.parse(template);
            if (getErrors().size() == errorsBefore) {
                if (PARSED.size() >= MAX_CACHED_TEMPLATES) {
                    PARSED.clear();
                }
                PARSED.put(template, parsed);
            }
            return parsed;
        }

        @Override
        public String getAsString(Object object) {
            try {
                return PythonRepr.str(object);
            } catch (Undefined.UndefinedException e) {
                throw e;
            }
        }
    }

    /**
     * Reads templates from the file roots of the running session. Paths are relative to the
     * roots; {@code ./} and {@code ../} are relative to the importing template and may not
     * climb above the root.
     */
    private static final class FileRootsLocator implements ResourceLocator {
        @Override
        public String getString(String fullName, Charset encoding, JinjavaInterpreter interpreter) throws IOException {
            RenderSession session = RenderSession.require();
            if (!FileRoots.isSafeRelative(fullName)) {
                throw new ResourceNotFoundException("template path " + quoted(fullName)
                        + " is absolute or climbs above the file root; use a path relative to the file root");
            }
            Optional<Path> file = session.roots().find(fullName);
            if (file.isEmpty()) {
                throw new ResourceNotFoundException("template " + quoted(fullName) + " not found in file roots "
                        + session.roots());
            }
            return TemplateFiles.read(file.get(), encoding, PREPARE_IMPORTED);
        }

        /**
         * Drops one trailing newline, as Jinja2 does for every template it loads
         * (keep_trailing_newline is off; Salt adds it back only for the template it renders
         * at the top), and prepares the text for Jinjava.
         */
        private static final java.util.function.UnaryOperator<String> PREPARE_IMPORTED = text -> {
            String trimmed = text;
            if (trimmed.endsWith("\r\n")) {
                trimmed = trimmed.substring(0, trimmed.length() - 2);
            } else if (trimmed.endsWith("\n")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            return TemplateSource.separateNestedClosingBraces(trimmed);
        };

        @Override
        public Optional<LocationResolver> getLocationResolver() {
            return Optional.of(FileRootsLocator::resolveRelative);
        }

        private static String resolveRelative(String path, JinjavaInterpreter interpreter) {
            if (!path.startsWith("./") && !path.startsWith("../")) {
                return path;
            }
            String current = RenderSession.current().map(RenderSession::currentTemplate).orElse("");
            Path parent = Path.of(current).getParent();
            Path resolved = (parent == null ? Path.of("") : parent).resolve(path).normalize();
            return resolved.toString();
        }

        private static String quoted(String text) {
            return "'" + text + "'";
        }
    }

    /** Copies a value tree so that a template changing its grains or pillar changes only its own copy. */
    static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put(key, deepCopy(item)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(deepCopy(item)));
            return copy;
        }
        return value;
    }
}
