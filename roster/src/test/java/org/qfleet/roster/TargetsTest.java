package org.qfleet.roster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetsTest {

    @TempDir
    Path folder;

    private Roster roster;

    @BeforeEach
    void loadRoster() throws Exception {
        Path file = folder.resolve("roster");
        Files.writeString(file, """
                lab-01: 10.0.0.11
                lab-02: 10.0.0.12
                lab-03: 10.0.0.13
                Lab-04: 10.0.0.14
                db: 10.0.1.1
                x: 10.0.1.2
                y: 10.0.1.3
                """);
        roster = Roster.load(file);
    }

    @Test
    void starMatchesPrefix() throws Exception {
        assertEquals(List.of("lab-01", "lab-02", "lab-03"), ids(Targets.glob(roster, "lab-*")));
    }

    @Test
    void bracketSetMatchesListedDigits() throws Exception {
        assertEquals(List.of("lab-01", "lab-02"), ids(Targets.glob(roster, "lab-0[12]")));
    }

    @Test
    void questionMarkMatchesOneCharacter() throws Exception {
        assertEquals(List.of("x", "y"), ids(Targets.glob(roster, "?")));
    }

    @Test
    void negatedSetAndCaseSensitivity() throws Exception {
        assertEquals(List.of("Lab-04", "db", "x", "y"), ids(Targets.glob(roster, "[!l]*")));
        assertEquals(List.of("Lab-04"), ids(Targets.glob(roster, "L*")));
    }

    @Test
    void exactIdMatchesItself() throws Exception {
        assertEquals(List.of("db"), ids(Targets.glob(roster, "db")));
    }

    @Test
    void nothingMatchedNamesPatternAndFile() {
        RosterException e = assertThrows(RosterException.class, () -> Targets.glob(roster, "web-*"));

        assertEquals("Target 'web-*' matched no host ID in roster " + roster.source() + ". Its IDs: lab-01, lab-02,"
                + " lab-03, Lab-04, db, ... (7 in all). Globs are case-sensitive and match IDs, not host names.",
                e.getMessage());
    }

    @Test
    void hostNameIsNotMatched() {
        assertThrows(RosterException.class, () -> Targets.glob(roster, "10.0.0.11"));
    }

    @Test
    void emptyRosterSaysSo() throws Exception {
        Roster empty = Roster.parse("", folder.resolve("empty-roster"));

        RosterException e = assertThrows(RosterException.class, () -> Targets.glob(empty, "*"));

        assertEquals("Target '*' matched no host ID in roster " + empty.source() + ". The roster has no hosts."
                + " Globs are case-sensitive and match IDs, not host names.", e.getMessage());
    }

    private static List<String> ids(List<RosterEntry> entries) {
        return entries.stream().map(RosterEntry::id).toList();
    }
}
