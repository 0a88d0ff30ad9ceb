package org.qfleet.states.render;

import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.parse.TagToken;
import com.hubspot.jinjava.util.ObjectTruthValue;
import com.hubspot.jinjava.tree.Node;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import org.apache.commons.lang3.tuple.Pair;

/**
 * Jinjava's {@code for} tag with Jinja2's loop filter: in
 * {@code {% for x in xs if cond %}} only the items for which {@code cond} is true are
 * iterated, and {@code loop.index} counts only those. An {@code {% else %}} part renders when
 * nothing is iterated. Looping over an undefined value is an error, as in Jinja2.
 */
final class LoopFilterForTag extends ForTag {

    private static final long serialVersionUID = 1L;

    @Override
    public String interpretUnchecked(TagNode tagNode, JinjavaInterpreter interpreter) {
        Pair<List<String>, String> varsAndExpression = getLoopVarsAndExpression((TagToken) tagNode.getMaster());
        List<String> loopVars = varsAndExpression.getLeft();
        String expression = varsAndExpression.getRight();
        int split = topLevelIf(expression);
        String iterable = split < 0 ? expression : expression.substring(0, split).trim();
        Object collection = interpreter.resolveELExpression(iterable, tagNode.getLineNumber());
        if (collection instanceof Undefined undefined) {
            throw undefined.error();
        }
        List<Node> body = new ArrayList<>();
        List<Node> elseBody = new ArrayList<>();
        splitElse(tagNode, body, elseBody);
        TagNode loopNode = new TagNode(this, (TagToken) tagNode.getMaster(), tagNode.getSymbols());
        loopNode.setParent(tagNode.getParent());
        loopNode.setChildren(new LinkedList<>(body));
        if (split < 0) {
            if (!elseBody.isEmpty() && isEmpty(collection)) {
                return renderNodes(elseBody, interpreter);
            }
            return renderForCollection(loopNode, interpreter, loopVars, collection);
        }
        String condition = expression.substring(split + 4).trim();
        List<Object> kept = new ArrayList<>();
        for (Object item : SaltFilters.iterate(collection)) {
            try (var scope = interpreter.enterScope()) {
                bind(interpreter, loopVars, item);
                Object result = interpreter.resolveELExpression(condition, tagNode.getLineNumber());
                if (ObjectTruthValue.evaluate(result)) {
                    kept.add(item);
                }
            }
        }
        if (kept.isEmpty() && !elseBody.isEmpty()) {
            return renderNodes(elseBody, interpreter);
        }
        return renderForCollection(loopNode, interpreter, loopVars, kept);
    }

    /** Splits the children at a top-level {@code {% else %}}, which Jinjava's for tag does not know. */
    private static void splitElse(TagNode tagNode, List<Node> body, List<Node> elseBody) {
        boolean inElse = false;
        for (Node child : tagNode.getChildren()) {
            if (!inElse && child instanceof TagNode tag && "else".equals(tag.getName())) {
                inElse = true;
                continue;
            }
            (inElse ? elseBody : body).add(child);
        }
    }

    private static boolean isEmpty(Object collection) {
        if (collection == null) {
            return true;
        }
        return !SaltFilters.iterate(collection).iterator().hasNext();
    }

    private static String renderNodes(List<Node> nodes, JinjavaInterpreter interpreter) {
        StringBuilder out = new StringBuilder();
        for (Node node : nodes) {
            out.append(node.render(interpreter).getValue());
        }
        return out.toString();
    }

    private static void bind(JinjavaInterpreter interpreter, List<String> loopVars, Object item) {
        if (loopVars.size() == 1) {
            interpreter.getContext().put(loopVars.get(0), item);
            return;
        }
        List<Object> parts;
        if (item instanceof Map.Entry<?, ?> entry) {
            parts = new ArrayList<>();
            parts.add(entry.getKey());
            parts.add(entry.getValue());
        } else if (item instanceof List<?> list) {
            parts = new ArrayList<>(list);
        } else {
            throw new InterpretException("cannot unpack " + PythonRepr.repr(item) + " into " + loopVars,
                    interpreter.getLineNumber());
        }
        for (int i = 0; i < loopVars.size(); i++) {
            interpreter.getContext().put(loopVars.get(i), i < parts.size() ? parts.get(i) : null);
        }
    }

    /** Finds " if " outside brackets and quotes, or returns -1. */
    static int topLevelIf(String expression) {
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            switch (c) {
                case '\'', '"' -> quote = c;
                case '(', '[', '{' -> depth++;
                case ')', ']', '}' -> depth--;
                default -> {
                    if (depth == 0 && expression.startsWith(" if ", i)) {
                        return i;
                    }
                }
            }
        }
        return -1;
    }
}
