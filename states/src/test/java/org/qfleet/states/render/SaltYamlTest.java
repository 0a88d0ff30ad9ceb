package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.qfleet.states.render.Data.assertData;
import static org.qfleet.states.render.Data.list;
import static org.qfleet.states.render.Data.map;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Salt's YAML rules, as Salt 3006's loader applies them. */
class SaltYamlTest {

    private static final Path FILE = Path.of("/srv/salt/test.sls");

    @Test
    void keysKeepDocumentOrder() throws Exception {
        Object data = SaltYaml.load("zeta: 1\nalpha: [b, a]\nmid: {y: 1, x: 2}\n", FILE);

        assertInstanceOf(LinkedHashMap.class, data);
        assertInstanceOf(ArrayList.class, ((Map<?, ?>) data).get("alpha"));
        assertData(map("zeta", 1, "alpha", list("b", "a"), "mid", map("y", 1, "x", 2)), data);
    }

    @Test
    void scalarsFollowSaltLoader() throws Exception {
        Object data = SaltYaml.load("mode: 0644\nzero: 00\nhex: 0x1F\nwhen: 2026-12-04\nflag: yes\nnothing: ~\n", FILE);

        assertData(map("mode", 644, "zero", 0, "hex", 31, "when", "2026-12-04", "flag", true, "nothing", null), data);
    }

    @Test
    void emptyDocumentIsNull() throws Exception {
        assertNull(SaltYaml.load("# only a comment\n", FILE));
    }

    @Test
    void duplicateNestedKeyIsRejected() {
        RenderException error = assertThrows(RenderException.class,
                () -> SaltYaml.load("a:\n  b: 1\n  b: 2\n", FILE));

        assertEquals(FILE, error.file().orElseThrow());
        assertEquals(3, error.line());
        assertEquals("invalid YAML at line 3 of the rendered text: found conflicting ID 'b'\n"
                + "    b: 2    <======================", error.getMessage());
    }

    @Test
    void mergeKeyIsNotDuplicate() throws Exception {
        Object data = SaltYaml.load("base: &base {a: 1, b: 2}\nuse:\n  <<: *base\n  b: 3\n", FILE);

        assertData(map("base", map("a", 1, "b", 2), "use", map("a", 1, "b", 3)), data);
    }

    @Test
    void listKeyIsRejected() {
        RenderException error = assertThrows(RenderException.class, () -> SaltYaml.load("? [a, b]\n: x\n", FILE));

        assertEquals(1, error.line());
        assertEquals("invalid YAML at line 1 of the rendered text: found unacceptable key ['a', 'b']"
                + " (Invalid YAML, possible double curly-brace)\n    ? [a, b]    <======================",
                error.getMessage());
    }

    @Test
    void aliasBombIsRejected() {
        StringBuilder text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level <= 11; level++) {
            text.append("a").append(level).append(": &a").append(level).append(" [");
            text.append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (level - 1)))).append("]\n");
        }

        RenderException error = assertThrows(RenderException.class, () -> SaltYaml.load(text.toString(), FILE));

        assertEquals(true, error.getMessage().contains("expand it to more than 1000000 values"), error.getMessage());
    }

    @Test
    void sharedAliasesWithinLimitLoad() throws Exception {
        Object data = SaltYaml.load("base: &base {label: red, memory: 400}\nwork: *base\nvault: *base\n", FILE);

        assertEquals(Map.of("label", "red", "memory", 400), ((Map<?, ?>) data).get("vault"));
    }

    @Test
    void selfContainingListIsRejected() {
        RenderException error = assertThrows(RenderException.class, () -> SaltYaml.load("a: &a [1, *a]\n", FILE));

        assertEquals(true, error.getMessage().contains("contains itself"), error.getMessage());
    }
}
