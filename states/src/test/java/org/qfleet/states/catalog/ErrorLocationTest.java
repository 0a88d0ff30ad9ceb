package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.states.StateException;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.render.FileRoots;
import org.qfleet.states.render.HostQueries;
import org.qfleet.states.render.RenderContext;
import org.qfleet.states.render.RenderingCache;
import org.qfleet.states.render.SaltRenderer;

/**
 * Catalog and compiler errors for SLS files rendered from real file roots: each names the
 * file and the line of the state ID or argument, and stays on one line.
 */
class ErrorLocationTest {

    @TempDir
    Path root;

    @Test
    void unknownFunctionNamesIdLine() throws Exception {
        write("t.sls", "# qubes\nwork:\n  qvm.prefz:\n    - label: red\n");

        assertEquals(file("t.sls") + ":2: Unknown state function 'qvm.prefz' in state with ID 'work' in SLS 't'."
                + " Did you mean 'qvm.prefs'?", firstError("t").split(" Known functions: ")[0]);
    }

    @Test
    void unknownPropertyNamesArgumentLine() throws Exception {
        write("t.sls", "work:\n  qvm.prefs:\n    - memory: 400\n    - lable: red\n");

        String error = firstError("t");

        assertTrue(error.startsWith(file("t.sls") + ":4: qvm.prefs state with ID 'work' in SLS 't': unknown property"
                + " 'lable'. Did you mean 'label'?"), error);
    }

    @Test
    void unknownArgumentNamesArgumentLine() throws Exception {
        write("t.sls", "sys-gui:\n  qvm.present:\n    - template: fedora-42\n    - label: red\n    - maxmem: 4000\n");

        String error = firstError("t");

        assertTrue(error.startsWith(file("t.sls") + ":5: qvm.present state with ID 'sys-gui' in SLS 't': unknown"
                + " argument 'maxmem'; valid arguments: "), error);
    }

    @Test
    void hyphenatedArgumentNamesItsLine() throws Exception {
        write("t.sls", "work:\n  qvm.present:\n    - label: red\n    - max-mem: 4000\n");

        assertTrue(firstError("t").startsWith(file("t.sls") + ":4: "), firstError("t"));
    }

    @Test
    void wrongTypeNamesArgumentLine() throws Exception {
        write("t.sls", "work:\n  qvm.prefs:\n    - netvm: [sys-net, sys-firewall]\n");

        String error = firstError("t");

        assertEquals(file("t.sls") + ":3: qvm.prefs state with ID 'work' in SLS 't': invalid value for field"
                + " 'netvm': ['sys-net', 'sys-firewall']; it must be a qube name, or none", error);
    }

    @Test
    void invalidQubeNameFromIdNamesIdLine() throws Exception {
        write("t.sls", "a: {test.nop: []}\n\n1bad:\n  qvm.exists: []\n");

        assertEquals(file("t.sls") + ":3: qvm.exists state with ID '1bad' in SLS 't': invalid qube name in field"
                + " 'name': '1bad': VM name cannot start with hyphen, underscore, dot or numbers", firstError("t"));
    }

    @Test
    void invalidNameEntryNamesItsLine() throws Exception {
        write("t.sls", "qubes:\n  qvm.exists:\n    - names:\n      - work\n      - 2bad\n");

        String error = firstError("t");

        assertTrue(error.startsWith(file("t.sls") + ":5: qvm.exists state with ID 'qubes' in SLS 't': invalid qube"
                + " name in field 'name': '2bad'"), error);
    }

    @Test
    void namesEntryOverrideNamesItsLine() throws Exception {
        write("t.sls", """
                qubes:
                  qvm.prefs:
                    - label: red
                    - names:
                      - work
                      - personal:
                        - memory: 400
                        - label: pnik
                """);

        List<String> errors = errors("t");

        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(file("t.sls") + ":8: qvm.prefs state with ID 'qubes' in SLS 't':"
                + " invalid value for field 'label': 'pnik'; valid labels: "), errors.get(0));
    }

    @Test
    void invalidNamesEntryNamesItsLine() throws Exception {
        write("t.sls", "qubes:\n  qvm.exists:\n    - names:\n      - work\n      - 5\n");

        String error = firstError("t");

        assertTrue(error.startsWith(file("t.sls") + ":5: The entry 5 in 'names' of "), error);
    }

    @Test
    void namesEntryArgumentsNameEntryLine() throws Exception {
        write("t.sls", "qubes:\n  qvm.exists:\n    - names:\n      - work\n      - personal:\n        - flags\n");

        String error = firstError("t");

        assertTrue(error.startsWith(file("t.sls") + ":5: The arguments of name 'personal' in 'names' of "), error);
    }

    @Test
    void includedFileNamesItself() throws Exception {
        write("top.sls", "include:\n  - lib.qubes\n");
        Files.createDirectories(root.resolve("lib"));
        write("lib/qubes.sls", "work:\n  qvm.prefs:\n    - lable: red\n");

        assertTrue(firstError("top").startsWith(file("lib/qubes.sls") + ":3: qvm.prefs state with ID 'work' in SLS"
                + " 'lib.qubes': unknown property 'lable'"), firstError("top"));
    }

    @Test
    void extendingArgumentNamesExtendingFile() throws Exception {
        write("base.sls", "work:\n  qvm.prefs:\n    - label: red\n");
        write("site.sls", "include:\n  - base\n\nextend:\n  work:\n    qvm.prefs:\n      - label: pnik\n");

        assertTrue(firstError("site").startsWith(file("site.sls") + ":7: qvm.prefs state with ID 'work' in SLS"
                + " 'base': invalid value for field 'label': 'pnik'; valid labels: "), firstError("site"));
    }

    @Test
    void jinjaKeepingLinesNamesFileLine() throws Exception {
        write("t.sls", "{% set label = 'red' %}\n{# the work qube #}\nwork:\n  qvm.prefs:\n"
                + "    - label: {{ label }}\n    - lable: {{ label }}\n");

        assertTrue(firstError("t").startsWith(file("t.sls") + ":6: qvm.prefs state with ID 'work' in SLS 't':"
                + " unknown property 'lable'"), firstError("t"));
    }

    @Test
    void jinjaAddingLinesNamesRenderedLine() throws Exception {
        write("t.sls", "{% for q in ['a', 'b'] %}\n{{ q }}:\n  qvm.exists: []\n{% endfor %}\n"
                + "work:\n  qvm.prefs:\n    - lable: red\n");

        String error = firstError("t");

        assertEquals(file("t.sls") + ": line 10 of the rendered text: qvm.prefs state with ID 'work' in SLS 't':"
                + " unknown property 'lable'.", error.split(" Did you mean")[0]);
    }

    @Test
    void jinjaJoiningLinesNamesRenderedLine() throws Exception {
        write("t.sls", "{%- set x = {\n  'a': 1,\n} %}\nwork:\n  qvm.prefs:\n    - lable: red\n");

        String error = firstError("t");

        assertTrue(error.startsWith(file("t.sls") + ": line 4 of the rendered text: qvm.prefs state with ID 'work'"
                + " in SLS 't': unknown property 'lable'"), error);
    }

    @Test
    void missingRequisiteNamesRequireLine() throws Exception {
        write("t.sls", "work:\n  qvm.exists:\n    - require:\n      - qvm: sys-nett\n");

        assertEquals(file("t.sls") + ":3: Referenced state does not exist for requisite [require: (qvm: sys-nett)]"
                + " in state [work] in SLS [t]", firstError("t"));
    }

    @Test
    void declarationErrorNamesIdLine() throws Exception {
        write("t.sls", "ok:\n  test.nop: []\ntwo:\n  test:\n    - nop\n    - succeed_without_changes\n");

        assertEquals(file("t.sls") + ":3: Too many functions declared in state 'test' in SLS 't' (ID 'two'):"
                + " nop, succeed_without_changes; keep one, or give each its own ID", firstError("t"));
    }

    @Test
    void conflictingIdsNameBothLines() throws Exception {
        write("top.sls", "include:\n  - other\n\nwork:\n  qvm.exists: []\n");
        write("other.sls", "# shared\nwork:\n  qvm.exists: []\n");

        String error = firstError("top");

        assertTrue(error.startsWith(file("other.sls") + ":2: Detected conflicting IDs: ID 'work' is declared in SLS"
                + " 'base:top' (" + file("top.sls") + ":4) and in SLS 'base:other'."), error);
    }

    @Test
    void newlineInValueIsEscaped() throws Exception {
        write("t.sls", "work:\n  qvm.prefs:\n    - label: \"red\\nblue\"\n    - netvm: \"sys\\tnet\\u2028\"\n");

        List<String> errors = errors("t");

        assertEquals(2, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("invalid value for field 'label': 'red\\nblue'; valid labels"),
                errors.get(0));
        assertTrue(errors.get(1).contains("invalid qube name in field 'netvm': 'sys\\tnet\\u2028': "),
                errors.get(1));
        for (String error : errors) {
            assertFalse(error.contains("\n"), error);
            assertFalse(error.contains("\t"), error);
            assertFalse(error.contains("\u2028"), error);
        }
    }

    @Test
    void newlineInTagIsEscaped() throws Exception {
        write("t.sls", "work:\n  qvm.tags:\n    - add:\n      - \"a\\nb\"\n");

        assertEquals(file("t.sls") + ":4: qvm.tags state with ID 'work' in SLS 't': invalid tag 'a\\nb'; tags use"
                + " letters, digits, '_' and '-'", firstError("t"));
    }

    @Test
    void testStateArgumentNamesItsLine() throws Exception {
        write("t.sls", "a:\n  test.configurable_test_state:\n    - comment: hello\n    - changes: Random\n");

        assertEquals(file("t.sls") + ":4: test.configurable_test_state state with ID 'a' in SLS 't': argument"
                + " 'changes' must be True or False, got: 'Random' (qfleet does not support Random, so that a run"
                + " can be repeated)", firstError("t"));
    }

    @Test
    void newlineInIdIsEscaped() throws Exception {
        write("t.sls", "\"work\\nqube\":\n  qvm.prefs:\n    - lable: red\n");

        String error = firstError("t");

        assertTrue(error.startsWith(file("t.sls") + ":1: qvm.prefs state with ID 'work\\nqube' in SLS 't':"), error);
        assertFalse(error.contains("\n"), error);
    }

    @Test
    void newlineInFunctionIsEscaped() throws Exception {
        write("t.sls", "work:\n  \"qvm.pre\\nfs\": []\n");

        String error = firstError("t");

        assertTrue(error.startsWith(file("t.sls") + ":1: Unknown state function 'qvm.pre\\nfs' in state with ID"
                + " 'work'"), error);
        assertFalse(error.contains("\n"), error);
    }

    @Test
    void longValueIsShortened() throws Exception {
        String label = "r".repeat(5000);
        write("t.sls", "work:\n  qvm.prefs:\n    - label: " + label + "\n");

        String error = firstError("t");

        assertTrue(error.contains("'" + "r".repeat(99) + "... (shortened, 5000 characters); valid labels"), error);
        assertTrue(error.length() < 600, "message of " + error.length() + " characters");
    }

    @Test
    void cachedRenderingKeepsLines() throws Exception {
        write("t.sls", "work:\n  qvm.prefs:\n    - lable: red\n");
        RenderingCache cache = new RenderingCache();
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)), cache);

        for (String host : List.of("dom0", "dom0-b")) {
            String error = errors(renderer, host, "t").get(0);

            assertTrue(error.startsWith(file("t.sls") + ":3: "), host + ": " + error);
        }
        assertEquals(1, cache.reuses());
    }

    private void write(String relative, String text) throws IOException {
        Files.writeString(root.resolve(relative), text);
    }

    private String file(String relative) {
        return root.resolve(relative).toString();
    }

    private String firstError(String sls) throws StateException {
        return errors(sls).get(0);
    }

    private List<String> errors(String sls) throws StateException {
        return errors(new SaltRenderer(new FileRoots(List.of(root))), "dom0", sls);
    }

    /** Compiles {@code sls} for a host and returns the compiler's or else the catalog's errors. */
    private static List<String> errors(SaltRenderer renderer, String host, String sls) throws StateException {
        RenderContext context = new RenderContext(host, Map.of("id", host, "os", "Qubes"), Map.of(), NO_QUBES, "base");
        SlsSource source = new SlsSource() {
            @Override
            public Map<String, Object> render(String name) throws StateException {
                return renderer.renderSls(name, context);
            }

            @Override
            public boolean exists(String name) {
                return renderer.slsExists(name);
            }
        };
        List<LowChunk> chunks;
        try {
            chunks = new HighStateCompiler(source).compile(List.of(sls));
        } catch (CompileException e) {
            return e.errors();
        }
        List<String> errors = new ArrayList<>();
        try {
            new StateCatalog().compile(chunks);
        } catch (CompileException e) {
            errors.addAll(e.errors());
        }
        assertFalse(errors.isEmpty(), "no error for SLS " + sls);
        return errors;
    }

    private static final HostQueries NO_QUBES = new HostQueries() {
        @Override
        public boolean qubeExists(String name) {
            return false;
        }

        @Override
        public String shell(String command) {
            throw new UnsupportedOperationException("no shell in this test");
        }
    };
}
