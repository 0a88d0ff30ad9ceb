package org.qfleet.states.render;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateSyntaxException;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Jinja2's {@code {% with a = 1, b = x %}...{% endwith %}}: the body runs in a new scope
 * with the assignments, which are all evaluated before any is bound.
 */
final class WithTag implements Tag {

    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
        return "with";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String assignment : splitTopLevel(tagNode.getHelpers(), ',')) {
            if (assignment.isBlank()) {
                continue;
            }
            int equals = assignment.indexOf('=');
            String name = equals < 0 ? "" : assignment.substring(0, equals).strip();
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new TemplateSyntaxException(interpreter, tagNode.getHelpers(),
                        "expected '{% with name = value, ... %}', got '{% with" + tagNode.getHelpers() + " %}'");
            }
            values.put(name, interpreter.resolveELExpression(assignment.substring(equals + 1), tagNode.getLineNumber()));
        }
        StringBuilder out = new StringBuilder();
        try (var scope = interpreter.enterScope()) {
            values.forEach(interpreter.getContext()::put);
            for (Node child : tagNode.getChildren()) {
                out.append(child.render(interpreter).getValue());
            }
        }
        return out.toString();
    }

    /** Splits at separators outside brackets and quotes. */
    static List<String> splitTopLevel(String text, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == separator && depth == 0) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }
}
