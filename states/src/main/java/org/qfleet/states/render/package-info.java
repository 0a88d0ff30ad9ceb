/**
 * Renders Salt formulas as Salt does: Jinja through Jinjava configured as Salt's Jinja
 * environment, then YAML through SnakeYAML with Salt's loader rules, and pillar from a
 * pillar top file. {@link org.qfleet.states.render.SaltRenderer} and
 * {@link org.qfleet.states.render.PillarCompiler} are the entry points.
 */
package org.qfleet.states.render;
