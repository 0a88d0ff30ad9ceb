package org.qfleet.states.spi;

import java.util.Map;

/**
 * A source of state functions beyond the built-in ones. qfleet finds providers with
 * {@link java.util.ServiceLoader}: a jar on qfleet's class path lists its provider classes in
 * {@code META-INF/services/org.qfleet.states.spi.StateFunctionProvider}, one fully qualified
 * class name per line, and each class has a public constructor without arguments.
 *
 * <p>Every function compiles to plan steps ({@link org.qfleet.states.plan.Step}), which the
 * shim runs as it runs the built-in ones: a read-only probe, and the commands that change the
 * host when the probe does not hold. Test mode, requisites, reports and the managed-qube check
 * apply to them unchanged. A function's documentation for {@code qfleet --doc} is the resource
 * {@code org/qfleet/states/catalog/doc/<function>.yaml} in the same jar.
 */
public interface StateFunctionProvider {

    /**
     * Returns the functions this provider adds, keyed by their full name such as
     * {@code site.lockdown}. A name that a built-in function or another provider already has
     * is rejected when the catalog loads.
     */
    Map<String, StateFunction> functions();
}
