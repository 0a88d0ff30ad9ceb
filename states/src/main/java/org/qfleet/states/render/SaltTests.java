package org.qfleet.states.render;

import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Jinja tests with Python's meaning, registered over Jinjava's own: {@code defined},
 * {@code undefined} and {@code none} know {@link Undefined}; {@code string},
 * {@code mapping}, {@code sequence} and {@code iterable} follow Python's types; Salt adds
 * {@code match}.
 */
final class SaltTests {

    private SaltTests() {}

    @FunctionalInterface
    interface Body {
        boolean test(Object value, Object[] args);
    }

    record NamedTest(String name, Body body) implements ExpTest {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return body.test(var, args);
        }
    }

    static void registerAll(Context context) {
        List<NamedTest> tests = List.of(
                new NamedTest("defined", (value, args) -> !(value instanceof Undefined)),
                new NamedTest("undefined", (value, args) -> value instanceof Undefined),
                new NamedTest("none", (value, args) -> value == null
                        || value instanceof com.hubspot.jinjava.interpret.NullValue),
                new NamedTest("string", (value, args) -> value instanceof CharSequence),
                new NamedTest("mapping", (value, args) -> value instanceof Map<?, ?>),
                new NamedTest("sequence", (value, args) -> value instanceof List<?> || value instanceof CharSequence
                        || value instanceof Map<?, ?> || (value != null && value.getClass().isArray())),
                new NamedTest("iterable", (value, args) -> value instanceof Iterable<?> || value instanceof CharSequence
                        || value instanceof Map<?, ?> || (value != null && value.getClass().isArray())),
                new NamedTest("number", (value, args) -> value instanceof Number),
                new NamedTest("boolean", (value, args) -> value instanceof Boolean),
                new NamedTest("true", (value, args) -> Boolean.TRUE.equals(value)),
                new NamedTest("false", (value, args) -> Boolean.FALSE.equals(value)),
                new NamedTest("equalto", (value, args) -> SaltFilters.pyEquals(value, args[0])),
                new NamedTest("eq", (value, args) -> SaltFilters.pyEquals(value, args[0])),
                new NamedTest("ne", (value, args) -> !SaltFilters.pyEquals(value, args[0])),
                new NamedTest("match", SaltTests::match),
                new NamedTest("search", SaltTests::search));
        for (NamedTest test : tests) {
            context.registerExpTest(test);
        }
    }

    /** Salt's {@code match} test: {@code re.match} of the pattern at the start of the value. */
    private static boolean match(Object value, Object[] args) {
        return compile(args).matcher(PythonRepr.str(value)).lookingAt();
    }

    private static boolean search(Object value, Object[] args) {
        return compile(args).matcher(PythonRepr.str(value)).find();
    }

    private static Pattern compile(Object[] args) {
        int flags = 0;
        if (args.length > 1 && SaltFilters.truthy(args[1])) {
            flags |= Pattern.CASE_INSENSITIVE;
        }
        if (args.length > 2 && SaltFilters.truthy(args[2])) {
            flags |= Pattern.MULTILINE;
        }
        return Pattern.compile(PythonRepr.str(args[0]), flags);
    }
}
