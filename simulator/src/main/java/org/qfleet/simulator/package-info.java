/**
 * A simulated Qubes OS host and fleet: fake {@code qvm-*} tools over one JSON state file per
 * host, and SSH servers on 127.0.0.1 whose exec channels run real processes with those tools
 * first on {@code PATH}.
 */
package org.qfleet.simulator;
