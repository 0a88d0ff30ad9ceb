package org.qfleet.cli;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qfleet.states.render.HostQueries;
import org.qfleet.states.render.RenderException;
import org.qfleet.transport.TransportException;

/**
 * Resolves the render-time calls of one host's formulas. Qube existence comes from the
 * gathered facts; a shell command costs one more shim request on the same connection and is
 * cached for the run.
 */
final class HostQueriesOverShim implements HostQueries {

    private final ShimClient shim;
    private final HostFacts facts;
    private final Map<String, String> shellCache = new HashMap<>();

    HostQueriesOverShim(ShimClient shim, HostFacts facts) {
        this.shim = shim;
        this.facts = facts;
    }

    @Override
    public boolean qubeExists(String name) {
        return facts.qubeExists(name);
    }

    @Override
    public String shell(String command) throws RenderException {
        String cached = shellCache.get(command);
        if (cached != null) {
            return cached;
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", "shell");
        request.put("shell", command);
        Map<String, Map<String, Object>> results;
        try {
            results = shim.runCommands(List.of(request));
        } catch (TransportException | ShimClient.ShimFailure ex) {
            throw new RenderException("running '" + command + "' on the host for a render-time call failed: "
                    + ex.getMessage());
        }
        Map<String, Object> result = results.get("shell");
        String stdout = result == null ? "" : String.valueOf(result.get("stdout"));
        if (stdout.endsWith("\n")) {
            stdout = stdout.substring(0, stdout.length() - 1);
        }
        shellCache.put(command, stdout);
        return stdout;
    }
}
