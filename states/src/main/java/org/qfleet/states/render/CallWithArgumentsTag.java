package org.qfleet.states.render;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateSyntaxException;
import com.hubspot.jinjava.lib.fn.MacroFunction;
import com.hubspot.jinjava.lib.tag.CallTag;
import com.hubspot.jinjava.tree.TagNode;
import java.util.LinkedHashMap;

/**
 * Jinjava's {@code call} tag with Jinja2's caller parameters:
 * {@code {% call(item) lister(items) %}{{ item }}{% endcall %}} lets the macro pass values
 * to {@code caller(...)}. Parameters may have defaults, as in {@code call(a, b=1)}.
 */
final class CallWithArgumentsTag extends CallTag {

    private static final long serialVersionUID = 1L;

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        String helpers = tagNode.getHelpers().trim();
        if (!helpers.startsWith("(")) {
            return super.interpret(tagNode, interpreter);
        }
        int close = matchingParenthesis(helpers);
        if (close < 0) {
            throw new TemplateSyntaxException(interpreter, helpers, "missing ')' after the caller parameters");
        }
        LinkedHashMap<String, Object> parameters = new LinkedHashMap<>();
        for (String parameter : WithTag.splitTopLevel(helpers.substring(1, close), ',')) {
            if (parameter.isBlank()) {
                continue;
            }
            int equals = parameter.indexOf('=');
            String name = (equals < 0 ? parameter : parameter.substring(0, equals)).strip();
            Object fallback = equals < 0 ? null
                    : interpreter.resolveELExpression(parameter.substring(equals + 1), tagNode.getLineNumber());
            parameters.put(name, fallback);
        }
        String macroCall = "{{" + helpers.substring(close + 1).trim() + "}}";
        try (var scope = interpreter.enterNonStackingScope()) {
            MacroFunction caller = new MacroFunction(tagNode.getChildren(), "caller", parameters, true,
                    interpreter.getContext(), interpreter.getLineNumber(), interpreter.getPosition());
            interpreter.getContext().addGlobalMacro(caller);
            return interpreter.render(macroCall);
        }
    }

    private static int matchingParenthesis(String text) {
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }
}
