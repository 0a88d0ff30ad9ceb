package org.qfleet.states.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateSyntaxException;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Salt's serializer tags. {@code {% load_yaml as v %}...{% endload %}} (and
 * {@code load_json}, {@code load_text}) parse the rendered body into a variable;
 * {@code {% import_yaml "path" as v %}} (and {@code import_json}, {@code import_text})
 * render a file as a template and parse its output. The variables they set at the top of a
 * template can be imported from other templates like any {@code set} variable.
 */
final class SerializerTags {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LOAD_HELPERS = Pattern.compile("\\s*as\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*");
    private static final Pattern IMPORT_HELPERS = Pattern.compile("\\s*(.+?)\\s+as\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*");

    private SerializerTags() {}

    static Object parse(String format, String text) {
        return switch (format) {
            case "yaml" -> parseYaml(text);
            case "json" -> parseJson(text);
            default -> text;
        };
    }

    /** The most parsed YAML texts kept; the cache starts over when it is full. */
    private static final int MAX_CACHED_YAML = 1024;

    /**
     * Parsed {@code load_yaml} and {@code import_yaml} texts by their text. Formulas load the
     * same defaults in their {@code map.jinja} for every SLS that imports it and for every host,
     * and parsing them was a tenth of the CPU time of rendering the formula library. Callers
     * get a copy, because templates change the mappings they load.
     */
    private static final Map<String, Object> PARSED_YAML = new ConcurrentHashMap<>();

    static Object parseYaml(String text) {
        Object cached = PARSED_YAML.get(text);
        if (cached != null) {
            return SaltJinja.deepCopy(cached);
        }
        Object parsed;
        try {
            parsed = SaltYaml.load(text, null);
        } catch (RenderException e) {
            throw new IllegalArgumentException("Encountered error loading yaml: " + e.getMessage(), e);
        }
        if (parsed != null) {
            if (PARSED_YAML.size() >= MAX_CACHED_YAML) {
                PARSED_YAML.clear();
            }
            PARSED_YAML.put(text, SaltJinja.deepCopy(parsed));
        }
        return parsed;
    }

    static Object parseJson(String text) {
        try {
            return JSON.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Encountered error loading json: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code {% load_yaml as name %}...{% endload %}} and its json and text forms. */
    static final class LoadTag implements Tag {
        private final String format;

        LoadTag(String format) {
            this.format = format;
        }

        @Override
        public String getName() {
            return "load_" + format;
        }

        @Override
        public String getEndTagName() {
            return "endload";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            Matcher matcher = LOAD_HELPERS.matcher(tagNode.getHelpers());
            if (!matcher.matches()) {
                throw new TemplateSyntaxException(interpreter, tagNode.getHelpers(),
                        "expected '{% " + getName() + " as NAME %}', got '{% " + getName() + tagNode.getHelpers() + " %}'");
            }
            StringBuilder body = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                body.append(child.render(interpreter).getValue());
            }
            int line = tagNode.getLineNumber();
            try {
                interpreter.getContext().put(matcher.group(1), parse(format, body.toString()));
            } catch (IllegalArgumentException e) {
                interpreter.setLineNumber(line);
                RenderSession.current().ifPresent(session -> session.recordError(e));
                throw e;
            }
            return "";
        }
    }

    /** {@code {% import_yaml "path" as name %}} and its json and text forms. */
    static final class ImportTag implements Tag {
        private final String format;

        ImportTag(String format) {
            this.format = format;
        }

        @Override
        public String getName() {
            return "import_" + format;
        }

        @Override
        public String getEndTagName() {
            return null;
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            Matcher matcher = IMPORT_HELPERS.matcher(tagNode.getHelpers());
            if (!matcher.matches()) {
                throw new TemplateSyntaxException(interpreter, tagNode.getHelpers(),
                        "expected '{% " + getName() + " \"path\" as NAME %}', got '{% " + getName()
                                + tagNode.getHelpers() + " %}'");
            }
            Object pathValue = interpreter.resolveELExpression(matcher.group(1), tagNode.getLineNumber());
            String path = interpreter.resolveResourceLocation(PythonRepr.str(pathValue));
            String text;
            try {
                text = interpreter.getResource(path);
            } catch (IOException e) {
                IllegalArgumentException error = new IllegalArgumentException(
                        "cannot " + getName() + " " + PythonRepr.repr(path) + ": " + e.getMessage(), e);
                RenderSession.current().ifPresent(session -> session.recordError(error));
                throw error;
            }
            String rendered = renderChild(interpreter, path, text, tagNode.getLineNumber());
            try {
                interpreter.getContext().put(matcher.group(2), parse(format, rendered));
            } catch (IllegalArgumentException e) {
                IllegalArgumentException error = new IllegalArgumentException(path + ": " + e.getMessage(), e);
                RenderSession.current().ifPresent(session -> session.recordError(error));
                throw error;
            }
            return "";
        }

        private static String renderChild(JinjavaInterpreter parent, String path, String text, int line) {
            JinjavaInterpreter child = parent.getConfig().getInterpreterFactory().newInstance(parent);
            child.getContext().getCurrentPathStack().pushWithoutCycleCheck(path, line, 0);
            try (var current = JinjavaInterpreter.closeablePushCurrent(child).get()) {
                String output = child.render(text);
                parent.addAllChildErrors(path, child.getErrorsCopy());
                return output;
            } finally {
                child.getContext().getCurrentPathStack().pop();
            }
        }
    }

}
