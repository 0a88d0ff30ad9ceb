package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The --help text and the getting-started page against what this build of qfleet runs and prints. */
class HelpAndDocsVersionTest {

    private static final Path GETTING_STARTED = Path.of("..", "docs", "getting-started.md");

    @Test
    void functionHelpNamesEverySupportedFunction() {
        PositionalParamSpec function = new CommandLine(new QfleetCommand()).getCommandSpec().positionalParameters()
                .stream().filter(parameter -> parameter.paramLabel().equals("FUNCTION")).findFirst().orElseThrow();
        String description = String.join(" ", function.description());

        for (String name : FunctionCall.SUPPORTED) {
            assertTrue(description.contains(name), "FUNCTION help leaves out " + name + ": " + description);
        }
    }

    @Test
    void gettingStartedShowsPrintedVersion() throws Exception {
        List<String> lines = Files.readAllLines(GETTING_STARTED);
        String versionLine = lines.stream().filter(line -> line.startsWith("bin/qfleet --version")).findFirst()
                .orElseThrow(() -> new AssertionError("no 'bin/qfleet --version' line in " + GETTING_STARTED));
        String documented = versionLine.substring(versionLine.indexOf('#') + 1).strip();

        assertEquals(new QfleetCommand.Version().getVersion()[0], documented, GETTING_STARTED.toString());
    }

    @Test
    void gettingStartedNamesBuiltArchive() throws Exception {
        String text = Files.readString(GETTING_STARTED);
        String archive = "qfleet-" + QfleetCommand.Version.number() + ".tar.gz";

        assertTrue(text.contains("tar -xzf " + archive + "\n"), "expected 'tar -xzf " + archive + "' in "
                + GETTING_STARTED);
    }
}
