package org.qfleet.roster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken Jinja in a roster file. Jinjava on its own copies an unclosed tag to its output as text and renders an
 * unknown filter as an empty value. The roster loader reports each case as a Jinja error with its file and line.
 */
class RosterJinjaTest {

    @TempDir
    Path folder;

    static Stream<Arguments> brokenTemplates() {
        return Stream.of(
                Arguments.of("unclosed expression", "lab-0{{ 1:\n",
                        "line 1: Jinja syntax error: unclosed '{{' at column 6: no '}}' follows it. Close the tag with"
                                + " '}}', or write {{ '{{' }} for a literal '{{'."),
                Arguments.of("expression closed by one brace", "lab-01: 10.0.0.1\nlab-02: {{ host }\n",
                        "line 2: Jinja syntax error: unclosed '{{' at column 9: no '}}' follows it. Close the tag with"
                                + " '}}', or write {{ '{{' }} for a literal '{{'."),
                Arguments.of("unclosed tag over lines", "lab-01: 10.0.0.1\n  {% if x\nlab-02: b\nlab-03: c\n",
                        "line 2: Jinja syntax error: unclosed '{%' at column 3: no '%}' follows it. Close the tag with"
                                + " '%}', or write {{ '{%' }} for a literal '{%'."),
                Arguments.of("unclosed comment", "lab-01: 10.0.0.1\n{# hosts below are retired\nlab-02: b\n",
                        "line 2: Jinja syntax error: unclosed '{#' at column 1: no '#}' follows it. Close the comment"
                                + " with '#}'."),
                Arguments.of("literal braces in a value", "lab-01:\n  passwd: 'ab{{cd'\n",
                        "line 2: Jinja syntax error: unclosed '{{' at column 14: no '}}' follows it. Close the tag"
                                + " with '}}', or write {{ '{{' }} for a literal '{{'."),
                Arguments.of("if without endif", "lab-01: 10.0.0.1\n{% if true %}\nlab-02: b\n",
                        "line 2: Jinja syntax error: '{% if true %}' has no matching '{% endif %}'. Add '{% endif %}'"
                                + " where the block ends."),
                Arguments.of("for without endfor", "{% for n in range(1, 3) %}\nlab-0{{ n }}: b\n",
                        "line 1: Jinja syntax error: '{% for n in range(1, 3) %}' has no matching '{% endfor %}'."
                                + " Add '{% endfor %}' where the block ends."),
                Arguments.of("endif without if", "lab-01: 10.0.0.1\n{% endif %}\n",
                        "line 2: Jinja syntax error: '{% endif %}' closes no open block. Remove it, or add the tag"
                                + " that opens the block."),
                Arguments.of("end tags crossed", "{% if true %}\n{% for n in [1] %}\nlab-0{{ n }}: b\n{% endif %}\n",
                        "line 4: Jinja syntax error in '{% endif %}': Mismatched end tag, expected: endfor"),
                Arguments.of("misspelt filter", "lab-01: {{ 'lab' | uper }}\n",
                        "line 1: Jinja error: no filter named 'uper'. Did you mean 'upper'?"),
                Arguments.of("unknown filter in a loop",
                        "{% for n in [1, 2] %}\nlab-0{{ n }}: {{ n | no_such_filter }}\n{% endfor %}\n",
                        "line 2: Jinja error: no filter named 'no_such_filter'. Check the spelling."),
                Arguments.of("unknown filter in set", "{% set h = 'a' | hostname %}\nlab-01: {{ h }}\n",
                        "line 1: Jinja error: no filter named 'hostname'. Check the spelling."),
                Arguments.of("misspelt test", "lab-01: {{ 'a' is strin }}\n",
                        "line 1: Jinja error: no test named 'strin'. Did you mean 'string'?"),
                Arguments.of("unknown tag", "lab-01: {% hosts %}\n",
                        "line 1: Jinja syntax error in '{% hosts %}': Unknown tag: hosts"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenTemplates")
    void brokenJinjaNamesFileAndLine(String name, String template, String problem) throws Exception {
        Path file = write(template);

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        assertEquals(List.of(file + ", " + problem), e.problems());
        assertTrue(e.getMessage().startsWith("Roster " + file + " failed to render with Jinja. Fix the template:\n"),
                e.getMessage());
    }

    @Test
    void unclosedTagMessageHidesLineText() throws Exception {
        Path file = write("lab-01:\n  passwd: 'sentinel{{secret'\n");

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        assertFalse(e.getMessage().contains("sentinel"), e.getMessage());
    }

    @Test
    void validFiltersAndTagsStillRender() throws Exception {
        Path file = write("""
                {# a comment #}
                {% set base = 'lab' | upper %}
                {% for n in range(1, 2) %}
                {{ base | lower }}-0{{ n }}: {{ ['10.0.0', n] | join('.') }}
                {% endfor %}
                lab-02: "{{ '{{' }}literal{{ '}}' | trim }}"
                lab-03: {% raw %}"{{not-Jinja"{% endraw %}
                """);

        List<RosterEntry> entries = Roster.load(file).entries();

        assertEquals(3, entries.size());
        assertEquals("lab-01", entries.get(0).id());
        assertEquals("10.0.0.1", entries.get(0).host());
        assertEquals("{{literal}}", entries.get(1).host());
        assertEquals("{{not-Jinja", entries.get(2).host());
    }

    @Test
    void everyBrokenLineIsListed() throws Exception {
        Path file = write("lab-01: {{ 'a' | uper }}\nlab-02: {{ 'b' | lowr }}\n");

        RosterException e = assertThrows(RosterException.class, () -> Roster.load(file));

        assertEquals(List.of(
                file + ", line 1: Jinja error: no filter named 'uper'. Did you mean 'upper'?",
                file + ", line 2: Jinja error: no filter named 'lowr'. Did you mean 'lower'?"), e.problems());
    }

    private Path write(String content) throws IOException {
        Path file = folder.resolve("roster");
        Files.writeString(file, content);
        return file;
    }
}
