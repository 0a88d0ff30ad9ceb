package org.qfleet.states.render;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.MacroFunction;
import com.hubspot.jinjava.lib.tag.FromTag;
import com.hubspot.jinjava.lib.tag.ImportTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.TagToken;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jinja2's import scoping on top of Jinjava. Jinjava renders an imported template in a child
 * of the importer's context, so the import sees every variable of the importer. Jinja2 gives
 * an imported template, and the macros it defines, only the globals unless the import says
 * {@code with context}. In Salt the render context ({@code grains}, {@code pillar},
 * {@code salt}, {@code opts}, {@code sls}, the path variables) is part of the globals, so
 * imports always see it.
 *
 * <p>The {@code import} and {@code from} tags here drop a trailing {@code with context} or
 * {@code without context} clause and, without {@code with context}, render the import in a
 * {@link GlobalsOnlyContext} and wrap its macros so that they run in one too.
 */
final class ImportScope {

    private ImportScope() {}

    private static final Pattern CONTEXT_CLAUSE =
            Pattern.compile("\\s+(with|without)\\s+context(\\s*[-+]?%}\\s*)$");

    /** Set by the tags below until the interpreter factory creates the import's interpreter. */
    private static final ThreadLocal<Boolean> ISOLATE_NEXT_CHILD = new ThreadLocal<>();

    /**
     * Returns and clears the request that the next child interpreter see only the globals.
     * The interpreter factory calls it once per child interpreter.
     */
    static boolean takeIsolationRequest() {
        boolean requested = Boolean.TRUE.equals(ISOLATE_NEXT_CHILD.get());
        ISOLATE_NEXT_CHILD.remove();
        return requested;
    }

    /** The result of reading an import tag: the tag without its context clause, and whether it shares the context. */
    private record Parsed(TagNode node, boolean withContext) {}

    private static Parsed parse(TagNode tagNode, JinjavaInterpreter interpreter) {
        TagToken token = (TagToken) tagNode.getMaster();
        Matcher matcher = CONTEXT_CLAUSE.matcher(token.getImage());
        if (!matcher.find()) {
            return new Parsed(tagNode, false);
        }
        String image = token.getImage().substring(0, matcher.start()) + matcher.group(2);
        TagToken stripped = new TagToken(image, token.getLineNumber(), token.getStartPosition(), token.getSymbols());
        TagNode node = new TagNode(tagNode.getTag(), stripped, token.getSymbols());
        return new Parsed(node, "with".equals(matcher.group(1)));
    }

    /** Runs an import tag, rendering the imported template with only the globals unless it shares the context. */
    private static String interpret(Parsed parsed, java.util.function.Supplier<String> body) {
        if (parsed.withContext()) {
            return body.get();
        }
        ISOLATE_NEXT_CHILD.set(Boolean.TRUE);
        try {
            return body.get();
        } finally {
            ISOLATE_NEXT_CHILD.remove();
        }
    }

    /** {@code {% import 'path' as name [with context] %}}. */
    static final class SaltImportTag extends ImportTag {
        private static final long serialVersionUID = 1L;

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            Parsed parsed = parse(tagNode, interpreter);
            String output = ImportScope.interpret(parsed, () -> super.interpret(parsed.node(), interpreter));
            if (!parsed.withContext()) {
                List<String> helpers = getHelpers((TagToken) parsed.node().getMaster());
                String namespace = getContextVar(helpers);
                if (namespace.isEmpty()) {
                    isolateGlobalMacros(interpreter, null);
                } else if (interpreter.getContext().get(namespace) instanceof Map<?, ?> bindings) {
                    isolateMacros(bindings);
                }
            }
            return output;
        }
    }

    /** {@code {% from 'path' import name [as alias], ... [with context] %}}. */
    static final class SaltFromTag extends FromTag {
        private static final long serialVersionUID = 1L;

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            Parsed parsed = parse(tagNode, interpreter);
            String output = ImportScope.interpret(parsed, () -> super.interpret(parsed.node(), interpreter));
            if (!parsed.withContext()) {
                Map<String, String> imports = getImportMap(getHelpers((TagToken) parsed.node().getMaster()));
                isolateGlobalMacros(interpreter, imports.values());
            }
            return output;
        }
    }

    /** Wraps the importer's macros of the given names, or all its own macros when names is null. */
    private static void isolateGlobalMacros(JinjavaInterpreter interpreter, java.util.Collection<String> names) {
        Map<String, MacroFunction> macros = interpreter.getContext().getGlobalMacros();
        for (Map.Entry<String, MacroFunction> entry : List.copyOf(macros.entrySet())) {
            MacroFunction macro = entry.getValue();
            boolean selected = names == null || names.contains(entry.getKey());
            if (selected && !(macro instanceof GlobalsOnlyMacro) && !macro.isCaller()) {
                interpreter.getContext().addGlobalMacro(new GlobalsOnlyMacro(macro, entry.getKey()));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void isolateMacros(Map<?, ?> bindings) {
        Map<Object, Object> values = (Map<Object, Object>) bindings;
        for (Map.Entry<Object, Object> entry : List.copyOf(values.entrySet())) {
            if (entry.getValue() instanceof MacroFunction macro && !(macro instanceof GlobalsOnlyMacro)) {
                values.put(entry.getKey(), new GlobalsOnlyMacro(macro, macro.getName()));
            }
        }
    }

    /** Creates a context whose variable look-ups skip the importer's scopes and go to the globals. */
    static Context globalsOnly(Context importer) {
        RenderSession session = RenderSession.require();
        return new GlobalsOnlyContext(importer, session.globals(), session.application());
    }

    /**
     * A context under the importer's context, so that template paths, import cycles and
     * libraries still chain, whose variable and macro look-ups see its own scopes and then
     * only the globals: Salt's render context and Jinjava's global context.
     */
    static final class GlobalsOnlyContext extends Context {
        private final Map<String, Object> globals;
        private final Jinjava application;

        GlobalsOnlyContext(Context importer, Map<String, Object> globals, Jinjava application) {
            super(importer);
            this.globals = globals;
            this.application = application;
        }

        @Override
        public Object get(Object key) {
            Object own = getScope().get(key);
            if (own != null) {
                return own;
            }
            Object global = globals.get(key);
            if (global != null) {
                return global;
            }
            return application.getGlobalContext().get(key);
        }

        @Override
        public MacroFunction getGlobalMacro(String identifier) {
            return getGlobalMacros().get(identifier);
        }

        /** Returns whether the name is bound, to None included, in this scope or the globals. */
        boolean binds(String name) {
            return getScope().containsKey(name) || globals.containsKey(name);
        }
    }

    /**
     * A macro of a template imported without context: it runs in a {@link GlobalsOnlyContext}
     * under the caller's context. A {@code caller()} that its body calls runs back in the
     * caller's interpreter, so that the call block sees the caller's variables.
     */
    static final class GlobalsOnlyMacro extends MacroFunction {
        GlobalsOnlyMacro(MacroFunction source, String name) {
            super(source, name);
        }

        @Override
        public Object doEvaluate(Map<String, Object> argMap, Map<String, Object> kwargMap, List<Object> varArgs) {
            JinjavaInterpreter outer = JinjavaInterpreter.getCurrent();
            JinjavaInterpreter inner = outer.getConfig().getInterpreterFactory()
                    .newInstance(RenderSession.require().application(), globalsOnly(outer.getContext()), outer.getConfig());
            inner.setLineNumber(outer.getLineNumber());
            MacroFunction caller = outer.getContext().getGlobalMacro("caller");
            if (caller != null && caller.isCaller()) {
                inner.getContext().addGlobalMacro(new OuterCaller(caller, outer));
            }
            JinjavaInterpreter.pushCurrent(inner);
            try {
                return super.doEvaluate(argMap, kwargMap, varArgs);
            } finally {
                JinjavaInterpreter.popCurrent();
                for (TemplateError error : inner.getErrorsCopy()) {
                    outer.addError(error);
                }
            }
        }
    }

    /** The body of a {@code call} block, run in the interpreter of the template that holds it. */
    private static final class OuterCaller extends MacroFunction {
        private final JinjavaInterpreter outer;

        OuterCaller(MacroFunction caller, JinjavaInterpreter outer) {
            super(caller, caller.getName());
            this.outer = outer;
        }

        @Override
        public Object doEvaluate(Map<String, Object> argMap, Map<String, Object> kwargMap, List<Object> varArgs) {
            JinjavaInterpreter.pushCurrent(outer);
            try {
                return super.doEvaluate(argMap, kwargMap, varArgs);
            } finally {
                JinjavaInterpreter.popCurrent();
            }
        }
    }
}
