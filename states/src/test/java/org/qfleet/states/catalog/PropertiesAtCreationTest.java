package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.plan.Plan;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Step;

/** A qvm.vm's prefs passed to the qvm-create of its present action, and the plan's absent qubes. */
class PropertiesAtCreationTest {

    @Test
    void prefsAfterPresentGoToQvmCreate() throws Exception {
        List<Step> steps = steps("""
                work:
                  qvm.vm:
                    - present:
                      - template: fedora-42
                      - label: blue
                    - prefs:
                      - label: blue
                      - netvm: ""
                      - memory: 2000
                      - template: fedora-42
                      - include-in-backups: false
                """);

        Step create = steps.get(0);
        assertEquals(List.of(List.of("qvm-create", "work", "--class=AppVM", "--template=fedora-42",
                "--label=blue", "--property", "netvm=", "--property", "memory=2000",
                "--property", "include_in_backups=False")), create.change());
        assertEquals(List.of("qvm-create", "work", "--class=AppVM", "--template=fedora-42",
                "--label=blue"), create.createAlone());
        assertEquals(List.of("label", "netvm", "memory", "template", "include_in_backups"),
                steps.subList(1, steps.size()).stream().map(Step::key).toList());
        assertEquals(List.of(false, true, true, false, true),
                steps.subList(1, steps.size()).stream().map(Step::setAtCreation).toList(),
                "label and template are options of qvm-create; the other three are passed to it");
    }

    @Test
    void presentAndResetPropertiesStaySeparate() throws Exception {
        List<Step> steps = steps("""
                sys-net:
                  qvm.vm:
                    - present:
                      - label: red
                      - mem: 400
                      - flags: [net]
                    - prefs:
                      - memory: 500
                      - netvm: sys-firewall
                      - kernelopts: "*default*"
                      - vcpus: 2
                """);

        assertEquals(List.of(List.of("qvm-create", "sys-net", "--class=AppVM", "--label=red",
                "--property=memory=400", "--property=provides_network=True", "--property=netvm=",
                "--property", "vcpus=2")), steps.get(0).change());
        assertEquals(List.of(false, false, false, true),
                steps.subList(1, steps.size()).stream().map(Step::setAtCreation).toList());
    }

    @Test
    void onlyPrefsRightAfterPresentArePassed() throws Exception {
        List<Step> prefsFirst = steps("""
                work:
                  qvm.vm:
                    - actions: [prefs, present]
                    - present:
                      - label: blue
                    - prefs:
                      - memory: 2000
                """);
        List<Step> noPrefs = steps("""
                work:
                  qvm.vm:
                    - present:
                      - label: blue
                    - features:
                      - enable: [service.cups]
                """);

        for (List<Step> steps : List.of(prefsFirst, noPrefs)) {
            Step create = steps.stream().filter(step -> step.creates() != null).findFirst().orElseThrow();
            assertEquals(List.of(List.of("qvm-create", "work", "--class=AppVM", "--label=blue")),
                    create.change());
            assertNull(create.createAlone());
            assertTrue(steps.stream().noneMatch(Step::setAtCreation));
        }
    }

    @Test
    void separateStatesAreNotJoined() throws Exception {
        List<PlanChunk> chunks = OneSls.compileAll("""
                work:
                  qvm.present:
                    - label: blue
                work-prefs:
                  qvm.prefs:
                    - name: work
                    - memory: 2000
                """);

        assertNull(chunks.get(0).steps().get(0).createAlone());
        assertFalse(chunks.get(1).steps().get(0).setAtCreation());
    }

    @Test
    void planListsAbsentCreatedQubes() throws Exception {
        List<PlanChunk> chunks = OneSls.compileAll("""
                work:
                  qvm.present:
                    - label: blue
                vault:
                  qvm.clone:
                    - source: work
                sys-net:
                  qvm.prefs:
                    - memory: 500
                """);
        Plan plan = new Plan("20261204153012345678", "lab-07", false, chunks);
        ObjectMapper json = new ObjectMapper();

        assertEquals(List.of("work", "vault"), plan.createdQubes());
        JsonNode without = json.readTree(plan.toJson());
        JsonNode with = json.readTree(plan.withAbsent(List.of("vault")).toJson());
        assertFalse(without.has("absent"));
        assertEquals(json.readTree("[\"vault\"]"), with.get("absent"));
        assertEquals(without.get("chunks"), with.get("chunks"));
    }

    private static List<Step> steps(String yaml) throws CompileException {
        return OneSls.compileAll(yaml).get(0).steps();
    }
}
