package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DocOptionsTest {

    /** The output and exit code of one in-process qfleet run. */
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.run(args);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void docPrintsEverySection() {
        Run run = run("--doc", "qvm.prefs");

        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().startsWith("qvm.prefs: Sets qube properties"), run.out());
        assertTrue(run.out().contains("\nArguments:\n  name (qube name)\n"), run.out());
        assertTrue(run.out().contains("\nForms:\n"), run.out());
        assertTrue(run.out().contains("\nTest mode (test=True):\n"), run.out());
        assertTrue(run.out().contains("\nExample:\n  work-web:\n    qvm.prefs:\n"), run.out());
    }

    @Test
    void docShowsArgumentDefault() {
        Run run = run("--doc", "qvm.present");

        assertTrue(run.out().contains("  class (text, default AppVM)\n"), run.out());
    }

    @Test
    void docWithoutFunctionListsAll() {
        Run run = run("--doc");

        assertEquals(ExitCodes.OK, run.exit(), run.err());
        assertTrue(run.out().contains("\n  qvm.prefs "), run.out());
        assertTrue(run.out().contains("\n  test.nop "), run.out());
        assertTrue(run.out().contains("Sets qube properties with qvm-prefs"), run.out());
    }

    @Test
    void unknownFunctionSuggestsCloseNames() {
        Run run = run("--doc", "qvm.pref");

        assertEquals(ExitCodes.USAGE, run.exit());
        assertEquals("", run.out());
        assertEquals("qfleet: unknown state function 'qvm.pref'. Did you mean qvm.prefs?"
                + " Run 'qfleet --doc' to list every state function.", run.err().strip());
    }

    @Test
    void shortNameFindsFunction() {
        assertEquals(List.of("qvm.features"),
                DocOptions.closeNames("features", Set.of("qvm.features", "qvm.prefs", "test.nop")));
        assertEquals(List.of(), DocOptions.closeNames("zzzzzz", Set.of("qvm.features", "qvm.prefs")));
    }
}
