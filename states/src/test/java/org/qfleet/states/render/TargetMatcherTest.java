package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TargetMatcherTest {

    private static final Map<String, Object> NODEGROUPS = Map.of(
            "dom0", "dom0",
            "vm", "* and not dom0",
            "lab", List.of("lab-01", "lab-02"),
            "lab_qubes", "N@lab and G@os:Qub*");

    private final TargetMatcher matcher = new TargetMatcher(NODEGROUPS);

    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of("glob", "lab-0[1-3]", "lab-02", true),
                Arguments.of("glob", "lab-*", "dom0", false),
                Arguments.of("list", "lab-01, dom0", "dom0", true),
                Arguments.of("pcre", "lab-0\\d", "lab-07x", true),
                Arguments.of("pcre", "lab-0\\d$", "lab-07x", false),
                Arguments.of("grain", "os:Qub*", "dom0", true),
                Arguments.of("grain", "pci_net_devs:03:00.*", "dom0", true),
                Arguments.of("compound", "G@os:Qubes and not lab-*", "dom0", true),
                Arguments.of("compound", "G@os:Debian or L@lab-01,lab-02", "lab-02", true),
                Arguments.of("compound", "not ( dom0 or E@^lab-0[12]$ )", "lab-01", false),
                Arguments.of("nodegroup", "dom0", "dom0", true),
                Arguments.of("nodegroup", "vm", "dom0", false),
                Arguments.of("nodegroup", "vm", "lab-05", true),
                Arguments.of("nodegroup", "lab", "lab-02", true),
                Arguments.of("nodegroup", "lab_qubes", "lab-01", true),
                Arguments.of("nodegroup", "lab_qubes", "lab-05", false));
    }

    @ParameterizedTest(name = "{0} {1} on {2}")
    @MethodSource("targets")
    void targetMatchesAsInSalt(String matchType, String expression, String minionId, boolean expected) throws Exception {
        assertEquals(expected, matcher.matches(matchType, expression, minionId, Fixtures.grains(minionId)));
    }

    @Test
    void unknownNodegroupIsNamed() {
        RenderException error = assertThrows(RenderException.class,
                () -> matcher.matches("nodegroup", "servers", "dom0", Fixtures.grains("dom0")));

        assertTrue(error.getMessage().startsWith("nodegroup 'servers' is not defined; defined nodegroups: ["),
                error.getMessage());
    }

    @Test
    void malformedCompoundIsNamed() {
        RenderException error = assertThrows(RenderException.class,
                () -> matcher.matches("compound", "dom0 and", "dom0", Fixtures.grains("dom0")));

        assertEquals("invalid compound target 'dom0 and': missing a term at the end", error.getMessage());
    }
}
