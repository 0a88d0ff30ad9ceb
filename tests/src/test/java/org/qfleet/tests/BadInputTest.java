package org.qfleet.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input given to the real qfleet command. Errors found on the master before any host is
 * contacted exit 2 and start no shim. Errors in formulas fail the host after its facts exec
 * only, so no plan reaches it. Every message names the file, line, field and value it can, and
 * nothing prints a stack trace without --debug.
 */
class BadInputTest {

    @TempDir
    static Path work;

    private static FaultFleet fleet;
    private static Map<String, JsonNode> initialState;

    private Path formulas;
    /** The shim execs per host before the test, because the fleet serves every test of the class. */
    private Map<String, Integer> execsBefore;

    @BeforeAll
    static void startFleet() throws IOException {
        fleet = FaultFleet.start(work, 2);
        initialState = fleet.snapshot();
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    @BeforeEach
    void newFormulaFolder() throws IOException {
        formulas = Files.createTempDirectory(work, "formulas");
        execsBefore = fleet.shimExecs();
    }

    /** Writes {@code text} under the formula folder and returns its path. */
    private Path write(String relative, String text) throws IOException {
        Path file = formulas.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    /** Writes a top file that applies SLS {@code t} and the SLS itself. */
    private Path sls(String text) throws IOException {
        write("top.sls", "base:\n  '*':\n    - t\n");
        return write("t.sls", text);
    }

    private QfleetProcess.Outcome qfleet(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("-c", fleet.config.toString()));
        command.addAll(List.of(args));
        return QfleetProcess.run(work, command.toArray(String[]::new));
    }

    private static String text(QfleetProcess.Outcome outcome) {
        return "exit " + outcome.exitCode() + "\nstdout:\n" + outcome.stdout() + "\nstderr:\n" + outcome.stderr();
    }

    /** Asserts a usage error: exit 2, each fragment on stderr, no shim started, no stack trace. */
    private void assertRejectedOnMaster(QfleetProcess.Outcome outcome, String... fragments) throws IOException {
        assertEquals(2, outcome.exitCode(), text(outcome));
        for (String fragment : fragments) {
            assertTrue(outcome.stderr().contains(fragment), "missing '" + fragment + "':\n" + text(outcome));
        }
        assertEquals(execsBefore, fleet.shimExecs(), "a host was contacted:\n" + text(outcome));
        assertFalse(outcome.stderr().contains("\tat "), text(outcome));
    }

    /**
     * Asserts a formula error on lab-01 alone: exit 20, each fragment in its report, one shim
     * exec (the facts) and no change on the host.
     */
    private void assertFailsToCompile(String... fragments) throws Exception {
        Map<String, Integer> before = fleet.shimExecs();
        QfleetProcess.Outcome outcome = qfleet("--file-root", formulas.toString(), "lab-01", "state.apply");

        assertEquals(20, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains("lab-01:\n    Data failed to compile:"), text(outcome));
        for (String fragment : fragments) {
            assertTrue(outcome.stdout().contains(fragment), "missing '" + fragment + "':\n" + text(outcome));
        }
        Map<String, Integer> after = fleet.shimExecs();
        assertEquals(before.getOrDefault("lab-01", 0) + 1, after.getOrDefault("lab-01", 0),
                "shim execs on lab-01 besides the facts:\n" + text(outcome));
        assertEquals(initialState, fleet.snapshot());
        assertFalse(outcome.stderr().contains("\tat "), text(outcome));
    }

    @Test
    void rosterYamlSyntaxNamesLine() throws Exception {
        Path roster = write("roster-syntax", "lab-01:\n  host: 127.0.0.1\n  port: [1,\n");

        assertRejectedOnMaster(qfleet("--roster-file", roster.toString(), "*", "state.apply"),
                roster + ", line 4: invalid YAML");
    }

    @Test
    void rosterFieldNamesHostFieldValue() throws Exception {
        Path roster = write("roster-fields", "lab-01:\n  host: 127.0.0.1\n  port: abc\n  colour: red\n");

        assertRejectedOnMaster(qfleet("--roster-file", roster.toString(), "*", "state.apply"),
                roster + ", line 3: host 'lab-01': field 'port': invalid value 'abc'",
                roster + ", line 4: host 'lab-01': unknown key 'colour'");
    }

    @Test
    void rosterNestingBombIsRejected() throws Exception {
        Path roster = write("roster-deep", "lab-01: " + "[".repeat(5000) + "]".repeat(5000) + "\n");

        assertRejectedOnMaster(qfleet("--roster-file", roster.toString(), "*", "state.apply"),
                roster + ": invalid YAML: Nesting Depth exceeded");
    }

    @Test
    void rosterJinjaSyntaxNamesLine() throws Exception {
        Path unclosed = write("roster-jinja-tag", "lab-01:\n  host: 127.0.0.1\nlab-0{{ 2:\n  host: 127.0.0.1\n");
        assertRejectedOnMaster(qfleet("--roster-file", unclosed.toString(), "*", "state.apply"),
                unclosed + ", line 3: Jinja syntax error: unclosed '{{' at column 6: no '}}' follows it.");

        Path noEndif = write("roster-jinja-if", "lab-01: 127.0.0.1\n{% if true %}\nlab-02: 127.0.0.1\n");
        assertRejectedOnMaster(qfleet("--roster-file", noEndif.toString(), "*", "state.apply"),
                noEndif + ", line 2: Jinja syntax error: '{% if true %}' has no matching '{% endif %}'.");

        Path filter = write("roster-jinja-filter", "lab-01: {{ '127.0.0.1' | trimm }}\n");
        assertRejectedOnMaster(qfleet("--roster-file", filter.toString(), "*", "state.apply"),
                filter + ", line 1: Jinja error: no filter named 'trimm'. Did you mean 'trim'?");
    }

    @Test
    void configValueNamesFieldAndValue() throws Exception {
        Path config = write("bad-type.yaml", "roster_file: " + fleet.roster + "\nmax_procs: many\n");

        assertRejectedOnMaster(QfleetProcess.run(work, "-c", config.toString(), "*", "state.apply"),
                config + ", line 2: max_procs: invalid value 'many'. Expected a positive whole number.");
    }

    @Test
    void configYamlSyntaxNamesLine() throws Exception {
        Path config = write("bad-syntax.yaml", "roster_file: [\n");

        assertRejectedOnMaster(QfleetProcess.run(work, "-c", config.toString(), "*", "state.apply"),
                config + ":2: invalid YAML");
    }

    @Test
    void unknownFunctionAndKeywordAreUsageErrors() throws Exception {
        assertRejectedOnMaster(qfleet("*", "state.aply"), "unknown function 'state.aply'", "state.apply");
        assertRejectedOnMaster(qfleet("*", "state.apply", "tset=True"), "unknown argument 'tset='", "test=True");
        assertRejectedOnMaster(qfleet("*", "state.apply", "--step-timeout", "0"), "--step-timeout", "0");
    }

    @Test
    void slsYamlSyntaxShowsRenderedLine() throws Exception {
        Path file = sls("work:\n  qvm.prefs:\n    - label: [blue\n");

        assertFailsToCompile(file + ": invalid YAML at line 4 of the rendered text", "3 |     - label: [blue");
    }

    @Test
    void slsJinjaErrorsNameFileAndLine() throws Exception {
        Path file = sls("work:\n  qvm.prefs:\n    - label: {{ colour }\n");
        assertFailsToCompile(file + ":3: Jinja error: Unclosed token");

        sls("work:\n  qvm.prefs:\n    - label: {{ colour }}\n");
        assertFailsToCompile(file + ":3: Jinja variable 'colour' is undefined");
    }

    @Test
    void unknownFunctionSuggestsName() throws Exception {
        Path file = sls("# the work qube\nwork:\n  qvm.prefz:\n    - label: blue\n");

        assertFailsToCompile(file + ":2: Unknown state function 'qvm.prefz' in state with ID 'work' in SLS 't'.",
                "Did you mean 'qvm.prefs'?");
    }

    @Test
    void unknownArgumentSuggestsName() throws Exception {
        Path file = sls("work:\n  qvm.prefs:\n    - memory: 400\n    - lable: blue\n");

        assertFailsToCompile(file + ":4: qvm.prefs state with ID 'work' in SLS 't': unknown property 'lable'.",
                "Did you mean 'label'?");
    }

    @Test
    void jinjaLoopNamesRenderedLine() throws Exception {
        Path file = sls("{% for q in ['a', 'b'] %}\n{{ q }}:\n  qvm.exists: []\n{% endfor %}\n"
                + "work:\n  qvm.present:\n    - label: blue\n    - maxmem: 4000\n");

        assertFailsToCompile(file + ": line 11 of the rendered text: qvm.present state with ID 'work' in SLS 't':"
                + " unknown argument 'maxmem'; valid arguments: ");
    }

    @Test
    void wrongArgumentTypesNameFieldAndValue() throws Exception {
        Path file = sls("work:\n  qvm.prefs:\n    - memory: lots\n");
        assertFailsToCompile(file + ":3: qvm.prefs state with ID 'work' in SLS 't': invalid value for field"
                + " 'memory': 'lots'; it must be an integer");

        sls("work:\n  qvm.prefs:\n    - label: [1, 2]\n");
        assertFailsToCompile(file + ":3: qvm.prefs state with ID 'work' in SLS 't': invalid value for field"
                + " 'label': [1, 2]; valid labels: ");
    }

    @Test
    void valueWithNewlineStaysOnOneLine() throws Exception {
        Path file = sls("work:\n  qvm.prefs:\n    - label: \"blue\\nDone: everything fine\"\n");

        assertFailsToCompile(file + ":3: qvm.prefs state with ID 'work' in SLS 't': invalid value for field"
                + " 'label': 'blue\\nDone: everything fine'; valid labels: ");
    }

    @Test
    void hostileQubeNamesAreRejected() throws Exception {
        for (String name : List.of("work;rm -rf /", "work$(reboot)", "work`id`", "work|x", "qübe", "-work",
                "a".repeat(40))) {
            Path file = sls("\"" + name + "\":\n  qvm.present:\n    - label: blue\n");
            assertFailsToCompile(file + ":1: qvm.present state with ID", "invalid qube name in field 'name'");
        }
        Path file = sls("\"work\\nx\":\n  qvm.present:\n    - label: blue\n");
        assertFailsToCompile(file + ":1: qvm.present state with ID 'work\\nx' in SLS 't': invalid qube name in field"
                + " 'name': 'work\\nx': VM name contains illegal characters");

        sls("work:\n  qvm.prefs:\n    - netvm: \"sys-net; reboot\"\n");
        assertFailsToCompile(file + ":3: qvm.prefs state with ID 'work' in SLS 't': invalid qube name in field"
                + " 'netvm': 'sys-net; reboot'");
    }

    @Test
    void recursiveIncludesAreReported() throws Exception {
        write("top.sls", "base:\n  '*':\n    - j\n");
        Path file = write("j.sls", "{% include \"j.sls\" %}\n");
        assertFailsToCompile(file + ":1: Jinja error", "Include cycle detected for path: 'j.sls'");

        write("j.sls", "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}\n");
        assertFailsToCompile(file + ":1: Jinja error: Max recursion limit of 100 reached for macro 'm'");
    }

    @Test
    void includeCycleAppliesEachSlsOnce() throws Exception {
        write("top.sls", "base:\n  '*':\n    - a\n");
        write("a.sls", "include:\n  - b\n");
        write("b.sls", "include:\n  - a\nwork:\n  qvm.prefs:\n    - label: blue\n");

        QfleetProcess.Outcome outcome = qfleet("--file-root", formulas.toString(), "lab-01", "state.apply",
                "test=True");

        assertEquals(0, outcome.exitCode(), text(outcome));
        assertEquals(1, outcome.stdout().split("ID: work\n", -1).length - 1, text(outcome));
    }

    @Test
    void requisiteCycleIsReported() throws Exception {
        sls("a:\n  test.succeed_without_changes:\n    - require:\n      - test: b\n"
                + "b:\n  test.succeed_without_changes:\n    - require:\n      - test: a\n");

        assertFailsToCompile("Recursive requisites were found", "'ID': 'a'", "'ID': 'b'");
    }

    @Test
    void topFileErrorsAreReported() throws Exception {
        Path top = write("top.sls", "base:\n  '*':\n    - t\n  - stray\n");
        assertFailsToCompile(top + ": invalid YAML at line 4 of the rendered text");

        write("top.sls", "base:\n  '*':\n    - not.there\n");
        assertFailsToCompile("SLS 'not.there' was not found in the file roots");
    }

    @Test
    void pillarErrorsNameFileAndLine() throws Exception {
        Path pillar = Files.createTempDirectory(work, "pillar");
        Files.writeString(pillar.resolve("top.sls"), "base:\n  '*':\n    - common\n");
        Path common = pillar.resolve("common.sls");
        sls("work:\n  qvm.prefs:\n    - label: {{ pillar.get('label', 'blue') }}\n");

        Files.writeString(common, "label: [red,\n");
        assertPillarFails(pillar, common + ": invalid YAML at line 2 of the rendered text");

        Files.writeString(common, "label: {{ colour }}\n");
        assertPillarFails(pillar, common + ":1: Jinja variable 'colour' is undefined");
    }

    private void assertPillarFails(Path pillar, String fragment) throws Exception {
        QfleetProcess.Outcome outcome = qfleet("--file-root", formulas.toString(), "--pillar-root", pillar.toString(),
                "lab-01", "state.apply");

        assertEquals(20, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains(fragment), text(outcome));
        assertEquals(initialState, fleet.snapshot());
    }

    @Test
    void yamlBombsAreRejected() throws Exception {
        StringBuilder aliases = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int level = 1; level <= 11; level++) {
            aliases.append("a").append(level).append(": &a").append(level).append(" [")
                    .append(String.join(", ", Collections.nCopies(10, "*a" + (level - 1)))).append("]\n");
        }
        Path file = sls(aliases.toString());
        assertFailsToCompile(file + ": invalid YAML: its aliases (*name) expand it to more than 1000000 values");

        sls("work: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
        assertFailsToCompile(file + ": invalid YAML: Nesting Depth exceeded max 50");
    }

    @Test
    void deepJinjaNestingFailsCleanly() throws Exception {
        sls("work: {{ " + "(".repeat(2000) + "1" + ")".repeat(2000) + " }}\n");

        assertFailsToCompile("Rendering the formulas overflowed the stack");
    }

    @Test
    void hugeSlsStillApplies() throws Exception {
        StringBuilder text = new StringBuilder("work:\n  qvm.prefs:\n    - label: red\n");
        String padding = "#" + "y".repeat(100) + "\n";
        while (text.length() < 20_000_000) {
            text.append(padding);
        }
        sls(text.toString());

        QfleetProcess.Outcome outcome = qfleet("--file-root", formulas.toString(), "lab-01", "state.apply",
                "test=True");

        assertEquals(0, outcome.exitCode(), text(outcome));
        assertTrue(outcome.stdout().contains("ID: work"), text(outcome));
    }
}
