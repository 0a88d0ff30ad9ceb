package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Probe;
import org.qfleet.states.plan.Step;

class StateCatalogTest {

    @Test
    void presentBuildsQvmCreate() throws Exception {
        Step step = onlyStep("""
                sys-whonix:
                  qvm.present:
                    - template: whonix-gateway-17
                    - label: black
                    - mem: "500"
                    - vcpus: 2
                    - flags:
                      - proxy
                      - hvm
                """);
        assertEquals(List.of("qvm-prefs", "sys-whonix"), step.probe().argv());
        assertEquals("exists", step.probe().read());
        assertEquals(Expect.present(true), step.expect());
        assertEquals(List.of(List.of("qvm-create", "sys-whonix", "--class=AppVM",
                "--template=whonix-gateway-17", "--label=black", "--property=memory=500",
                "--property=vcpus=2", "--property=virt_mode=hvm",
                "--property=provides_network=True")), step.change());
        assertEquals("sys-whonix", step.creates());
        assertEquals("sys-whonix", step.vm());
        assertNull(step.group());
        Map<String, Object> created = new LinkedHashMap<>();
        created.put("class", "AppVM");
        created.put("template", "whonix-gateway-17");
        created.put("label", "black");
        created.put("memory", "500");
        created.put("vcpus", "2");
        created.put("virt_mode", "hvm");
        created.put("provides_network", "True");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("old", null);
        report.put("new", created);
        assertEquals(report, step.report());
    }

    @Test
    void presentFlagsChooseClassAndNetwork() throws Exception {
        assertEquals(List.of("qvm-create", "sys-net", "--class=AppVM", "--label=red",
                        "--property=provides_network=True", "--property=netvm="),
                onlyStep("sys-net:\n  qvm.present:\n    - label: red\n    - flags: [net]\n").change().get(0));
        assertEquals(List.of("qvm-create", "win", "--class=TemplateVM", "--label=black",
                        "--property=virt_mode=hvm"),
                onlyStep("win:\n  qvm.present:\n    - label: black\n    - flags: [hvm, hvm-template]\n")
                        .change().get(0));
        assertEquals(List.of("qvm-create", "box", "--class=StandaloneVM", "--label=gray"),
                onlyStep("box:\n  qvm.present:\n    - label: gray\n    - flags: [standalone]\n")
                        .change().get(0));
    }

    @Test
    void presentUnknownArgumentIsError() {
        CompileException error = catalogError("""
                sys-gui:
                  qvm.present:
                    - label: black
                    - maxmem: 4000
                """);
        assertEquals("qvm.present state with ID 'sys-gui' in SLS 'main': unknown argument 'maxmem';"
                + " valid arguments: class, flags, label, mem, root_copy_from, root_move_from,"
                + " template, vcpus", error.getMessage());
    }

    @Test
    void presentWithoutLabelIsError() {
        CompileException error = catalogError("work:\n  qvm.present:\n    - template: fedora-42\n");
        assertEquals("qvm.present state with ID 'work' in SLS 'main': missing argument 'label':"
                + " qvm-create needs a label, one of red, orange, yellow, green, gray, blue, purple,"
                + " black", error.getMessage());
    }

    @Test
    void existsAndMissingOnlyCheck() throws Exception {
        Step exists = onlyStep("work:\n  qvm.exists: []\n");
        assertEquals(List.of("qvm-check", "work"), exists.probe().argv());
        assertEquals(Expect.exit(0), exists.expect());
        assertEquals(List.of(), exists.change());
        Step missing = onlyStep("old:\n  qvm.missing:\n    - flags: [template]\n");
        assertEquals(List.of("qvm-check", "--template", "old"), missing.probe().argv());
        assertEquals(Expect.exit(1), missing.expect());
        assertEquals(List.of(), missing.change());
    }

    @Test
    void prefsWrittenAsQvmPrefsPrints() throws Exception {
        List<Step> steps = compile("""
                work:
                  qvm.prefs:
                    - memory: "0400"
                    - include-in-backups: yes
                    - autostart: "off"
                    - netvm: none
                    - default-dispvm: ''
                    - label: green
                    - kernel: ~
                    - virt_mode: HVM
                """).steps();
        assertEquals(List.of("memory", "include_in_backups", "autostart", "netvm", "default_dispvm",
                "label", "kernel", "virt_mode"), steps.stream().map(Step::key).toList());
        assertEquals(List.of("400", "True", "False", "", "", "green", "", "hvm"),
                steps.stream().map(step -> step.expect().value()).toList());
        assertEquals(List.of("qvm-prefs", "work", "netvm", ""), steps.get(3).change().get(0));
        assertEquals(new Probe(List.of("qvm-prefs", "work"), "prefs", "netvm", true), steps.get(3).probe());
        assertEquals(new Probe(List.of("qvm-prefs", "work"), "prefs", "memory", false), steps.get(0).probe());
    }

    @Test
    void prefsEquivalentValuesCompileTheSame() throws Exception {
        assertEquals(compile("w:\n  qvm.prefs:\n    - memory: \"400\"\n").steps(),
                compile("w:\n  qvm.prefs:\n    - memory: 400\n").steps());
        assertEquals(compile("w:\n  qvm.prefs:\n    - netvm: none\n").steps(),
                compile("w:\n  qvm.prefs:\n    - netvm: ''\n").steps());
        assertEquals(compile("w:\n  qvm.prefs:\n    - devices-denied: none\n").steps(),
                compile("w:\n  qvm.prefs:\n    - devices_denied: ''\n").steps());
        assertEquals(compile("w:\n  qvm.prefs:\n    - debug: true\n").steps(),
                compile("w:\n  qvm.prefs:\n    - debug: \"True\"\n").steps());
    }

    @Test
    void prefsDefaultResets() throws Exception {
        Step step = onlyStep("work:\n  qvm.prefs:\n    - netvm: '*default*'\n");
        assertEquals(Expect.atDefault(), step.expect());
        assertEquals(List.of(List.of("qvm-prefs", "-D", "work", "netvm")), step.change());
    }

    @Test
    void prefsUnknownPropertyListsValidOnes() {
        CompileException error = catalogError("work:\n  qvm.prefs:\n    - memroy: 400\n");
        assertEquals("qvm.prefs state with ID 'work' in SLS 'main': unknown property 'memroy'."
                + " Did you mean 'memory'? Valid properties: appvm_default_bootmode, audiovm, auto_cleanup, autostart,"
                + " backup_timestamp, bootmode, debug, default_dispvm, default_user, devices_denied,"
                + " guivm, include_in_backups, installed_by_rpm, ip, ip6, kernel, kernelopts,"
                + " keyboard_layout, label, mac, management_dispvm, maxmem, memory, netvm,"
                + " pci_strictreset, pcidevs, provides_network, qrexec_timeout, shutdown_timeout, stubdom_mem, template,"
                + " template_for_dispvms, vcpus, virt_mode", error.getMessage());
    }

    @Test
    void prefsInvalidValuesAreErrors() {
        CompileException error = catalogError("""
                work:
                  qvm.prefs:
                    - memory: lots
                    - debug: maybe
                    - label: pink
                    - netvm: Domain-0
                    - updateable: true
                """);
        assertEquals(List.of(
                "qvm.prefs state with ID 'work' in SLS 'main': invalid value for field 'memory':"
                        + " 'lots'; it must be an integer",
                "qvm.prefs state with ID 'work' in SLS 'main': invalid value for field 'debug':"
                        + " 'maybe'; it must be a boolean: True or False",
                "qvm.prefs state with ID 'work' in SLS 'main': invalid value for field 'label':"
                        + " 'pink'; valid labels: red, orange, yellow, green, gray, blue, purple, black",
                "qvm.prefs state with ID 'work' in SLS 'main': invalid qube name in field 'netvm':"
                        + " 'Domain-0': VM name cannot be 'Domain-0'",
                "qvm.prefs state with ID 'work' in SLS 'main': property 'updateable' is read-only"
                        + " and cannot be set with qvm.prefs"), error.errors());
    }

    @Test
    void prefsTwoSpellingsOfOnePropertyIsError() {
        CompileException error = catalogError(
                "work:\n  qvm.prefs:\n    - default-dispvm: a\n    - default_dispvm: b\n");
        assertEquals("qvm.prefs state with ID 'work' in SLS 'main': argument 'default_dispvm' is given"
                + " twice (hyphen and underscore spellings are the same argument)", error.getMessage());
    }

    @Test
    void featuresCanonicalValues() throws Exception {
        List<Step> steps = compile("""
                work:
                  qvm.features:
                    - enable: [service.cups]
                    - disable: [service.meminfo-writer]
                    - set:
                      - gui-allow-fullscreen: true
                      - gui-default-secure-copy-sequence: false
                      - video-model: cirrus
                      - vcpus-hint: 3
                    - default: [os]
                """).steps();
        List<Expect> expects = steps.stream().map(Step::expect).toList();
        assertEquals(List.of(Expect.value("1"), Expect.value(""), Expect.value("1"), Expect.value(""),
                Expect.value("cirrus"), Expect.value("3"), Expect.absent()), expects);
        assertEquals(List.of("qvm-features", "work", "service.cups", "1"), steps.get(0).change().get(0));
        assertEquals(List.of("qvm-features", "work", "service.meminfo-writer", ""),
                steps.get(1).change().get(0));
        assertEquals(List.of("qvm-features", "--unset", "work", "os"), steps.get(6).change().get(0));
        assertEquals(Probe.features("work", "video-model"), steps.get(4).probe());
    }

    @Test
    void serviceIsFeatureWithPrefix() throws Exception {
        List<Step> steps = compile("""
                sys-net:
                  qvm.service:
                    - enable: [network-manager]
                    - disable: [cups]
                    - default: [crond]
                """).steps();
        assertEquals(List.of("network-manager", "cups", "crond"), steps.stream().map(Step::key).toList());
        assertEquals(Probe.features("sys-net", "service.network-manager"), steps.get(0).probe());
        assertEquals(List.of(Expect.value("1"), Expect.value(""), Expect.absent()),
                steps.stream().map(Step::expect).toList());
        assertEquals(List.of("qvm-features", "sys-net", "service.cups", ""), steps.get(1).change().get(0));
        assertEquals(List.of("qvm-features", "--unset", "sys-net", "service.crond"), steps.get(2).change().get(0));
    }

    @Test
    void serviceGivenTwiceIsError() {
        CompileException error = catalogError("w:\n  qvm.service:\n    - enable: [cups]\n    - disable: [cups]\n");
        assertEquals("qvm.service state with ID 'w' in SLS 'main': 'cups' is given twice", error.getMessage());
    }

    @Test
    void tagsAddAndDelete() throws Exception {
        List<Step> steps = compile("""
                work:
                  qvm.tags:
                    - add: [audio-sink]
                    - absent: [legacy]
                """).steps();
        assertEquals(Probe.lines(List.of("qvm-tags", "work", "list"), "audio-sink"), steps.get(0).probe());
        assertEquals(Expect.present(true), steps.get(0).expect());
        assertEquals(List.of(List.of("qvm-tags", "work", "add", "audio-sink")), steps.get(0).change());
        assertEquals(Expect.present(false), steps.get(1).expect());
        assertEquals(List.of(List.of("qvm-tags", "work", "del", "legacy")), steps.get(1).change());
    }

    @Test
    void tagBothAddedAndRemovedIsError() {
        CompileException error = catalogError("w:\n  qvm.tags:\n    - add: [x]\n    - del: [x]\n");
        assertEquals("qvm.tags state with ID 'w' in SLS 'main': tag 'x' is both added and removed",
                error.getMessage());
    }

    @Test
    void templateInstalledFromRepository() throws Exception {
        Step step = onlyStep("""
                debian-12-xfce:
                  qvm.template_installed:
                    - fromrepo: qubes-templates-community
                    - pool: vm-pool
                """);
        assertEquals(List.of("qvm-check", "--quiet", "--template", "debian-12-xfce"), step.probe().argv());
        assertEquals(List.of(List.of("qvm-template", "--enablerepo=qubes-templates-community", "install",
                "--pool=vm-pool", "debian-12-xfce")), step.change());
        assertEquals("debian-12-xfce", step.creates());
        assertEquals(List.of(List.of("qvm-template", "install", "fedora-42")),
                onlyStep("fedora-42:\n  qvm.template_installed: []\n").change());
    }

    @Test
    void vmActionsInDefaultOrderAsGroups() throws Exception {
        PlanChunk chunk = compile("""
                sys-whonix:
                  qvm.vm:
                    - tags:
                      - add: [anon-gateway]
                    - features:
                      - enable: [service.tor]
                    - service:
                      - disable: [cups]
                    - prefs:
                      - netvm: sys-firewall
                      - memory: 500
                    - present:
                      - template: whonix-gateway-17
                      - label: black
                      - flags: [proxy]
                """);
        assertEquals(List.of("qvm.present", "qvm.prefs", "qvm.prefs", "qvm.service", "qvm.features", "qvm.tags"),
                chunk.steps().stream().map(Step::group).toList());
        assertEquals(List.of("sys-whonix", "netvm", "memory", "cups", "service.tor", "anon-gateway"),
                chunk.steps().stream().map(Step::key).toList());
        assertTrue(chunk.steps().get(0).change().get(0).contains("--property=provides_network=True"));
        assertEquals("Qube sys-whonix is in the desired state", chunk.commentOk());
    }

    @Test
    void vmActionsListSetsOrder() throws Exception {
        PlanChunk chunk = compile("""
                work:
                  qvm.vm:
                    - actions: [prefs, present]
                    - present:
                      - label: red
                    - prefs:
                      - memory: 400
                """);
        assertEquals(List.of("qvm.prefs", "qvm.present"), chunk.steps().stream().map(Step::group).toList());
    }

    @Test
    void vmActionWithoutKeywordDoesNotRun() throws Exception {
        PlanChunk chunk = compile("""
                work:
                  qvm.vm:
                    - actions: [present, prefs, tags]
                    - prefs:
                      - memory: 400
                """);
        assertEquals(List.of("qvm.prefs"), chunk.steps().stream().map(Step::group).toList());
    }

    @Test
    void vmKeywordOutsideActionsIsError() {
        CompileException error = catalogError("""
                work:
                  qvm.vm:
                    - actions: [present]
                    - present:
                      - label: red
                    - prefs:
                      - memory: 400
                """);
        assertEquals("qvm.vm state with ID 'work' in SLS 'main': Unknown action keyword: prefs. It is an action,"
                + " but this state's actions list leaves it out: ['present']", error.getMessage());
    }

    @Test
    void vmActionErrorNamesAction() {
        CompileException error = catalogError("work:\n  qvm.vm:\n    - prefs:\n      - memroy: 400\n");
        assertTrue(error.getMessage().startsWith("qvm.vm state with ID 'work' in SLS 'main', action"
                + " 'prefs': unknown property 'memroy'. Did you mean 'memory'? Valid properties: "),
                error.getMessage());
    }

    @Test
    void invalidQubeNameIsRejected() {
        assertEquals("qvm.present state with ID 'x' in SLS 'main': invalid qube name in field 'name':"
                        + " 'sys-net-dm': VM name cannot end with -dm",
                catalogError("x:\n  qvm.present:\n    - name: sys-net-dm\n    - label: red\n").getMessage());
        assertEquals("qvm.exists state with ID 'x' in SLS 'main': invalid qube name in field 'name':"
                        + " 'a-name-that-is-far-too-long-for-qubes': VM name must be shorter than 32 characters",
                catalogError("x:\n  qvm.exists:\n    - name: a-name-that-is-far-too-long-for-qubes\n").getMessage());
        assertEquals("qvm.present state with ID 'work' in SLS 'main': invalid qube name in field"
                        + " 'template': '1template': VM name cannot start with hyphen, underscore, dot or numbers",
                catalogError("work:\n  qvm.present:\n    - template: 1template\n    - label: red\n").getMessage());
        assertEquals("qvm.tags state with ID 'x' in SLS 'main': invalid qube name in field 'name':"
                        + " 'none': VM name cannot be 'none' nor 'default'",
                catalogError("x:\n  qvm.tags:\n    - name: none\n").getMessage());
    }

    @Test
    void unknownFunctionListsKnownOnes() {
        CompileException error = catalogError("work:\n  qvm.reboot: []\n");
        assertTrue(error.getMessage().startsWith("Unknown state function 'qvm.reboot' in state with"
                + " ID 'work' in SLS 'main'. Known functions: "), error.getMessage());
        assertTrue(error.getMessage().contains(" qvm.absent, qvm.clone, "),
                error.getMessage());
        assertTrue(error.getMessage().endsWith(" test.succeed_with_changes, test.succeed_without_changes"),
                error.getMessage());
    }

    @Test
    void misspeltFunctionGetsSuggestion() {
        CompileException error = catalogError("work:\n  qvm.vmm: []\n");
        assertTrue(error.getMessage().contains("Unknown state function 'qvm.vmm'"), error.getMessage());
        assertTrue(error.getMessage().contains("Did you mean 'qvm.vm'?"), error.getMessage());
    }

    @Test
    void misspeltActionGetsSuggestion() {
        CompileException error = catalogError("work:\n  qvm.vm:\n    - prefz:\n      - memory: 400\n");
        assertTrue(error.getMessage().contains("Unknown action keyword: prefz. Did you mean 'prefs'?"),
                error.getMessage());
    }

    @Test
    void illegalCharactersMessageStatesRule() {
        CompileException error = catalogError("x:\n  qvm.exists:\n    - name: 'my notes!'\n");
        assertTrue(error.getMessage().endsWith("'my notes!': VM name contains illegal characters (a name is a"
                + " letter followed by letters, digits, '_', '.' and '-')"), error.getMessage());
    }

    @Test
    void listCompileCollectsAllErrors() throws Exception {
        List<LowChunk> chunks = new HighStateCompiler(OneSls.source("""
                a:
                  qvm.prefs:
                    - memroy: 400
                b:
                  qvm.tags:
                    - add: ['bad tag']
                """)).compile(List.of("main"));
        CompileException error = assertThrows(CompileException.class,
                () -> new StateCatalog().compile(chunks));
        assertEquals(2, error.errors().size());
        assertTrue(error.errors().get(0).startsWith("qvm.prefs state with ID 'a'"), error.errors().get(0));
        assertEquals("qvm.tags state with ID 'b' in SLS 'main': invalid tag 'bad tag'; tags use"
                + " letters, digits, '_' and '-'", error.errors().get(1));
    }

    @Test
    void chunkKeepsTagAndRequisites() throws Exception {
        List<PlanChunk> chunks = OneSls.compileAll("""
                work:
                  qvm.prefs:
                    - netvm: sys-firewall
                    - require:
                      - qvm: sys-firewall
                sys-firewall:
                  qvm.exists: []
                """);
        PlanChunk work = chunks.get(1);
        assertEquals("qvm_|-work_|-work_|-prefs", work.tag());
        assertEquals(Map.of("require", List.of("qvm_|-sys-firewall_|-sys-firewall_|-exists")),
                work.requisites());
        assertEquals("Preferences of qube work are already set", work.commentOk());
    }

    private static Step onlyStep(String yaml) throws CompileException {
        List<Step> steps = compile(yaml).steps();
        assertEquals(1, steps.size());
        return steps.get(0);
    }

    private static PlanChunk compile(String yaml) throws CompileException {
        return OneSls.compileAll(yaml).get(0);
    }


    private static CompileException catalogError(String yaml) {
        return assertThrows(CompileException.class, () -> OneSls.compileAll(yaml));
    }

    /** Returns an SLS source with the one file {@code main}. */
}
