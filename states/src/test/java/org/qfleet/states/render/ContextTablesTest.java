package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Salt functions and match types that other tables leave out: {@code grains.item},
 * {@code pillar.item}, the merge helpers, and the {@code grain_pcre}, {@code pillar} and
 * compound {@code I@}/{@code P@} targets. NOTE: the expected values follow Salt's documented
 * behaviour; unlike the Jinja tables, they were not produced by running Salt.
 */
class ContextTablesTest {

    @TempDir
    static Path root;

    private static Map<String, Object> grains() {
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("id", "lab-01");
        grains.put("os", "Qubes");
        grains.put("osrelease", "4.2.4");
        return grains;
    }

    private static Map<String, Object> pillar() {
        Map<String, Object> qvm = new LinkedHashMap<>();
        qvm.put("label", "red");
        qvm.put("tags", List.of("work", "net"));
        Map<String, Object> pillar = new LinkedHashMap<>();
        pillar.put("qvm", qvm);
        pillar.put("role", "workstation");
        return pillar;
    }

    static Stream<Arguments> functions() {
        return Stream.of(
                Arguments.of("salt['grains.item']('os')", "{'os': 'Qubes'}"),
                Arguments.of("salt.grains.item('os', 'id')", "{'os': 'Qubes', 'id': 'lab-01'}"),
                Arguments.of("salt['pillar.item']('role')", "{'role': 'workstation'}"),
                Arguments.of("salt['pillar.item']('qvm:label')", "{'qvm:label': 'red'}"),
                Arguments.of("salt['grains.get']('osrelease')", "4.2.4"),
                Arguments.of("salt['grains.get']('missing', 'dflt')", "dflt"),
                Arguments.of("salt['pillar.get']('qvm:tags')", "['work', 'net']"),
                Arguments.of("salt['pillar.get']('qvm:none', [])", "[]"),
                Arguments.of("salt['config.get']('role')", "workstation"),
                Arguments.of("salt['config.get']('os')", "Qubes"),
                Arguments.of("salt['slsutil.merge']({'a': 1, 'b': {'x': 1}}, {'b': {'y': 2}})",
                        "{'a': 1, 'b': {'x': 1, 'y': 2}}"),
                Arguments.of("salt['grains.filter_by']({'Qubes': 'q', 'Debian': 'd'}, grain='os')", "q"),
                Arguments.of("salt['grains.filter_by']({'Debian': 'd'}, grain='os', default='Debian')", "d"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void functionReturnsWhatSaltReturns(String expression, String expected) throws Exception {
        Files.writeString(root.resolve("expr.sls"), "out: \"{{ " + expression.replace("\"", "\\\"") + " }}\"\n");
        RenderContext context = new RenderContext("lab-01", grains(), pillar(), new LocalHost(Set.of(), root), "base");
        Object out = new SaltRenderer(new FileRoots(List.of(root))).renderSls("expr", context).get("out");
        assertEquals(expected, String.valueOf(out));
    }

    static Stream<Arguments> targets() {
        return Stream.of(
                Arguments.of("grain_pcre", "os:Qub.*", true),
                Arguments.of("grain_pcre", "os:Deb.*", false),
                Arguments.of("grain_pcre", "osrelease:4\\.2\\.\\d", true),
                Arguments.of("pillar", "role:workstation", true),
                Arguments.of("pillar", "role:work*", true),
                Arguments.of("pillar", "qvm:label:red", true),
                Arguments.of("pillar", "qvm:label:blue", false),
                Arguments.of("pillar", "qvm:tags:net", true),
                Arguments.of("compound", "I@role:workstation and G@os:Qubes", true),
                Arguments.of("compound", "I@role:server or P@os:Deb.*", false),
                Arguments.of("compound", "P@os:Qub.* and not I@qvm:label:blue", true));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targets")
    void targetMatchesAsSalt(String matchType, String expression, boolean expected) throws Exception {
        TargetMatcher matcher = new TargetMatcher(Map.of());
        assertEquals(expected, matcher.matches(matchType, expression, "lab-01", grains(), pillar()));
    }
}
