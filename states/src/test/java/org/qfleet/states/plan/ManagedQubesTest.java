package org.qfleet.states.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagedQubesTest {

    @Test
    void globsAllowMatchingQubes() {
        ManagedQubes managed = new ManagedQubes(List.of("work-*", "sys-usb"));
        assertTrue(managed.allows("work-web"));
        assertTrue(managed.allows("sys-usb"));
        assertFalse(managed.allows("vault"));
        assertFalse(managed.allows("sys-usb2"));
    }

    @Test
    void emptyListAllowsEverything() {
        ManagedQubes managed = new ManagedQubes(List.of());
        assertTrue(managed.allows("vault"));
        assertEquals(List.of(), managed.violations(List.of(chunk("vault", "vault"))));
    }

    @Test
    void violationNamesStateAndQube() {
        ManagedQubes managed = new ManagedQubes(List.of("work-*"));
        List<String> violations = managed.violations(List.of(chunk("work-web", "work-web"), chunk("vault", "vault")));
        assertEquals(List.of("State qvm.prefs with ID 'vault' in SLS 'main' changes qube 'vault', which"
                + " this host's roster entry does not allow (manage: work-*); add the qube to 'manage'"
                + " or remove the state"), violations);
    }

    @Test
    void checkStepsChangeNothing() {
        Step check = new Step(null, "vault", "vault", Probe.exit(List.of("qvm-check", "vault")),
                Expect.exit(0), List.of(), null, null);
        PlanChunk chunk = new PlanChunk("qvm_|-vault_|-vault_|-exists", "vault", "main", "qvm", "exists",
                "vault", 10000, Map.of(), null, List.of(check));
        assertEquals(List.of(), new ManagedQubes(List.of("work-*")).violations(List.of(chunk)));
    }

    @Test
    void modWatchRestartCountsAsChange() {
        Step check = new Step(null, "vault", "vault", Probe.exit(List.of("qvm-check", "vault")),
                Expect.exit(0), List.of(), null, null);
        Step restart = new Step(null, "vault", "vault",
                Probe.exit(List.of("qvm-check", "--quiet", "--running", "vault")), Expect.exit(1),
                List.of(List.of("qvm-shutdown", "--wait", "--force", "vault"), List.of("qvm-start", "vault")),
                null, "restarted");
        PlanChunk chunk = new PlanChunk("qvm_|-vault_|-vault_|-exists", "vault", "main", "qvm", "exists",
                "vault", 10000, Map.of(), null, List.of(check), null, null, null, false,
                new WatchSteps(List.of(restart), null));

        List<String> violations = new ManagedQubes(List.of("work-*")).violations(List.of(chunk));

        assertEquals(1, violations.size(), violations.toString());
        assertTrue(violations.get(0).contains("changes qube 'vault'"), violations.toString());
    }

    private static PlanChunk chunk(String id, String vm) {
        Step step = new Step(null, "memory", vm, Probe.prefs(vm, "memory", false), Expect.value("400"),
                List.of(List.of("qvm-prefs", vm, "memory", "400")), null, null);
        return new PlanChunk("qvm_|-" + id + "_|-" + vm + "_|-prefs", id, "main", "qvm", "prefs", vm, 10000,
                Map.of(), null, List.of(step));
    }
}
