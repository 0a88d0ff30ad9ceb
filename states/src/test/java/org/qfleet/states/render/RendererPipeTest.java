package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Renders files through the renderer pipe named on their first line. */
class RendererPipeTest {

    static Stream<Arguments> pipes() {
        return Stream.of(
                Arguments.of("default", "a: {{ 1 + 1 }}\n", Data.map("a", 2)),
                Arguments.of("jinja-yaml", "#!jinja|yaml\na: {{ 1 + 1 }}\n", Data.map("a", 2)),
                Arguments.of("spaced", "#! jinja | yaml\na: {{ 1 + 1 }}\n", Data.map("a", 2)),
                Arguments.of("yaml-jinja", "#!yaml_jinja\na: {{ 1 + 1 }}\n", Data.map("a", 2)),
                Arguments.of("yaml", "#!yaml\na: '{{ 1 + 1 }}'\n", Data.map("a", "{{ 1 + 1 }}")),
                Arguments.of("jinja-json", "#!jinja|json\n{\"b\": {{ 2 * 3 }}, \"a\": [\"x\"]}\n",
                        Data.map("b", 6, "a", List.of("x"))),
                Arguments.of("json", "#!json\n{\"z\": \"{{ raw }}\", \"a\": null}\n",
                        Data.map("z", "{{ raw }}", "a", null)),
                Arguments.of("json-empty", "#!json\n", Data.map()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pipes")
    void pipeRendersFile(String name, String text, Object expected, @TempDir Path root) throws Exception {
        Files.writeString(root.resolve("piped.sls"), text);
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));

        Object rendered = renderer.renderSls("piped", Fixtures.context("dom0", Fixtures.host()));

        Data.assertData(expected, rendered);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedPipes")
    void unsupportedPipeNamesRenderer(String pipe, @TempDir Path root) throws Exception {
        Files.writeString(root.resolve("piped.sls"), "#!" + pipe + "\ndef run():\n    return {}\n");
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));

        RenderException error = assertThrows(RenderException.class,
                () -> renderer.renderSls("piped", Fixtures.context("dom0", Fixtures.host())));

        assertEquals(root.resolve("piped.sls"), error.file().orElseThrow());
        assertEquals(1, error.line());
        assertEquals("renderer '#!" + pipe + "' is not supported by qfleet; qfleet renders '#!jinja|yaml'"
                + " (the default), '#!yaml', '#!jinja|json' and '#!json', so rewrite the file for one of them",
                error.getMessage());
    }

    static Stream<String> rejectedPipes() {
        return Stream.of("py", "pyobjects", "mako|yaml", "jinja|gpg|yaml");
    }

    @Test
    void invalidJsonNamesRenderedLine(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("bad.sls"), "#!jinja|json\n{\n  \"a\": {{ 1 }},\n  \"b\": oops\n}\n");
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));

        RenderException error = assertThrows(RenderException.class,
                () -> renderer.renderSls("bad", Fixtures.context("dom0", Fixtures.host())));

        assertEquals(0, error.line());
        assertEquals("invalid JSON at line 4 of the rendered text", error.getMessage().split(":")[0]);
        assertEquals("    > 4 |   \"b\": oops", error.getMessage().lines().filter(line -> line.contains(">")).findFirst().orElseThrow());
    }

    @Test
    void yamlErrorCountsRenderedLines(@TempDir Path root) throws Exception {
        // Twelve lines in the file render to 50, and the second key3 is on rendered line 42.
        StringBuilder text = new StringBuilder("{% for i in range(20) %}\nkey{{ i }}: {{ i }}\n{% endfor %}\n");
        text.append("key3: again\n");
        for (int i = 0; i < 8; i++) {
            text.append("# filler ").append(i).append('\n');
        }
        Files.writeString(root.resolve("long.sls"), text.toString());
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));

        RenderException error = assertThrows(RenderException.class,
                () -> renderer.renderSls("long", Fixtures.context("dom0", Fixtures.host())));

        assertEquals(0, error.line());
        assertEquals(root.resolve("long.sls") + ": invalid YAML at line 42 of the rendered text:"
                + " found conflicting ID 'key3'", error.describe().lines().findFirst().orElseThrow());
        assertEquals("    > 42 | key3: again",
                error.getMessage().lines().filter(line -> line.startsWith("    >")).findFirst().orElseThrow());
    }
}
