/**
 * The salt-ssh flat roster: loading (Jinja, then YAML, or YAML and JSON fetched over HTTP), {@code roster_defaults},
 * validation with every problem reported at once, target expressions (glob, regex, list, grain, nodegroup and
 * compound) over host IDs, and sharding of the targeted hosts.
 */
package org.qfleet.roster;
