package org.qfleet.states.render;

import java.util.Map;

/**
 * The per-host input of a rendering: the minion ID, its grains and pillar, the calls that
 * need the host, and the Salt environment name (usually {@code base}).
 */
public record RenderContext(
        String minionId,
        Map<String, Object> grains,
        Map<String, Object> pillar,
        HostQueries host,
        String saltenv) {}
