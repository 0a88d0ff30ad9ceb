package org.qfleet.transport;

/**
 * The end of one remote command.
 *
 * @param exitStatus the command's exit status, or null when the server sent none (for example when a signal
 *                   killed the command)
 * @param stderr     the command's standard error, decoded as UTF-8; at most 1 MiB is kept, and a last marker line
 *                   counts the dropped bytes
 */
public record ExecResult(Integer exitStatus, String stderr) {
}
