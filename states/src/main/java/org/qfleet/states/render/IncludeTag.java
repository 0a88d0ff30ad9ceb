package org.qfleet.states.render;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.HelperStringTokenizer;
import java.util.regex.Pattern;

/**
 * Jinjava's {@code include} tag with Jinja2's {@code ignore missing}: a missing template
 * then renders as nothing instead of failing.
 */
final class IncludeTag extends com.hubspot.jinjava.lib.tag.IncludeTag {

    private static final long serialVersionUID = 1L;
    private static final Pattern IGNORE_MISSING = Pattern.compile("\\signore\\s+missing(\\s|$)");

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
        String helpers = tagNode.getHelpers();
        if (IGNORE_MISSING.matcher(helpers).find()) {
            HelperStringTokenizer tokens = new HelperStringTokenizer(helpers);
            if (tokens.hasNext()) {
                String path = interpreter.resolveString(tokens.next().strip(), tagNode.getLineNumber(),
                        tagNode.getStartPosition());
                String location = interpreter.resolveResourceLocation(path);
                boolean exists = RenderSession.current().map(session -> session.roots().find(location).isPresent())
                        .orElse(true);
                if (!exists) {
                    return "";
                }
            }
        }
        return super.interpret(tagNode, interpreter);
    }
}
