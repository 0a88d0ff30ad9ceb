/**
 * The salt-ssh flat roster: loading (Jinja, then YAML), validation with every problem reported at once, and glob
 * targeting of host IDs.
 */
package org.qfleet.roster;
