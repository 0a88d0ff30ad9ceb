/**
 * The service-provider interface through which a jar on qfleet's class path adds state
 * functions: implement {@link org.qfleet.states.spi.StateFunctionProvider} and list the class
 * in {@code META-INF/services}.
 */
package org.qfleet.states.spi;
