/**
 * The state catalog: compiles each low chunk of a known state function into steps, read-only
 * probes and the qvm-* commands that change the host, with values written the way the qvm-*
 * tools print them.
 */
package org.qfleet.states.catalog;
