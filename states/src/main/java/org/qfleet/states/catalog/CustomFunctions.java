package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import org.qfleet.states.spi.StateFunction;
import org.qfleet.states.spi.StateFunctionProvider;

/**
 * The state functions that providers on the class path add, loaded once per JVM, and
 * the problems found while loading them: a provider that cannot be created, or a function name
 * that is taken already.
 */
final class CustomFunctions {

    private static volatile CustomFunctions loaded;

    final Map<String, StateFunction> functions;
    final List<String> problems;

    private CustomFunctions(Map<String, StateFunction> functions, List<String> problems) {
        this.functions = Collections.unmodifiableMap(functions);
        this.problems = List.copyOf(problems);
    }

    /** Returns the custom functions, loading the providers on the first call. */
    static CustomFunctions get(Set<String> builtIn) {
        CustomFunctions current = loaded;
        if (current == null) {
            synchronized (CustomFunctions.class) {
                current = loaded;
                if (current == null) {
                    current = load(builtIn, ServiceLoader.load(StateFunctionProvider.class));
                    loaded = current;
                }
            }
        }
        return current;
    }

    /** Loads the functions of every provider that {@code loader} finds. */
    static CustomFunctions load(Set<String> builtIn, ServiceLoader<StateFunctionProvider> loader) {
        Map<String, StateFunction> functions = new LinkedHashMap<>();
        Map<String, String> owners = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        var providers = loader.iterator();
        while (true) {
            StateFunctionProvider provider;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError e) {
                problems.add("cannot load a state function provider: " + e.getMessage()
                        + "; check the jar's META-INF/services/" + StateFunctionProvider.class.getName());
                continue;
            }
            String owner = provider.getClass().getName();
            for (Map.Entry<String, StateFunction> entry : provider.functions().entrySet()) {
                String name = entry.getKey();
                if (!name.matches("[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*")) {
                    problems.add("state function name '" + name + "' from provider " + owner
                            + " is invalid; write it as module.function in lower case, such as site.lockdown");
                } else if (builtIn.contains(name)) {
                    problems.add("state function '" + name + "' from provider " + owner
                            + " is built into qfleet already; give it another name");
                } else if (owners.containsKey(name)) {
                    problems.add("state function '" + name + "' is added by both " + owners.get(name)
                            + " and " + owner + "; remove one of the jars from the class path");
                } else {
                    owners.put(name, owner);
                    functions.put(name, entry.getValue());
                }
            }
        }
        return new CustomFunctions(functions, problems);
    }
}
