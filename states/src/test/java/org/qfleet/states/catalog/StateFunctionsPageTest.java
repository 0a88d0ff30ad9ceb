package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Generates {@code docs/state-functions.md} from the catalog's documentation files and fails
 * when the committed page differs. Run it with {@code -Dqfleet.updateDocs=true} to rewrite the
 * page after a documentation file changed.
 */
class StateFunctionsPageTest {

    private static final String UPDATE_PROPERTY = "qfleet.updateDocs";

    @Test
    void committedPageIsCurrent() throws IOException {
        Path page = repositoryRoot().resolve("docs/state-functions.md");
        String generated = markdown(new StateCatalog());
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.writeString(page, generated, StandardCharsets.UTF_8);
        }
        String committed = Files.exists(page) ? Files.readString(page, StandardCharsets.UTF_8) : "";
        assertEquals(generated, committed, page + " is stale; regenerate it with: mvn -B -o -pl states test"
                + " -Dtest=StateFunctionsPageTest -D" + UPDATE_PROPERTY + "=true");
    }

    @Test
    void pageHasSectionPerFunction() {
        String page = markdown(new StateCatalog());
        for (String function : new StateCatalog().functions()) {
            assertTrue(page.contains("\n## " + function + "\n"), function);
        }
    }

    @Test
    void tableCellEscapesPipe() {
        assertEquals("full\\|terse and more", cell("full|terse\nand more"));
    }

    private static Path repositoryRoot() {
        Path module = Path.of("").toAbsolutePath();
        return module.getFileName().toString().equals("states") ? module.getParent() : module;
    }

    /** Builds the page: an index of every function, then one section per function. */
    static String markdown(StateCatalog catalog) {
        StringBuilder page = new StringBuilder();
        page.append("# State functions\n\n")
                .append("<!-- Generated from states/src/main/resources/org/qfleet/states/catalog/doc/*.yaml"
                        + " by StateFunctionsPageTest; edit those files, not this page. -->\n\n")
                .append("Every state function that qfleet compiles, with its arguments, the argument forms"
                        + " it accepts,\nwhat `test=True` reports, and an example that the build compiles."
                        + " `qfleet --doc FUNCTION`\nprints the same text in a terminal, and `qfleet --doc`"
                        + " lists the functions.\n\n")
                .append("| function | what it does |\n|---|---|\n");
        for (String function : catalog.functions()) {
            String summary = catalog.doc(function).map(StateDoc::summary).orElse("(not documented)");
            page.append("| [`").append(function).append("`](#").append(anchor(function)).append(") | ")
                    .append(cell(summary)).append(" |\n");
        }
        for (String function : catalog.functions()) {
            catalog.doc(function).ifPresent(doc -> appendSection(page, doc));
        }
        return page.toString();
    }

    private static void appendSection(StringBuilder page, StateDoc doc) {
        page.append("\n## ").append(doc.function()).append("\n\n").append(doc.summary()).append("\n\n")
                .append("| argument | type | default | what it sets |\n|---|---|---|---|\n");
        for (StateDoc.Argument argument : doc.arguments()) {
            page.append("| `").append(argument.name()).append("` | ").append(cell(argument.type()))
                    .append(" | ").append(argument.defaultValue() == null ? "" : cell("`" + argument.defaultValue() + "`"))
                    .append(" | ").append(cell(argument.text())).append(" |\n");
        }
        page.append("\n**Forms.** ").append(doc.forms()).append("\n\n")
                .append("**Test mode.** ").append(doc.testMode()).append("\n\n")
                .append("Example:\n\n```yaml\n").append(doc.example()).append("\n```\n");
    }

    /** Returns the anchor that GitHub gives the heading {@code ## function}. */
    private static String anchor(String function) {
        return function.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_ -]", "").replace(' ', '-');
    }

    static String cell(String text) {
        return text.strip().replace("\n", " ").replace("|", "\\|");
    }
}
