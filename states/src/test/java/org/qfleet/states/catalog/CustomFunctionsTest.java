package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.states.spi.StateFunction;
import org.qfleet.states.spi.StateFunctionProvider;

/** Loading state function providers: the names they may take and the problems reported. */
class CustomFunctionsTest {

    private static final Set<String> BUILT_IN = Set.of("qvm.prefs", "test.nop");

    /** A provider adding {@code site.one}. */
    public static final class SiteProvider implements StateFunctionProvider {
        @Override
        public Map<String, StateFunction> functions() {
            return Map.of("site.one", call -> List.of());
        }
    }

    /** A second provider adding {@code site.one}. */
    public static final class ClashingProvider implements StateFunctionProvider {
        @Override
        public Map<String, StateFunction> functions() {
            return Map.of("site.one", call -> List.of());
        }
    }

    /** A provider taking a built-in name. */
    public static final class BuiltInNameProvider implements StateFunctionProvider {
        @Override
        public Map<String, StateFunction> functions() {
            return Map.of("qvm.prefs", call -> List.of());
        }
    }

    /** A provider with a name that is not module.function. */
    public static final class BadNameProvider implements StateFunctionProvider {
        @Override
        public Map<String, StateFunction> functions() {
            return Map.of("Lockdown", call -> List.of());
        }
    }

    @TempDir
    Path work;

    private CustomFunctions load(String... providers) throws Exception {
        Path services = Files.createDirectories(work.resolve("META-INF/services"));
        Files.writeString(services.resolve(StateFunctionProvider.class.getName()), String.join("\n", providers) + "\n");
        URLClassLoader loader = new URLClassLoader(new URL[] {work.toUri().toURL()}, getClass().getClassLoader());
        return CustomFunctions.load(BUILT_IN, ServiceLoader.load(StateFunctionProvider.class, loader));
    }

    @Test
    void providerAddsItsFunctions() throws Exception {
        CustomFunctions loaded = load(SiteProvider.class.getName());

        assertEquals(Set.of("site.one"), loaded.functions.keySet());
        assertEquals(List.of(), loaded.problems);
    }

    @Test
    void builtInNameIsRejected() throws Exception {
        CustomFunctions loaded = load(BuiltInNameProvider.class.getName());

        assertEquals(Set.of(), loaded.functions.keySet());
        assertTrue(loaded.problems.get(0).contains("'qvm.prefs'"), loaded.problems.toString());
        assertTrue(loaded.problems.get(0).contains("built into qfleet already"), loaded.problems.toString());
    }

    @Test
    void sameNameFromTwoProvidersIsRejected() throws Exception {
        CustomFunctions loaded = load(SiteProvider.class.getName(), ClashingProvider.class.getName());

        assertEquals(1, loaded.problems.size(), loaded.problems.toString());
        assertTrue(loaded.problems.get(0).contains(SiteProvider.class.getName()), loaded.problems.toString());
        assertTrue(loaded.problems.get(0).contains(ClashingProvider.class.getName()), loaded.problems.toString());
    }

    @Test
    void invalidNameIsRejected() throws Exception {
        CustomFunctions loaded = load(BadNameProvider.class.getName());

        assertTrue(loaded.problems.get(0).contains("'Lockdown'"), loaded.problems.toString());
        assertTrue(loaded.problems.get(0).contains("module.function"), loaded.problems.toString());
    }

    @Test
    void missingProviderClassIsReported() throws Exception {
        CustomFunctions loaded = load("org.example.NoSuchProvider");

        assertEquals(Set.of(), loaded.functions.keySet());
        assertTrue(loaded.problems.get(0).contains("org.example.NoSuchProvider"), loaded.problems.toString());
    }
}
