package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tuples, chained comparisons, {@code not} and Python's equality, each expression with what
 * Jinja2 3.1.6 printed for it with {@code x} set to 2.
 * Jinja2 chains every comparison operator ({@code == != < <= > >= in}, {@code not in}) at one
 * precedence level, as Python does: {@code a < b < c} means {@code a < b and b < c}, and
 * {@code not} applies to a whole comparison. {@code ==} converts nothing between strings,
 * numbers and booleans, but {@code 1 == 1.0 == True}.
 */
class PythonSyntaxTest {

    @TempDir
    static Path root;

    static Stream<Arguments> expressions() {
        return Stream.of(
                Arguments.of("()", "()"),
                Arguments.of("(1,)", "(1,)"),
                Arguments.of("('a',)", "('a',)"),
                Arguments.of("(1, 2)", "(1, 2)"),
                Arguments.of("(1, 2,)", "(1, 2)"),
                Arguments.of("() | length", "0"),
                Arguments.of("(x,) | length", "1"),
                Arguments.of("[(1, 2), (3,)]", "[(1, 2), (3,)]"),
                Arguments.of("x in (1, 2)", "True"),
                Arguments.of("1 < x < 3", "True"),
                Arguments.of("1 < x < 2", "False"),
                Arguments.of("3 > x > 1", "True"),
                Arguments.of("1 <= x <= 2", "True"),
                Arguments.of("0 < 1 < x < 3 < 4", "True"),
                Arguments.of("0 < 1 < x < 3 < 3", "False"),
                Arguments.of("3 > x >= 2 == x", "True"),
                Arguments.of("x == 2 == 2.0", "True"),
                Arguments.of("1 != x != 1", "True"),
                Arguments.of("1 < 2 == 2", "True"),
                Arguments.of("1 < 2 == 3", "False"),
                Arguments.of("'a' in 'abc' == 'abc'", "True"),
                Arguments.of("not x == 3", "True"),
                Arguments.of("not x == 2", "False"),
                Arguments.of("not 'a' in 'abc'", "False"),
                Arguments.of("not x is defined", "False"),
                Arguments.of("not not x == 2", "True"),
                Arguments.of("'a' in 'abc' in ['abc']", "True"),
                Arguments.of("'z' not in 'abc' in ['abc']", "True"),
                Arguments.of("not 1 < x < 3", "False"),
                Arguments.of("1 < x < 3 and x == 2", "True"),
                Arguments.of("1 < x + 1 < 4", "True"),
                Arguments.of("x < 3 if x < 1 else 'big'", "big"),
                Arguments.of("'2' == x", "False"),
                Arguments.of("'2' != x", "True"),
                Arguments.of("1 == True", "True"),
                Arguments.of("0 == False", "True"),
                Arguments.of("2 == True", "False"),
                Arguments.of("'true' == True", "False"),
                Arguments.of("[1] == True", "False"),
                Arguments.of("none == ''", "False"),
                Arguments.of("none == none", "True"),
                Arguments.of("0 == ''", "False"),
                Arguments.of("x == 2.0", "True"),
                Arguments.of("[1, 'a'] == [1, 'a']", "True"),
                Arguments.of("[1, 'a'] == [1, 'b']", "False"),
                Arguments.of("{'a': 1} == {'a': 1.0}", "True"),
                Arguments.of("{'a': 1} != {'b': 1}", "True"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expressions")
    void expressionPrintsAsJinja2(String expression, String expected) throws Exception {
        Path file = root.resolve("expr.sls");
        Files.writeString(file, "{% set x = 2 %}out: \"{{ " + expression.replace("\"", "\\\"") + " }}\"\n");
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("id", "lab-01");
        RenderContext context = new RenderContext("lab-01", grains, new LinkedHashMap<>(),
                new LocalHost(Set.of(), root), "base");
        Object out = new SaltRenderer(new FileRoots(List.of(root))).renderSls("expr", context).get("out");
        assertEquals(expected, String.valueOf(out));
    }
}
