/**
 * Salt's high data to low chunks: gathering SLS files through their includes, the state
 * declarations, {@code extend} and {@code exclude}, {@code names}, ordering, requisites and
 * the final execution order, plus top file matching.
 */
package org.qfleet.states.compile;
