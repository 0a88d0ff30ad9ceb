/**
 * The plan: the JSON document the master sends to the shim on a host, with one chunk per low
 * chunk and the probe and change steps of each, in execution order.
 */
package org.qfleet.states.plan;
