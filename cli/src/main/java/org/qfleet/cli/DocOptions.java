package org.qfleet.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.qfleet.states.catalog.StateCatalog;
import org.qfleet.states.catalog.StateDoc;
import org.qfleet.states.render.KnownNames;
import picocli.CommandLine.Option;

/**
 * {@code --doc [FUNCTION]}: prints a state function's documentation from the state catalog,
 * or lists every function with its summary, the way Salt's {@code sys.doc} does.
 */
final class DocOptions {

    /** Names further than this many single-character edits away are not suggested. */
    private static final int MAX_SUGGESTION_DISTANCE = 2;
    private static final int MAX_SUGGESTIONS = 5;
    private static final String INDENT = "  ";

    @Option(names = "--doc", arity = "0..1", paramLabel = "FUNCTION", fallbackValue = "",
            description = "Print a state function's arguments, accepted forms, test-mode behaviour "
                    + "and an example, such as --doc qvm.prefs; without FUNCTION, list every state function.")
    String function;

    /** Returns whether {@code --doc} was given. */
    boolean requested() {
        return function != null;
    }

    /**
     * Prints the requested documentation and returns the exit code.
     *
     * @throws UsageException when the function is not in the catalog, with the closest names
     */
    int print(PrintStream out) throws UsageException {
        StateCatalog catalog = new StateCatalog();
        if (function.isBlank()) {
            printList(catalog, out);
            return ExitCodes.OK;
        }
        if (!catalog.functions().contains(function)) {
            throw new UsageException(unknownMessage(function, catalog.functions()));
        }
        StateDoc doc = catalog.doc(function).orElseThrow(() -> new UsageException("state function '"
                + function + "' has no documentation file; its arguments are in the compile errors"
                + " that an unknown argument produces"));
        out.print(format(doc));
        return ExitCodes.OK;
    }

    private static void printList(StateCatalog catalog, PrintStream out) {
        Set<String> functions = catalog.functions();
        int width = functions.stream().mapToInt(String::length).max().orElse(0);
        out.println("State functions (qfleet --doc FUNCTION prints one in full):");
        for (String name : functions) {
            String summary = catalog.doc(name).map(StateDoc::summary).orElse("(not documented)");
            out.println(INDENT + String.format(Locale.ROOT, "%-" + width + "s", name) + "  " + summary);
        }
    }

    /** Formats one function's documentation as plain text for a terminal. */
    static String format(StateDoc doc) {
        StringBuilder text = new StringBuilder();
        text.append(doc.function()).append(": ").append(doc.summary()).append("\n\nArguments:\n");
        for (StateDoc.Argument argument : doc.arguments()) {
            text.append(INDENT).append(argument.name()).append(" (").append(argument.type());
            if (argument.defaultValue() != null) {
                text.append(", default ").append(argument.defaultValue());
            }
            text.append(")\n");
            appendIndented(text, argument.text(), INDENT + INDENT);
        }
        text.append("\nForms:\n");
        appendIndented(text, doc.forms(), INDENT);
        text.append("\nTest mode (test=True):\n");
        appendIndented(text, doc.testMode(), INDENT);
        text.append("\nExample:\n");
        appendIndented(text, doc.example(), INDENT);
        return text.toString();
    }

    private static void appendIndented(StringBuilder text, String block, String indent) {
        for (String line : block.split("\n", -1)) {
            text.append(line.isEmpty() ? "" : indent + line).append('\n');
        }
    }

    /** Builds the error for an unknown function, naming the closest functions when there are any. */
    static String unknownMessage(String function, Set<String> functions) {
        List<String> close = closeNames(function, functions);
        String hint = close.isEmpty() ? "" : " Did you mean " + String.join(", ", close) + "?";
        return "unknown state function '" + function + "'." + hint
                + " Run 'qfleet --doc' to list every state function.";
    }

    /**
     * Returns up to five functions close to the given name: within two edits of the whole name
     * or of the part after the module, such as {@code prefs} for {@code qvm.prefs}, or
     * containing it.
     */
    static List<String> closeNames(String function, Set<String> functions) {
        String requested = function.toLowerCase(Locale.ROOT);
        List<String> close = new ArrayList<>();
        for (String candidate : functions) {
            String shortName = candidate.substring(candidate.indexOf('.') + 1);
            boolean near = KnownNames.editDistance(requested, candidate) <= MAX_SUGGESTION_DISTANCE
                    || KnownNames.editDistance(requested, shortName) <= MAX_SUGGESTION_DISTANCE
                    || (requested.length() >= 3 && candidate.contains(requested));
            if (near && close.size() < MAX_SUGGESTIONS) {
                close.add(candidate);
            }
        }
        return close;
    }
}
