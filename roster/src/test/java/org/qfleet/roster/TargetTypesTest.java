package org.qfleet.roster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetTypesTest {

    @TempDir
    Path folder;

    private Roster roster;
    private Nodegroups groups;

    @BeforeEach
    void loadRoster() throws Exception {
        roster = Roster.parse("""
                lab-01: {grains: {role: web, site: {room: A1}, tags: [gpu, usb], release: '4.2'}}
                lab-02: {grains: {role: db, site: {room: B2}, tags: [usb]}}
                lab-03: {grains: {role: Web, url: 'http://x:80'}}
                lab-10: {grains: {role: web, enabled: true}}
                db-01: 10.0.1.1
                xlab-01: 10.0.1.2
                """, folder.resolve("roster"));
        Map<String, Object> definitions = new LinkedHashMap<>();
        definitions.put("webs", "G@role:web and not lab-10");
        definitions.put("pair", "lab-01,db-01");
        definitions.put("listed", List.of("lab-02", "xlab-01"));
        definitions.put("tokens", List.of("G@role:db", "or", "N@pair"));
        definitions.put("outer", "N@webs or E@db");
        definitions.put("loop-a", "N@loop-b and lab-01");
        definitions.put("loop-b", "lab-* or N@loop-a");
        groups = Nodegroups.of(definitions, "qfleet.yaml");
    }

    @Test
    void pcreAnchoredAtStartOnly() throws Exception {
        assertEquals(List.of("lab-01", "lab-02", "lab-03", "lab-10"), select(TargetType.PCRE, "lab-"));
        assertEquals(List.of("lab-01", "lab-10"), select(TargetType.PCRE, "lab-(01|1)"));
        assertEquals(List.of("lab-01"), select(TargetType.PCRE, "lab-01$"));
    }

    @Test
    void pcreAcceptsPythonNamedGroups() throws Exception {
        assertEquals(List.of("lab-01"), select(TargetType.PCRE, "(?P<kind>lab)-0(?P=kind)?1"));
    }

    @Test
    void invalidPcreNamesExpression() {
        RosterException e = assertThrows(RosterException.class, () -> select(TargetType.PCRE, "lab-(0"));

        assertTrue(e.getMessage().startsWith("Invalid regular expression target 'lab-(0': "), e.getMessage());
    }

    @Test
    void pcreMatchingNothingNamesTarget() {
        RosterException e = assertThrows(RosterException.class, () -> select(TargetType.PCRE, "01"));

        assertTrue(e.getMessage().startsWith("Regular expression target '01' matched no host ID in roster "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("as Python's re.match does."), e.getMessage());
    }

    @Test
    void listSplitsOnCommasAndWhitespace() throws Exception {
        assertEquals(List.of("lab-02", "db-01", "xlab-01"), select(TargetType.LIST, "xlab-01, db-01 lab-02"));
        assertEquals(List.of("lab-01", "lab-03"), select(TargetType.LIST, "lab-03,lab-01"));
    }

    @Test
    void listWithUnknownIdNamesIt() {
        RosterException e = assertThrows(RosterException.class, () -> select(TargetType.LIST, "lab-01,lab-99,web"));

        assertTrue(e.getMessage().startsWith("List target 'lab-01,lab-99,web' names IDs that are not in roster "
                + roster.source() + ": lab-99, web. "), e.getMessage());
    }

    @Test
    void listDoesNotGlob() {
        assertThrows(RosterException.class, () -> select(TargetType.LIST, "lab-*"));
    }

    @Test
    void grainGlobMatchesValue() throws Exception {
        assertEquals(List.of("lab-01", "lab-03", "lab-10"), select(TargetType.GRAIN, "role:web"));
        assertEquals(List.of("lab-01", "lab-02", "lab-03", "lab-10"), select(TargetType.GRAIN, "role:*"));
        assertEquals(List.of("lab-02"), select(TargetType.GRAIN, "role:d?"));
    }

    @Test
    void grainNestedKeyAndListItem() throws Exception {
        assertEquals(List.of("lab-02"), select(TargetType.GRAIN, "site:room:B*"));
        assertEquals(List.of("lab-01", "lab-02"), select(TargetType.GRAIN, "tags:usb"));
        assertEquals(List.of("lab-01"), select(TargetType.GRAIN, "tags:gpu"));
        assertEquals(List.of("lab-01", "lab-02"), select(TargetType.GRAIN, "site:room"));
    }

    @Test
    void grainValueMayContainColon() throws Exception {
        assertEquals(List.of("lab-03"), select(TargetType.GRAIN, "url:http://x:80"));
    }

    @Test
    void grainBooleanAndStringNumber() throws Exception {
        assertEquals(List.of("lab-10"), select(TargetType.GRAIN, "enabled:True"));
        assertEquals(List.of("lab-01"), select(TargetType.GRAIN, "release:4.*"));
    }

    @Test
    void grainIdIsAlwaysSet() throws Exception {
        assertEquals(List.of("db-01"), select(TargetType.GRAIN, "id:db-*"));
    }

    @Test
    void cachedGrainsUnderRosterGrains() throws Exception {
        Map<String, Map<String, Object>> cache = Map.of(
                "db-01", Map.of("qubes_release", "4.2"),
                "lab-01", Map.of("role", "cached-role", "qubes_release", "4.1"));

        List<RosterEntry> byCached = Targets.select(roster, TargetType.GRAIN, "qubes_release:4.*", groups,
                id -> cache.getOrDefault(id, Map.of()));

        assertEquals(List.of("lab-01", "db-01"), byCached.stream().map(RosterEntry::id).toList());
        assertThrows(RosterException.class, () -> Targets.select(roster, TargetType.GRAIN, "role:cached-role",
                Nodegroups.none(), id -> cache.getOrDefault(id, Map.of())), "roster grains must win over cached ones");
    }

    @Test
    void grainWithoutColonRejected() {
        RosterException e = assertThrows(RosterException.class, () -> select(TargetType.GRAIN, "web"));

        assertEquals("Invalid grain target 'web': expected key:value, such as role:lab or os_release:4.*.",
                e.getMessage());
    }

    @Test
    void grainMatchingNothingNamesTarget() {
        RosterException e = assertThrows(RosterException.class, () -> select(TargetType.GRAIN, "role:mail"));

        assertTrue(e.getMessage().startsWith("Grain target 'role:mail' matched no host ID"), e.getMessage());
    }

    @Test
    void nodegroupCompoundExpression() throws Exception {
        assertEquals(List.of("lab-01", "lab-03"), select(TargetType.NODEGROUP, "webs"));
    }

    @Test
    void nodegroupIdListForms() throws Exception {
        assertEquals(List.of("lab-01", "db-01"), select(TargetType.NODEGROUP, "pair"));
        assertEquals(List.of("lab-02", "xlab-01"), select(TargetType.NODEGROUP, "listed"));
    }

    @Test
    void nodegroupListOfTokensAndNesting() throws Exception {
        assertEquals(List.of("lab-01", "lab-02", "db-01"), select(TargetType.NODEGROUP, "tokens"));
        assertEquals(List.of("lab-01", "lab-03", "db-01"), select(TargetType.NODEGROUP, "outer"));
    }

    @Test
    void undefinedNodegroupListsDefinedOnes() {
        RosterException e = assertThrows(RosterException.class, () -> select(TargetType.NODEGROUP, "nope"));

        assertEquals("Nodegroup 'nope' is not defined in qfleet.yaml. Defined nodegroups: webs, pair, listed, tokens,"
                + " outer, loop-a, loop-b.", e.getMessage());
    }

    @Test
    void nodegroupCycleRejected() {
        RosterException e = assertThrows(RosterException.class, () -> select(TargetType.NODEGROUP, "loop-a"));

        assertEquals("Nodegroup 'loop-a' refers to itself: loop-a -> loop-b -> loop-a. Remove one of these N@"
                + " references.", e.getMessage());
    }

    @Test
    void invalidNodegroupValueRejected() {
        RosterException e = assertThrows(RosterException.class,
                () -> Nodegroups.of(Map.of("bad", 42), "qfleet.yaml"));

        assertEquals(List.of("qfleet.yaml: nodegroups: group 'bad': invalid value 42. Give a compound expression such"
                + " as 'G@role:lab and not lab-09', or a non-empty list of host IDs."), e.problems());
    }

    @Test
    void compoundAnd() throws Exception {
        assertEquals(List.of("lab-01", "lab-10"), select(TargetType.COMPOUND, "G@role:web and E@lab-[01][01]$"));
    }

    @Test
    void compoundOr() throws Exception {
        assertEquals(List.of("lab-02", "db-01"), select(TargetType.COMPOUND, "db-* or L@lab-02"));
    }

    @Test
    void compoundNot() throws Exception {
        assertEquals(List.of("db-01", "xlab-01"), select(TargetType.COMPOUND, "not lab-*"));
        assertEquals(List.of("lab-02", "lab-03"), select(TargetType.COMPOUND, "lab-0* not L@lab-01"));
    }

    @Test
    void compoundPrecedenceAndParentheses() throws Exception {
        // "and" binds tighter than "or": db-01 matches on its own.
        assertEquals(List.of("lab-01", "db-01"), select(TargetType.COMPOUND, "G@tags:gpu and lab-* or db-*"));
        assertEquals(List.of("lab-01"), select(TargetType.COMPOUND, "G@tags:gpu and ( lab-* or db-* )"));
        assertEquals(List.of("lab-02", "lab-03", "lab-10", "db-01", "xlab-01"),
                select(TargetType.COMPOUND, "not ( lab-01 or lab-02 ) or lab-02"));
    }

    @Test
    void compoundGrainRegexAndNodegroup() throws Exception {
        assertEquals(List.of("lab-01", "lab-02"), select(TargetType.COMPOUND, "P@site:room:[ab]\\d"));
        assertEquals(List.of("lab-01", "lab-03", "xlab-01"), select(TargetType.COMPOUND, "N@webs or xlab-01"));
    }

    @Test
    void compoundSyntaxErrorsNameExpression() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("lab-01 and", "Invalid compound target 'lab-01 and': it ends after 'and'; a word must follow.");
        cases.put("( lab-01 or db-01", "Invalid compound target '( lab-01 or db-01': '(' has no matching ')'.");
        cases.put("lab-01 )", "Invalid compound target 'lab-01 )': ')' has no matching '('.");
        cases.put("lab-01 db-01", "Invalid compound target 'lab-01 db-01': expected 'and' or 'or' before 'db-01'.");
        cases.put("or lab-01", "Invalid compound target 'or lab-01': 'or' cannot start a term.");
        cases.put("I@role:web", "Invalid compound target 'I@role:web': 'I@' is not supported. qfleet's compound"
                + " targets support G@ (grain), P@ (grain regex), E@ (regex), L@ (list) and N@ (nodegroup).");
        cases.put("E@lab-(", null);
        for (Map.Entry<String, String> entry : cases.entrySet()) {
            RosterException e = assertThrows(RosterException.class, () -> select(TargetType.COMPOUND, entry.getKey()),
                    entry.getKey());
            if (entry.getValue() != null) {
                assertEquals(entry.getValue(), e.getMessage());
            } else {
                assertTrue(e.getMessage().contains("'lab-('"), e.getMessage());
            }
        }
    }

    @Test
    void compoundMatchingNothingNamesTarget() {
        RosterException e = assertThrows(RosterException.class,
                () -> select(TargetType.COMPOUND, "G@role:web and G@role:db"));

        assertTrue(e.getMessage().startsWith("Compound target 'G@role:web and G@role:db' matched no host ID"),
                e.getMessage());
    }

    @Test
    void readsGrainsOnlyWithGrainWords() throws Exception {
        assertTrue(Targets.readsGrains(TargetType.GRAIN, "role:web", groups));
        assertTrue(Targets.readsGrains(TargetType.NODEGROUP, "webs", groups));
        assertFalse(Targets.readsGrains(TargetType.COMPOUND, "lab-* or E@db", groups));
        assertFalse(Targets.readsGrains(TargetType.GLOB, "*", groups));
    }

    private List<String> select(TargetType type, String expression) throws RosterException {
        return Targets.select(roster, type, expression, groups, id -> Map.of()).stream().map(RosterEntry::id).toList();
    }
}
