package org.qfleet.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table-driven tests of the simulated tools: every case in {@code tool-cases.txt} runs its
 * commands as real processes against a fresh host and compares stdout, stderr and exit code.
 *
 * <p>Each case has its own fleet directory with one host, {@code lab-01}. The file's format: {@code === NAME} starts a case. {@code % ARGV} is a setup command that
 * must exit 0 and whose output is ignored. {@code $ ARGV} is a checked command, followed by its
 * expected output: {@code > LINE} for each stdout line, {@code ! LINE} for each stderr line,
 * {@code !... LINE} when only the last stderr line is checked (usage text comes before it),
 * {@code ? N} for the exit code (0 when absent) and {@code < LINE} for each line of stdin. A last
 * {@code >} line ending in {@code \c} is output without a final newline (a prompt). A
 * command without {@code >} or {@code !} lines must print nothing there. ARGV is split like a
 * shell word list with single and double quotes. Lines starting with {@code #} are comments.
 */
class ToolCasesTest {

    private static final String CASES = "tool-cases.txt";

    @TempDir
    static Path dir;

    /** One checked or setup command with its expected results. */
    static final class Step {
        final int line;
        final boolean setup;
        final List<String> argv;
        final List<String> stdin = new ArrayList<>();
        final List<String> stdout = new ArrayList<>();
        final List<String> stderr = new ArrayList<>();
        boolean stderrLastLineOnly;
        int exitCode;

        Step(int line, boolean setup, List<String> argv) {
            this.line = line;
            this.setup = setup;
            this.argv = argv;
        }
    }

    record Case(String name, int line, List<Step> steps) {
    }

    @TestFactory
    Stream<DynamicTest> toolCases() throws IOException {
        List<Case> cases = parse(readCases());
        List<DynamicTest> tests = new ArrayList<>();
        for (int index = 0; index < cases.size(); index++) {
            Case testCase = cases.get(index);
            Path caseDir = dir.resolve(String.format("case-%03d", index + 1));
            tests.add(DynamicTest.dynamicTest(testCase.name(),
                    () -> runCase(ToolRunner.install(caseDir, "lab-01"), testCase)));
        }
        return tests.stream();
    }

    @org.junit.jupiter.api.Test
    void everyToolHasCases() throws IOException {
        String text = readCases();
        for (String tool : SimulatedFleet.TOOL_NAMES) {
            assertTrue(text.contains("\n$ " + tool + " ") || text.contains("\n$ " + tool + "\n"),
                    "tool-cases.txt has no checked command for " + tool);
        }
    }

    private static void runCase(ToolRunner tools, Case testCase) throws Exception {
        for (Step step : testCase.steps()) {
            String stdin = step.stdin.isEmpty() ? "" : String.join("\n", step.stdin) + "\n";
            ToolRunner.Result result = tools.runWithInput(stdin, step.argv.toArray(String[]::new));
            String where = CASES + ":" + step.line + " " + String.join(" ", step.argv) + "\n" + result;
            if (step.setup) {
                assertEquals(0, result.exitCode(), "setup failed: " + where);
                continue;
            }
            assertEquals(expectedStdout(step.stdout), result.stdout(), "stdout of " + where);
            if (step.stderrLastLineOnly) {
                List<String> lines = result.stderr().lines().toList();
                assertFalse(lines.isEmpty(), "stderr of " + where);
                assertEquals(step.stderr.get(0), lines.get(lines.size() - 1), "last stderr line of " + where);
            } else {
                assertEquals(joinLines(step.stderr), result.stderr(), "stderr of " + where);
            }
            assertEquals(step.exitCode, result.exitCode(), "exit code of " + where);
        }
    }

    /** Joins the expected stdout lines; a last line ending in {@code \\c} has no final newline. */
    private static String expectedStdout(List<String> lines) {
        String text = joinLines(lines);
        if (text.endsWith("\\c\n")) {
            return text.substring(0, text.length() - 3);
        }
        return text;
    }

    private static String joinLines(List<String> lines) {
        return lines.isEmpty() ? "" : String.join("\n", lines) + "\n";
    }

    private static String readCases() throws IOException {
        try (InputStream in = ToolCasesTest.class.getResourceAsStream(CASES)) {
            if (in == null) {
                throw new IOException("test resource " + CASES + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static List<Case> parse(String text) {
        List<Case> cases = new ArrayList<>();
        List<Step> steps = null;
        Step step = null;
        String[] lines = text.split("\n", -1);
        for (int index = 0; index < lines.length; index++) {
            String line = lines[index];
            int number = index + 1;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("=== ")) {
                steps = new ArrayList<>();
                step = null;
                cases.add(new Case(line.substring(4).trim(), number, steps));
                continue;
            }
            if (steps == null) {
                throw new IllegalArgumentException(CASES + ":" + number + ": expected '=== NAME' first, found: " + line);
            }
            if (line.startsWith("$ ") || line.startsWith("% ")) {
                step = new Step(number, line.startsWith("%"), split(line.substring(2), number));
                steps.add(step);
                continue;
            }
            if (step == null) {
                throw new IllegalArgumentException(CASES + ":" + number + ": expected '$ ARGV' before: " + line);
            }
            if (line.startsWith("!... ")) {
                step.stderrLastLineOnly = true;
                step.stderr.add(line.substring(5));
            } else if (line.equals(">") || line.startsWith("> ")) {
                step.stdout.add(line.length() > 2 ? line.substring(2) : "");
            } else if (line.equals("!") || line.startsWith("! ")) {
                step.stderr.add(line.length() > 2 ? line.substring(2) : "");
            } else if (line.startsWith("< ")) {
                step.stdin.add(line.substring(2));
            } else if (line.startsWith("? ")) {
                step.exitCode = Integer.parseInt(line.substring(2).trim());
            } else {
                throw new IllegalArgumentException(CASES + ":" + number
                        + ": expected a line starting with $, %, >, !, !..., <, ? or #, found: " + line);
            }
        }
        return cases;
    }

    /** Splits a command line into words, honouring single and double quotes. */
    static List<String> split(String commandLine, int number) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (char c : commandLine.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException(CASES + ":" + number + ": unclosed quote in: " + commandLine);
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
