package org.qfleet.states.render;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;

/** Jinja2's {@code {% filter upper %}...{% endfilter %}}: applies filters to the rendered body. */
final class FilterBlockTag implements Tag {

    private static final long serialVersionUID = 1L;
    private static final String BODY_VARIABLE = "__filter_block_body";

    @Override
    public String getName() {
        return "filter";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        StringBuilder body = new StringBuilder();
        for (Node child : tagNode.getChildren()) {
            body.append(child.render(interpreter).getValue());
        }
        try (var scope = interpreter.enterScope()) {
            interpreter.getContext().put(BODY_VARIABLE, body.toString());
            Object result = interpreter.resolveELExpression(BODY_VARIABLE + " | " + tagNode.getHelpers().strip(),
                    tagNode.getLineNumber());
            return interpreter.getAsString(result);
        }
    }
}
