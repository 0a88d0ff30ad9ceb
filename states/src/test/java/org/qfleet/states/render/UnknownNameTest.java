package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/** Checks that a misspelt filter, test or tag fails the rendering and suggests the known name. */
class UnknownNameTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " ## ", value = {
        "a: 1\\nb: {{ [1,2] | joyn(' ') }}\\n ## 2 ## Jinja error: no filter named 'joyn'; did you mean 'join'? (at '[1,2] | joyn(' ')')",
        "a: {{ 3 is od }}\\n ## 1 ## Jinja error: no test named 'od'; did you mean 'odd'? (at '3 is od')",
        "a: {{ 3 is not evn }}\\n ## 1 ## Jinja error: no test named 'evn'; did you mean 'even'? (at '3 is not evn')",
        "a: 1\\nb: 2\\n{% iff true %}x{% endif %}\\n ## 3 ## Jinja error: unknown tag 'iff'; did you mean 'if'?",
    })
    void unknownNameFails(String text, int line, String message, @TempDir Path root) throws Exception {
        Files.writeString(root.resolve("typo.sls"), text.replace("\\n", "\n"));
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));

        RenderException error = assertThrows(RenderException.class,
                () -> renderer.renderSls("typo", Fixtures.context("dom0", Fixtures.host())));

        assertEquals(root.resolve("typo.sls"), error.file().orElseThrow());
        assertEquals(line, error.line());
        assertEquals(message, error.getMessage().lines().findFirst().orElseThrow());
    }
}
