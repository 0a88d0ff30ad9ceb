package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Renders the broken formulas under {@code formulas/broken} and checks that each error names
 * the file and line Salt names, with a message a user can act on.
 */
class RenderErrorTest {

    private final SaltRenderer renderer = new SaltRenderer(Fixtures.formulaRoots());

    static Stream<Arguments> brokenFormulas() {
        return Stream.of(
                Arguments.of("undefined", "broken/undefined.sls", 2,
                        "Jinja variable 'missing_name' is undefined\n    b: {{ missing_name }}    <======================"),
                Arguments.of("undefined-attribute", "broken/undefined-attribute.sls", 2,
                        "'dict object' has no attribute 'nokey'\n    b: {{ grains.nokey }}    <======================"),
                Arguments.of("macro-undefined", "broken/lib.jinja", 2,
                        "Jinja variable 'nowhere' is undefined\n    {{ nowhere }}    <======================"),
                Arguments.of("unclosed-if", "broken/unclosed-if.sls", 2,
                        "Jinja error: Syntax error in '{% if grains.os == \"Qubes\" %}': Missing end tag: endif for tag"
                                + " defined as: {% if grains.os == \"Qubes\" %}\n"
                                + "    {% if grains.os == \"Qubes\" %}    <======================"),
                Arguments.of("duplicate-id", "broken/duplicate-id.sls", 0,
                        "invalid YAML at line 5 of the rendered text: found conflicting ID 'sys-net'\n"
                                + "    rendered text:\n"
                                + "      2 |   qvm.exists: []\n"
                                + "      3 | sys-usb:\n"
                                + "      4 |   qvm.exists: []\n"
                                + "    > 5 | sys-net:\n"
                                + "      6 |   qvm.exists: []"),
                Arguments.of("bad-yaml", "broken/bad-yaml.sls", 0,
                        "invalid YAML at line 2 of the rendered text: expected ',' or ']', but got :\n"
                                + "    rendered text:\n"
                                + "      1 | a: [1, 2\n"
                                + "    > 2 | b: 3"),
                Arguments.of("dict-key", "broken/dict-key.sls", 0,
                        "invalid YAML at line 1 of the rendered text: found unacceptable key {'a': 1}"
                                + " (Invalid YAML, possible double curly-brace)\n"
                                + "    rendered text:\n"
                                + "    > 1 | {'a': 1}: x"),
                Arguments.of("not-a-dict", "broken/not-a-dict.sls", 0,
                        "SLS broken.not-a-dict does not render to a dictionary; it renders to ['a', 'b']"),
                Arguments.of("raise", "broken/raise.sls", 2,
                        "custom failure\n    {{ raise(\"custom failure\") }}    <======================"),
                Arguments.of("shell-fails", "broken/shell-fails.sls", 1,
                        "salt['cmd.shell']('exit 3') failed: command exited with status 3: exit 3\n"
                                + "    a: {{ salt[\"cmd.shell\"](\"exit 3\") }}    <======================"),
                Arguments.of("climb", "broken/climb.sls", 1,
                        "Jinja error: template path '../etc/passwd' is absolute or climbs above the file root;"
                                + " use a path relative to the file root\n"
                                + "    {% import \"../../etc/passwd\" as x %}    <======================"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFormulas")
    void errorNamesFileAndLine(String name, String file, int line, String message) throws Exception {
        RenderContext context = Fixtures.context("dom0", Fixtures.host());

        RenderException error = assertThrows(RenderException.class, () -> renderer.renderSls("broken." + name, context));

        assertEquals(Fixtures.resource("formulas").resolve(file), error.file().orElseThrow());
        assertEquals(line, error.line());
        assertEquals(message, error.getMessage());
    }

    @Test
    void missingFunctionListsAvailableOnes() throws Exception {
        RenderContext context = Fixtures.context("dom0", Fixtures.host());

        RenderException error = assertThrows(RenderException.class,
                () -> renderer.renderSls("broken.missing-function", context));

        assertEquals(2, error.line());
        assertTrue(error.getMessage().startsWith("salt function 'no.such' is not available while rendering in qfleet;"
                + " available: cmd.run, cmd.run_stdout, cmd.shell, config.get, defaults.merge,"), error.getMessage());
        assertTrue(error.getMessage().contains(" pillar.get, "), error.getMessage());
        assertTrue(error.getMessage().contains(" qvm.check, "), error.getMessage());
    }

    @Test
    void missingImportNamesRoots() throws Exception {
        RenderContext context = Fixtures.context("dom0", Fixtures.host());

        RenderException error = assertThrows(RenderException.class,
                () -> renderer.renderSls("broken.missing-import", context));

        assertEquals(1, error.line());
        assertEquals("Jinja error: template 'broken/nothere.jinja' not found in file roots ["
                + Fixtures.resource("formulas") + "]\n    {% import \"broken/nothere.jinja\" as x %}    <======================",
                error.getMessage());
    }

    @Test
    void undefinedInConditionFails(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("cond.sls"), "{% if feature_flag %}\na: 1\n{% endif %}\n");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));

        RenderException error = assertThrows(RenderException.class,
                () -> local.renderSls("cond", Fixtures.context("dom0", Fixtures.host())));

        assertEquals(1, error.line());
        assertTrue(error.getMessage().startsWith("Jinja variable 'feature_flag' is undefined"), error.getMessage());
    }

    @Test
    void unclosedTagAtEndFails(@TempDir Path root) throws Exception {
        // Found by LoaderFuzzTest: a file ending inside a tag crashed the raw-block scan.
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));
        for (String text : List.of("{% ", "{%", "a: {% raw", "{% raw %}{% ")) {
            Files.writeString(root.resolve("cut.sls"), text);

            assertThrows(RenderException.class,
                    () -> local.renderSls("cut", Fixtures.context("dom0", Fixtures.host())), text);
        }
    }

    @Test
    void undefinedFailsInEveryUse(@TempDir Path root) throws Exception {
        List<String> uses = List.of("{{ x | length }}", "{% for i in x %}{% endfor %}", "{{ x | int }}", "{{ x ~ 'a' }}",
                "{{ x + 1 }}", "{{ x == 1 }}", "{{ x in [1] }}", "{{ x | upper }}", "{{ x | yaml }}", "{{ [x] }}",
                "{{ not x }}", "{{ 'a' if x else 'b' }}", "{{ x.y }}", "{{ salt['pillar.get'](x) }}");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));
        RenderContext context = Fixtures.context("dom0", Fixtures.host());
        for (int i = 0; i < uses.size(); i++) {
            Files.writeString(root.resolve("use" + i + ".sls"), "a: \"" + uses.get(i) + "\"\n");
            String sls = "use" + i;

            RenderException error = assertThrows(RenderException.class, () -> local.renderSls(sls, context), uses.get(i));

            assertTrue(error.getMessage().startsWith("Jinja variable 'x' is undefined"), uses.get(i) + ": " + error.getMessage());
        }
    }

    @Test
    void undefinedPassesTestsAndDefault(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("ok.sls"), String.join("\n",
                "a: {{ x is defined }}",
                "b: {{ x is undefined }}",
                "c: {{ x | default('fallback') }}",
                "d: {{ x is string }}",
                "e: {{ grains.nokey is defined }}",
                "{% set y = x %}f: done",
                ""));
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));

        Object rendered = local.renderSls("ok", Fixtures.context("dom0", Fixtures.host()));

        Data.assertData(Data.map("a", false, "b", true, "c", "fallback", "d", false, "e", false, "f", "done"), rendered);
    }

    @Test
    void noHostCommandRunsAfterError(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("stop.sls"),
                "a: {{ missing }}\nb: {{ salt['cmd.shell']('echo should-not-run') }}\n");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));
        LocalHost host = Fixtures.host();

        RenderException error = assertThrows(RenderException.class,
                () -> local.renderSls("stop", new RenderContext("dom0", Fixtures.grains("dom0"), java.util.Map.of(), host, "base")));

        assertTrue(error.getMessage().startsWith("Jinja variable 'missing' is undefined"), error.getMessage());
        assertEquals(List.of(), host.commands);
    }

    @Test
    void noneValueIsDefined(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("none.sls"),
                "{% set nothing = None %}a: {{ nothing is defined }}\nb: {{ nothing is none }}\nc: '{{ nothing }}'\n");
        SaltRenderer local = new SaltRenderer(new FileRoots(List.of(root)));

        Object rendered = local.renderSls("none", Fixtures.context("dom0", Fixtures.host()));

        Data.assertData(Data.map("a", true, "b", true, "c", "None"), rendered);
    }

    @Test
    void brokenTemplateFailsEveryTime() throws Exception {
        RenderContext context = Fixtures.context("dom0", Fixtures.host());

        RenderException first = assertThrows(RenderException.class, () -> renderer.renderSls("broken.unclosed-if", context));
        RenderException second = assertThrows(RenderException.class, () -> renderer.renderSls("broken.unclosed-if", context));

        assertEquals(first.getMessage(), second.getMessage());
        assertEquals(2, second.line());
    }
}
