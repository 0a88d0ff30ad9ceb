package org.qfleet.states;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageValuesTest {

    @Test
    void scalarsQuoteLikePythonRepr() {
        assertEquals("'red'", MessageValues.quote("red"));
        assertEquals("\"it's\"", MessageValues.quote("it's"));
        assertEquals("'a\\'\"b'", MessageValues.quote("a'\"b"));
        assertEquals("5", MessageValues.quote(5));
        assertEquals("2.5", MessageValues.quote(2.5));
        assertEquals("True", MessageValues.quote(true));
        assertEquals("None", MessageValues.quote(null));
    }

    @Test
    void controlCharactersAreEscaped() {
        assertEquals("'a\\nb'", MessageValues.quote("a\nb"));
        assertEquals("'a\\r\\tb\\\\'", MessageValues.quote("a\r\tb\\"));
        assertEquals("'\\x1b[31m\\x00\\x7f\\x85'", MessageValues.quote("\u001b[31m\u0000\u007f\u0085"));
        assertEquals("'a\\u2028b\\u2029'", MessageValues.quote("a\u2028b\u2029"));
        assertEquals("'qube é'", MessageValues.quote("qube é"));
    }

    @Test
    void collectionsQuoteTheirItems() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("fun", "file.file_exists");
        map.put("n", List.of(1, "x\ny"));

        assertEquals("{'fun': 'file.file_exists', 'n': [1, 'x\\ny']}", MessageValues.quote(map));
    }

    @Test
    void longStringIsShortenedWithLength() {
        String quoted = MessageValues.quote("x".repeat(10_000));

        assertEquals("'" + "x".repeat(99) + "... (shortened, 10000 characters)", quoted);
    }

    @Test
    void shorteningKeepsEscapesWhole() {
        for (int prefix = 90; prefix < 105; prefix++) {
            String quoted = MessageValues.quote("a".repeat(prefix) + "\u001b".repeat(200));

            String head = quoted.substring(0, quoted.indexOf("... (shortened"));
            assertTrue(head.matches("'a*(\\\\x1b)*"), prefix + ": " + quoted);
        }
    }

    @Test
    void shorteningKeepsSurrogatePairsWhole() {
        for (int prefix = 90; prefix < 102; prefix++) {
            String quoted = MessageValues.quote("a".repeat(prefix) + "\uD83D\uDE00".repeat(100));

            String head = quoted.substring(0, quoted.indexOf("... (shortened"));
            assertFalse(Character.isHighSurrogate(head.charAt(head.length() - 1)), prefix + ": " + quoted);
        }
    }

    @Test
    void longListIsShortenedWithSize() {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            list.add("item" + i);
        }

        String quoted = MessageValues.quote(list);

        assertTrue(quoted.startsWith("['item0', 'item1', "), quoted);
        assertTrue(quoted.endsWith("... (shortened, 1000 items)"), quoted);
        assertTrue(quoted.length() < MessageValues.MAX_LENGTH + 40, quoted);
    }
}
