/**
 * SSH connections to the fleet's hosts on Apache MINA SSHD: host key checks against an OpenSSH known_hosts file,
 * public-key authentication, commands with streamed output and timeouts, and bounded fan-out over hosts.
 */
package org.qfleet.transport;
