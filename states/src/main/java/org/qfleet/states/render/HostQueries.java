package org.qfleet.states.render;

/**
 * Answers the {@code salt[...]} calls that a template makes while it renders for one host.
 * Implementations use the facts the master gathered where they can and run a command on the
 * host otherwise.
 */
public interface HostQueries {

    /** Returns whether a qube of this name exists on the host. */
    boolean qubeExists(String name);

    /**
     * Runs a shell command on the host for {@code salt['cmd.shell']} and
     * {@code salt['cmd.run']}, and returns its stdout without the final newline.
     */
    String shell(String command) throws RenderException;
}
