package org.qfleet.states.compile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FnmatchTest {

    @Test
    void starMatchesDotsToo() {
        assertTrue(Fnmatch.matches("qvm.sys-net", "qvm.*"));
        assertTrue(Fnmatch.matches("qvm.sys.net", "qvm*net"));
        assertFalse(Fnmatch.matches("sys-net", "qvm.*"));
    }

    @Test
    void questionMarkAndSets() {
        assertTrue(Fnmatch.matches("lab-07", "lab-0?"));
        assertTrue(Fnmatch.matches("lab-07", "lab-0[5-9]"));
        assertFalse(Fnmatch.matches("lab-03", "lab-0[5-9]"));
        assertTrue(Fnmatch.matches("lab-03", "lab-0[!5-9]"));
    }

    @Test
    void specialCharactersAreLiteral() {
        assertTrue(Fnmatch.matches("a+b(c)", "a+b(*)"));
        assertFalse(Fnmatch.matches("aab", "a.b"));
        assertTrue(Fnmatch.matches("x[y", "x[y"));
        assertTrue(Fnmatch.matches("x]", "x[]]"));
    }

    @Test
    void matchIsCaseSensitive() {
        assertFalse(Fnmatch.matches("Sys-Net", "sys-*"));
    }
}
