package org.qfleet.roster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class ShardTest {

    @Test
    void partsMatchSha256Prefix() {
        // Expected parts computed with Python: int.from_bytes(sha256(id).digest()[:8], 'big') % N + 1.
        Map<String, List<Integer>> expected = Map.of(
                "lab-01", List.of(1, 3),
                "lab-02", List.of(3, 1),
                "lab-03", List.of(3, 3),
                "db", List.of(1, 2),
                "web-17", List.of(2, 3),
                "Lab-04", List.of(4, 3));
        expected.forEach((id, parts) -> {
            assertEquals(parts.get(0), Shard.partOf(id, 4), id + " of 4");
            assertEquals(parts.get(1), Shard.partOf(id, 3), id + " of 3");
        });
    }

    @Test
    void shardsCoverFleetOnce() throws Exception {
        List<RosterEntry> fleet = fleet(200);
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (int i = 1; i <= 7; i++) {
            List<RosterEntry> part = new Shard(i, 7).select(fleet);
            assertTrue(part.size() > 10, "shard " + i + "/7 holds only " + part.size() + " of 200 hosts");
            part.forEach(entry -> seen.add(entry.id()));
            total += part.size();
        }
        assertEquals(200, total);
        assertEquals(200, seen.size());
    }

    @Test
    void shardIgnoresOtherHosts() throws Exception {
        List<RosterEntry> small = fleet(20);
        List<RosterEntry> large = fleet(300);

        for (int i = 1; i <= 3; i++) {
            List<String> inSmall = ids(new Shard(i, 3).select(small));
            List<String> inLarge = ids(new Shard(i, 3).select(large));
            assertEquals(inSmall, inLarge.stream().filter(inSmall::contains).toList());
            assertTrue(inLarge.containsAll(inSmall), "shard " + i + "/3 moved a host when the fleet grew");
        }
    }

    @Test
    void parseAcceptsIOverN() {
        assertEquals(new Shard(2, 4), Shard.parse("2/4"));
        assertEquals(new Shard(1, 1), Shard.parse(" 1 / 1 "));
    }

    @Test
    void parseRejectsInvalid() {
        for (String text : List.of("0/4", "5/4", "1/0", "a/b", "2", "-1/3", "1/2/3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(text), text);
            assertTrue(e.getMessage().startsWith("invalid shard '" + text + "'"), e.getMessage());
        }
    }

    private static List<RosterEntry> fleet(int size) throws RosterException {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < size; i++) {
            yaml.append(String.format("host-%03d: 10.0.%d.%d%n", i, i / 250, i % 250 + 1));
        }
        return Roster.parse(yaml.toString(), Path.of("roster")).entries();
    }

    private static List<String> ids(List<RosterEntry> entries) {
        List<String> ids = new ArrayList<>();
        entries.forEach(entry -> ids.add(entry.id()));
        return ids;
    }
}
