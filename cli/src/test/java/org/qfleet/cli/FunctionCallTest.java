package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionCallTest {

    @Test
    void slsNamesSplitOnCommas() throws Exception {
        FunctionCall call = FunctionCall.parse("state.apply", List.of("qvm.sys-whonix,qvm.anon-whonix", "vault"));

        assertEquals(List.of("qvm.sys-whonix", "qvm.anon-whonix", "vault"), call.slsNames());
        assertFalse(call.testMode());
    }

    @Test
    void testKeywordAcceptsSaltSpellings() throws Exception {
        assertTrue(FunctionCall.parse("state.apply", List.of("test=True")).testMode());
        assertTrue(FunctionCall.parse("state.apply", List.of("test=true")).testMode());
        assertFalse(FunctionCall.parse("state.apply", List.of("test=False")).testMode());
        assertEquals(List.of(), FunctionCall.parse("state.apply", List.of("test=True")).slsNames());
    }

    @Test
    void badTestValueIsUsageError() {
        UsageException error = assertThrows(UsageException.class,
                () -> FunctionCall.parse("state.apply", List.of("test=maybe")));
        assertTrue(error.getMessage().contains("maybe"), error.getMessage());
    }

    @Test
    void unknownFunctionListsKnownOnes() {
        UsageException error = assertThrows(UsageException.class,
                () -> FunctionCall.parse("state.aply", List.of()));
        assertTrue(error.getMessage().contains("state.aply"), error.getMessage());
        assertTrue(error.getMessage().contains("state.apply"), error.getMessage());
    }

    @Test
    void unknownKeywordIsUsageError() {
        UsageException error = assertThrows(UsageException.class,
                () -> FunctionCall.parse("state.apply", List.of("saltenv=dev")));
        assertTrue(error.getMessage().contains("saltenv"), error.getMessage());
    }

    @Test
    void stateSlsNeedsAName() {
        assertThrows(UsageException.class, () -> FunctionCall.parse("state.sls", List.of()));
    }
}
