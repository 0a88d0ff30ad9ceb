package org.qfleet.roster;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpretException;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.Filter;

/**
 * Renders a roster file with plain Jinjava and no variables, and turns every Jinja problem into a message that names
 * the file and line. Jinjava 2.8 reports an unclosed tag or comment and an end tag without a start tag only as
 * warnings, and it copies an unclosed tag to its output as text. It also renders an unknown filter or test as an
 * empty value. This class reports each of these as an error, as Jinja2 does, so that broken Jinja never reaches the
 * YAML parser.
 */
final class RosterJinja {

    private static final Pattern MISSING_END_TAG = Pattern.compile("Missing end tag: (\\w+) for tag defined as: (.*)$");
    private static final Pattern SYNTAX_ERROR_IN = Pattern.compile("^Syntax error in '(.*?)': ");
    private static final Pattern RAW_START = Pattern.compile("\\{%-?\\s*raw\\s*-?%}");
    private static final Pattern RAW_END = Pattern.compile("\\{%-?\\s*endraw\\s*-?%}");
    private static final Pattern ERROR_WRAPPING = Pattern.compile("^(Error in `[^`]*` on line \\d+: )?"
            + "((InterpretException|TemplateSyntaxException|RuntimeException): )?");

    private RosterJinja() {
    }

    /**
     * Returns the Jinja output of {@code template}.
     *
     * @throws RosterException listing one problem per Jinja error, each with the file and line
     */
    static String render(String template, Path file) throws RosterException {
        Jinjava jinjava = new Jinjava();
        JinjavaConfig config = jinjava.getGlobalConfig();
        Context context = new KnownNamesContext(jinjava.getGlobalContext(), config);
        JinjavaInterpreter interpreter = config.getInterpreterFactory().newInstance(jinjava, context, config);
        List<TemplateError> errors = new ArrayList<>();
        String output;
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            output = interpreter.render(template);
        } catch (StackOverflowError e) {
            // Jinjava recurses once per nesting level of an expression or a tag.
            throw new RosterException("Roster " + file + " failed to render with Jinja: an expression or a tag in"
                    + " it is nested too deeply. Simplify it.");
        } catch (InterpretException e) {
            output = "";
            errors.add(TemplateError.fromSyntaxError(e));
        } catch (RuntimeException e) {
            output = "";
            errors.add(TemplateError.fromException(e, interpreter.getLineNumber()));
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        errors.addAll(0, interpreter.getErrorsCopy());

        // A set, because an error inside a loop is reported once per iteration.
        Set<String> problems = new LinkedHashSet<>();
        int unclosed = unclosedOffset(template);
        if (unclosed >= 0) {
            problems.add(file + ", " + unclosed(template, unclosed));
        }
        for (TemplateError error : errors) {
            String problem = describe(error);
            if (problem != null) {
                problems.add(file + ", " + problem);
            }
        }
        if (!problems.isEmpty()) {
            throw new RosterException("Roster " + file + " failed to render with Jinja. Fix the template:",
                    List.copyOf(problems));
        }
        return output;
    }

    /**
     * Returns {@code "line N: ..."} for an error, or null for a warning that does not break the output, such as one
     * about an unknown property.
     */
    private static String describe(TemplateError error) {
        String message = error.getMessage() == null ? "unknown error" : error.getMessage();
        boolean syntax = error.getReason() == TemplateError.ErrorReason.SYNTAX_ERROR;
        if (syntax && (message.equals("Unclosed token") || message.equals("Unclosed comment"))) {
            // unclosedOffset finds these, with the right line. Jinjava 2.8 also warns about the valid
            // {{ '{{' }}, and it reports the line where the file ends.
            return null;
        }
        if (syntax && message.equals("Missing start tag")) {
            String tag = "{% " + error.getFieldName() + " %}";
            return "line " + error.getLineno() + ": Jinja syntax error: '" + tag + "' closes no open block."
                    + " Remove it, or add the tag that opens the block.";
        }
        if (error.getSeverity() != TemplateError.ErrorType.FATAL) {
            return null;
        }

        String line = "line " + Math.max(error.getLineno(), 1) + ": ";
        UnknownNameException unknown = unknownName(error.getException());
        if (unknown != null) {
            return line + "Jinja error: " + unknown.getMessage();
        }
        Matcher missingEnd = MISSING_END_TAG.matcher(message);
        if (syntax && missingEnd.find()) {
            String endTag = "{% " + missingEnd.group(1) + " %}";
            return line + "Jinja syntax error: '" + missingEnd.group(2) + "' has no matching '" + endTag + "'."
                    + " Add '" + endTag + "' where the block ends.";
        }

        // One problem per line, so the text of an expression that spans lines is joined.
        String text = ERROR_WRAPPING.matcher(message).replaceFirst("").replace('\n', ' ');
        if (!syntax) {
            return line + "Jinja error: " + text;
        }
        Matcher syntaxErrorIn = SYNTAX_ERROR_IN.matcher(text);
        if (syntaxErrorIn.find()) {
            return line + "Jinja syntax error in '" + syntaxErrorIn.group(1) + "': "
                    + text.substring(syntaxErrorIn.end());
        }
        return line + "Jinja syntax error: " + text;
    }

    /**
     * Returns the offset of the first {@code {{}, {@code {%} or {@code {#} that has no closing mark, or -1 when every
     * one is closed. It reads the text as Jinja2's lexer does: a quoted string inside a tag may contain the closing
     * mark, a comment ends at the first {@code #}}, and the text of a raw block is not scanned.
     */
    static int unclosedOffset(String template) {
        int from = 0;
        while (true) {
            int open = nextOpener(template, from);
            if (open < 0) {
                return -1;
            }
            char kind = template.charAt(open + 1);
            int close = kind == '#' ? template.indexOf("#}", open + 2)
                    : closingMark(template, open + 2, kind == '{' ? "}}" : "%}");
            if (close < 0) {
                return open;
            }
            from = close + 2;
            if (kind == '%' && RAW_START.matcher(template.substring(open, from)).matches()) {
                Matcher rawEnd = RAW_END.matcher(template);
                if (!rawEnd.find(from)) {
                    // Jinjava reports the raw block that has no end tag.
                    return -1;
                }
                from = rawEnd.end();
            }
        }
    }

    private static int nextOpener(String template, int from) {
        int brace = template.indexOf('{', from);
        while (brace >= 0 && brace + 1 < template.length()) {
            char next = template.charAt(brace + 1);
            if (next == '{' || next == '%' || next == '#') {
                return brace;
            }
            brace = template.indexOf('{', brace + 1);
        }
        return -1;
    }

    /** Returns the offset of {@code closer} after {@code from}, skipping quoted strings, or -1. */
    private static int closingMark(String template, int from, String closer) {
        char quote = 0;
        for (int i = from; i < template.length(); i++) {
            char c = template.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (template.startsWith(closer, i)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Describes the unclosed mark at {@code offset}. The message gives the column but not the line's text, because
     * the line may contain a password.
     */
    private static String unclosed(String template, int offset) {
        String opener = template.substring(offset, offset + 2);
        String closer = switch (opener) {
            case "{#" -> "#}";
            case "{%" -> "%}";
            default -> "}}";
        };
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (template.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        String where = "line " + line + ": Jinja syntax error: unclosed '" + opener + "' at column "
                + (offset - lineStart + 1) + ": no '" + closer + "' follows it. ";
        if (opener.equals("{#")) {
            return where + "Close the comment with '#}'.";
        }
        return where + "Close the tag with '" + closer + "', or write {{ '" + opener + "' }} for a literal '"
                + opener + "'.";
    }

    private static UnknownNameException unknownName(Throwable exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnknownNameException unknown) {
                return unknown;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    /** A filter or test name that no library registers. */
    private static final class UnknownNameException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnknownNameException(String message) {
            super(message);
        }
    }

    /**
     * The render context, which raises an error for an unknown filter or test name. Jinjava looks a filter up by
     * name when it evaluates {@code x | name} and evaluates the call on a null filter as null, so without this check
     * a misspelt filter renders as an empty value.
     */
    private static final class KnownNamesContext extends Context {
        KnownNamesContext(Context globals, JinjavaConfig config) {
            super(globals, Map.of(), config.getDisabled());
        }

        @Override
        public Filter getFilter(String name) {
            Filter filter = super.getFilter(name);
            if (filter == null) {
                List<String> known = getAllFilters().stream().map(Filter::getName).toList();
                throw new UnknownNameException("no filter named '" + name + "'." + closest(name, known));
            }
            return filter;
        }

        @Override
        public ExpTest getExpTest(String name) {
            ExpTest test = super.getExpTest(name);
            if (test == null) {
                List<String> known = getAllExpTests().stream().map(ExpTest::getName).toList();
                throw new UnknownNameException("no test named '" + name + "'." + closest(name, known));
            }
            return test;
        }
    }

    /** Returns {@code " Did you mean 'x'?"} for a known name within 2 edits of {@code name}, else a hint to check it. */
    private static String closest(String name, List<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int distance = RosterKey.editDistance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best == null ? " Check the spelling." : " Did you mean '" + best + "'?";
    }
}
