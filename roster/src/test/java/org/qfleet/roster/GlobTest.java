package org.qfleet.roster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Compares {@link Glob} with Python's own {@code fnmatch.fnmatchcase}, which salt-ssh uses. */
class GlobTest {

    private static final String[][] CASES = {
        {"lab-*", "lab-01"}, {"lab-*", "lab-"}, {"lab-*", "Lab-01"}, {"lab-*", "xlab-01"},
        {"lab-0[12]", "lab-01"}, {"lab-0[12]", "lab-03"}, {"lab-0[12]", "lab-012"},
        {"?", "a"}, {"?", "ab"}, {"?", ""}, {"??-*", "db-7"},
        {"[!l]*", "lab"}, {"[!l]*", "db"}, {"[!]]", "]"}, {"[!]]", "a"}, {"[]]", "]"}, {"[]a]", "a"},
        {"[a-c]", "b"}, {"[a-c]", "d"}, {"[c-a]", "b"}, {"[c-a]x", "x"}, {"[-a]", "-"}, {"[a-]", "-"},
        {"[a-c-e]", "-"}, {"[a-c-e]", "d"}, {"[!a-c]", "d"}, {"[!a-c]", "b"},
        {"[", "["}, {"[abc", "[abc"}, {"a[", "a["}, {"[!]", "[!]"}, {"[!]", "!"},
        {"*.lab", "a.b.lab"}, {"*", "with space"}, {"*", "line\nbreak"}, {"a\\b", "a\\b"}, {"[\\]", "\\"},
        {"^x$", "^x$"}, {"(a|b)", "(a|b)"}, {"a+", "aa"}, {"a.c", "abc"}, {"{a,b}", "{a,b}"}, {"[^a]", "^"},
        {"[^a]", "b"}, {"über-*", "über-1"}, {"lab-[0-9][0-9]", "lab-42"},
    };

    @Test
    void globMatchesPythonFnmatch() throws Exception {
        List<Boolean> expected = pythonFnmatch();

        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < CASES.length; i++) {
            boolean actual = Glob.compile(CASES[i][0]).matches(CASES[i][1]);
            if (actual != expected.get(i)) {
                mismatches.add("pattern " + CASES[i][0] + " name " + CASES[i][1].replace("\n", "\\n") + ": Python "
                        + expected.get(i) + ", Glob " + actual);
            }
        }

        assertEquals(List.of(), mismatches);
    }

    /** Runs every case through python3's fnmatch.fnmatchcase and returns the results in order. */
    private static List<Boolean> pythonFnmatch() throws IOException, InterruptedException {
        StringBuilder input = new StringBuilder();
        for (String[] pair : CASES) {
            input.append(escape(pair[0])).append('\t').append(escape(pair[1])).append('\n');
        }
        String script = "import fnmatch, sys\n"
                + "for line in sys.stdin.read().splitlines():\n"
                + "    pattern, name = (part.encode().decode('unicode_escape').encode('latin-1').decode('utf-8')"
                + " for part in line.split('\\t'))\n"
                + "    print(fnmatch.fnmatchcase(name, pattern))\n";
        Process process = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
        process.getOutputStream().write(input.toString().getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("python3 fnmatch did not finish within 30 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        List<Boolean> results = output.lines().map(Boolean::parseBoolean).toList();
        assertEquals(CASES.length, results.size(), output);
        return results;
    }

    /** Escapes backslashes and newlines so each case fits on one line of python's input. */
    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
