package org.qfleet.tests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.qfleet.roster.Roster;
import org.qfleet.roster.RosterException;
import org.qfleet.states.StateException;
import org.qfleet.states.catalog.StateCatalog;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.render.FileRoots;
import org.qfleet.states.render.HostQueries;
import org.qfleet.states.render.RenderContext;
import org.qfleet.states.render.RenderException;
import org.qfleet.states.render.SaltRenderer;

/**
 * Random YAML- and Jinja-like text fed to the roster loader and to the SLS renderer and
 * compiler: each input gives a result or the loader's own exception, never another exception.
 * The inputs are lines mixed from valid rosters and formulas, broken syntax, odd values and
 * characters that YAML and Jinja treat specially, each line possibly cut or with a character
 * inserted.
 *
 * <p>The seed is fixed, as in the shim's fuzz tests, so that every build tries the same inputs
 * and a failure points at a change rather than at a new draw. To explore other inputs, change
 * {@link #SEED} locally and run this class.
 */
class LoaderFuzzTest {

    /** The seed of both properties' random inputs. */
    static final String SEED = "20261204";

    private static final List<String> ROSTER_LINES = List.of(
            "lab-01:", "lab-02: 127.0.0.1", "  host: 127.0.0.1", "  port: 22", "  port: abc", "  port: -1",
            "  user: root", "  passwd: x", "  sudo: True", "  sudo: maybe", "  timeout: 30", "  grains:",
            "    role: lab", "  manage: ['work-*']", "  manage: []", "  ssh_options: ['Port=2']", "  colour: red",
            "roster_defaults:", "  minion_opts: {}", "{% for i in range(3) %}", "{% endfor %}", "lab-{{ i }}:",
            "{{ undefined_name }}", "{% if %}", "{#", "#}", "&anchor {a: 1}", "*anchor", "<<: *anchor", "- item",
            "? complex", ": value", "!!python/object:os.system", "!include x", "\"unterminated", "'quote''s'",
            "key: |", "  block", "key: >-", "\t tab: 1", "…: ünïcödé", "~: null", "0o17: 0x1F", "1e3: .inf",
            "[a, b]: c", "{a: 1}: b", "---", "...", "%YAML 1.2", "", "   ", ":", "-", "{{", "}}", "{%", "%}");

    private static final List<String> SLS_LINES = List.of(
            "work:", "  qvm.prefs:", "    - label: blue", "    - memory: 400", "    - memory: lots", "    - netvm: ''",
            "    - netvm: 'sys-net; reboot'", "  qvm.present:", "    - template: debian-12", "  qvm.features:",
            "    - set:", "      - gui: 1", "  qvm.prefz:", "  test.succeed_with_changes: []", "  test.nothing: []",
            "    - require:", "      - qvm: work", "      - test: other", "    - require_in:", "    - watch:",
            "    - onchanges: [1, 2]", "    - order: last", "    - order: banana", "    - names:", "      - a",
            "include:", "  - other", "  - .relative", "  - ..", "extend:", "  work:", "exclude:", "  - id: work",
            "other:", "  test.succeed_without_changes", "other: test.fail_without_changes",
            "{% set x = salt['grains.get']('id') %}", "{{ x }}:", "{{ grains.id }}:", "{{ pillar.nothing }}",
            "{{ salt['cmd.shell']('true') }}", "{% import 'missing.jinja' as m %}", "{% include 't.sls' %}",
            "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "{% raw %}", "{% endraw %}", "{{ 1/0 }}",
            "{{ 'a' * 3 }}", "{{ [1,2] | join(',') }}", "{{ none.attr }}", "{% for q in grains.qubes %}",
            "{% endfor %}", "{% if true %}", "{% endif %}", "&a [1, *a]", "*undefined_alias", "\"qübe\":",
            "\"a\\nb\":", "  qvm.vm:", "    - prefs:", "      - label: red", "    - features:", "      - enable:",
            "        - service.cups", "---", "", "    ", "\t", "- list", "42", "null");

    private static Path root;
    private static SaltRenderer renderer;
    private static RenderContext context;

    @BeforeContainer
    static void createRoots() throws IOException {
        root = Files.createTempDirectory("qfleet-fuzz");
        renderer = new SaltRenderer(new FileRoots(List.of(root)));
        Map<String, Object> grains = Map.of("id", "lab-01", "os", "Qubes", "qubes", Map.of("vms", Map.of()));
        context = new RenderContext("lab-01", grains, Map.of(), new NoHost(), "base");
    }

    @AfterContainer
    static void removeRoots() throws IOException {
        try (var files = Files.walk(root)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    @Property(tries = 400, seed = SEED)
    void rosterLoaderFailsCleanly(@ForAll("rosterTexts") String text) {
        try {
            loadRoster(text);
        } catch (RosterException expected) {
            // A clean error: the property holds.
        }
    }

    /** Writes {@code text} as a roster file and loads it as qfleet does: Jinja first, then YAML. */
    private static Roster loadRoster(String text) throws RosterException {
        Path file = root.resolve("roster");
        try {
            Files.write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return Roster.load(file);
    }

    @Property(tries = 250, seed = SEED)
    void slsLoaderFailsCleanly(@ForAll("slsTexts") String text) {
        compileSls(text);
    }

    /** Compiles an alias bomb, which exhausted memory before the YAML loader counted expanded values. */
    @Example
    void aliasBombFailsCleanly() {
        StringBuilder text = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level <= 11; level++) {
            text.append("a").append(level).append(": &a").append(level).append(" [");
            text.append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (level - 1)))).append("]\n");
        }
        compileSls(text.toString());
    }

    /** Loads a roster whose Jinja expression is nested 3000 levels deep, which overflowed the stack. */
    @Example
    void deepRosterJinjaFailsCleanly() {
        String text = "lab-01:\n  host: {{ " + "(".repeat(3000) + "1" + ")".repeat(3000) + " }}\n";
        try {
            loadRoster(text);
            throw new AssertionError("the roster loaded");
        } catch (RosterException expected) {
            if (!expected.getMessage().contains("nested too deeply")) {
                throw new AssertionError(expected.getMessage(), expected);
            }
        }
    }

    /** Compiles a file that is not UTF-8 at all, as an editor set to another encoding writes it. */
    @Example
    void invalidUtf8FailsCleanly() {
        compileSls(new byte[] {'a', ':', ' ', (byte) 0xff, (byte) 0xfe, '\n', (byte) 0xed, (byte) 0xa0, (byte) 0xbd});
    }

    /** Writes {@code text} as UTF-8, with a lone surrogate written as '?', and compiles it. */
    private static void compileSls(String text) {
        compileSls(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static void compileSls(byte[] text) {
        try {
            Files.write(root.resolve("t.sls"), text);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        SlsSource source = new SlsSource() {
            @Override
            public Map<String, Object> render(String sls) throws StateException {
                return renderer.renderSls(sls, context);
            }

            @Override
            public boolean exists(String sls) {
                return renderer.slsExists(sls);
            }

            @Override
            public List<String> names() {
                return List.of("t");
            }
        };
        try {
            new StateCatalog().compile(new HighStateCompiler(source).compile(List.of("t")));
        } catch (StateException expected) {
            // A clean error: the property holds.
        }
    }

    @Provide
    Arbitrary<String> rosterTexts() {
        return texts(ROSTER_LINES);
    }

    @Provide
    Arbitrary<String> slsTexts() {
        return texts(SLS_LINES);
    }

    /** Joins 0 to 25 lines, each either taken whole, cut short, given an extra character or made of random characters. */
    private static Arbitrary<String> texts(List<String> lines) {
        Arbitrary<String> whole = Arbitraries.of(lines);
        Arbitrary<String> cut = Arbitraries.of(lines).flatMap(line -> Arbitraries.integers().between(0, line.length())
                .map(end -> line.substring(0, end)));
        Arbitrary<String> inserted = Arbitraries.of(lines).flatMap(line -> Arbitraries.integers()
                .between(0, line.length()).flatMap(at -> Arbitraries.of(':', '-', '{', '}', '%', '[', ']', '&', '*',
                        '!', '|', '>', '\'', '"', '#', '\t', '\n', '\u0000', '\u00e9', '\ud83d')
                        .map(c -> line.substring(0, at) + c + line.substring(at))));
        Arbitrary<String> random = Arbitraries.strings().ofMaxLength(20);
        Arbitrary<String> line = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, whole), net.jqwik.api.Tuple.of(2, cut),
                net.jqwik.api.Tuple.of(2, inserted), net.jqwik.api.Tuple.of(1, random));
        return line.list().ofMaxSize(25).map(list -> String.join("\n", list) + "\n");
    }

    /** Host queries for a master with no host: no qube exists, and shell commands fail. */
    private static final class NoHost implements HostQueries {
        @Override
        public boolean qubeExists(String name) {
            return false;
        }

        @Override
        public String shell(String command) throws RenderException {
            throw new RenderException("no host is connected in this test");
        }
    }
}
