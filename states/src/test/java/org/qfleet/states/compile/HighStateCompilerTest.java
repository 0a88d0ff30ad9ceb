package org.qfleet.states.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HighStateCompilerTest {

    @Test
    void definitionOrderStartsAt10000() throws Exception {
        List<LowChunk> chunks = compile("main", """
                b-second:
                  qvm.exists: []
                a-first:
                  qvm.exists: []
                """);
        assertEquals(List.of("b-second", "a-first"), ids(chunks));
        assertEquals(List.of(10000, 10001), chunks.stream().map(LowChunk::order).toList());
    }

    @Test
    void relativeIncludeFromPackageInit() throws Exception {
        YamlSlsSource source = YamlSlsSource.of(
                "qvm.sys", "include: [.common, ..shared]\nsys-net:\n  qvm.exists: []\n",
                "qvm.sys.init", "unused: {}\n",
                "qvm.sys.common", "common:\n  qvm.exists: []\n",
                "qvm.shared", "shared:\n  qvm.exists: []\n");
        List<LowChunk> chunks = new HighStateCompiler(source).compile(List.of("qvm.sys"));
        assertEquals(List.of("common", "shared", "sys-net"), ids(chunks));
        assertEquals(List.of("qvm.sys.common", "qvm.shared", "qvm.sys"),
                chunks.stream().map(LowChunk::sls).toList());
    }

    @Test
    void fileIncludedTwiceIsRenderedOnce() throws Exception {
        YamlSlsSource source = YamlSlsSource.of(
                "a", "include: [common]\na-one:\n  qvm.exists: []\n",
                "b", "include: [common]\nb-one:\n  qvm.exists: []\n",
                "common", "common-one:\n  qvm.exists: []\n");
        List<LowChunk> chunks = new HighStateCompiler(source).compile(List.of("a", "b", "a"));
        assertEquals(List.of("common-one", "a-one", "b-one"), ids(chunks));
    }

    @Test
    void shortFormAndDottedAndBareFunction() throws Exception {
        List<LowChunk> chunks = compile("main", """
                short: qvm.exists
                dotted:
                  qvm.prefs:
                    - memory: 400
                bare:
                  qvm:
                    - tags
                    - add: [work]
                """);
        assertEquals(List.of("exists", "prefs", "tags"), chunks.stream().map(LowChunk::fun).toList());
        assertEquals(Map.of("memory", 400), chunks.get(1).args());
    }

    @Test
    void nameDefaultsToIdAndNamesExpand() throws Exception {
        List<LowChunk> chunks = compile("main", """
                plain:
                  qvm.exists: []
                renamed:
                  qvm.exists:
                    - name: sys-net
                several:
                  qvm.prefs:
                    - memory: 400
                    - names:
                      - work
                      - personal:
                        - memory: 800
                """);
        assertEquals(List.of("plain", "sys-net", "work", "personal"), names(chunks));
        assertEquals(Map.of("memory", 800), chunks.get(3).args());
        assertEquals(10002, chunks.get(3).order());
    }

    @Test
    void argumentsKeepDeclarationOrder() throws Exception {
        LowChunk chunk = compile("main", """
                work:
                  qvm.present:
                    - template: fedora-42
                    - order: 5
                    - label: red
                    - require: []
                    - class: AppVM
                """).get(0);
        assertEquals(List.of("template", "label", "class"), List.copyOf(chunk.args().keySet()));
        assertEquals(5, chunk.order());
    }

    @Test
    void requisiteResolvesById() throws Exception {
        List<LowChunk> chunks = compile("main", """
                work:
                  qvm.prefs:
                    - netvm: sys-firewall
                    - require:
                      - id: sys-firewall
                sys-firewall:
                  qvm.present:
                    - label: green
                """);
        assertEquals(Map.of("require", List.of("qvm_|-sys-firewall_|-sys-firewall_|-present")),
                chunks.get(1).requisites());
        assertEquals(List.of("sys-firewall", "work"), ids(chunks));
    }

    @Test
    void requisiteResolvesByNameGlobAndSls() throws Exception {
        YamlSlsSource source = YamlSlsSource.of(
                "main", """
                        include: [nets]
                        by-name:
                          qvm.exists:
                            - require:
                              - qvm: the-firewall
                        by-glob:
                          qvm.exists:
                            - require:
                              - qvm: 'sys-n*'
                        by-sls:
                          qvm.exists:
                            - require:
                              - sls: nets
                        """,
                "nets", """
                        sys-net:
                          qvm.present:
                            - label: red
                        firewall:
                          qvm.present:
                            - name: the-firewall
                            - label: green
                        """);
        Map<String, LowChunk> byId = byId(new HighStateCompiler(source).compile(List.of("main")));
        String net = "qvm_|-sys-net_|-sys-net_|-present";
        String firewall = "qvm_|-firewall_|-the-firewall_|-present";
        assertEquals(List.of(firewall), byId.get("by-name").requisites().get("require"));
        assertEquals(List.of(net), byId.get("by-glob").requisites().get("require"));
        assertEquals(List.of(net, firewall), byId.get("by-sls").requisites().get("require"));
    }

    @Test
    void requisiteOfOtherModuleDoesNotMatch() {
        CompileException error = compileError("main", """
                work:
                  qvm.exists:
                    - require:
                      - file: sys-net
                sys-net:
                  qvm.exists: []
                """);
        assertEquals("Referenced state does not exist for requisite [require: (file: sys-net)] in"
                + " state [work] in SLS [main]", error.getMessage());
    }

    @Test
    void requireInAddsRequireToTarget() throws Exception {
        List<LowChunk> chunks = compile("main", """
                work:
                  qvm.exists: []
                sys-net:
                  qvm.present:
                    - label: red
                    - require_in:
                      - qvm: work
                """);
        assertEquals(List.of("sys-net", "work"), ids(chunks));
        assertEquals(Map.of("require", List.of("qvm_|-sys-net_|-sys-net_|-present")),
                chunks.get(1).requisites());
        assertEquals(Map.of(), chunks.get(0).requisites());
    }

    @Test
    void missingRequireInTargetIsError() {
        CompileException error = compileError("baz", """
                bar:
                  qvm.exists:
                    - require_in:
                      - qvm: foo
                """);
        assertEquals("Referenced state does not exist for requisite [require_in: (qvm: foo)] in"
                + " state [bar] in SLS [baz]", error.getMessage());
    }

    @Test
    void missingRequireTargetIsError() {
        CompileException error = compileError("baz", """
                bar:
                  qvm.exists:
                    - require:
                      - qvm: foo
                """);
        assertEquals("Referenced state does not exist for requisite [require: (qvm: foo)] in"
                + " state [bar] in SLS [baz]", error.getMessage());
    }

    @Test
    void twoNodeCycleListsBothEdges() {
        CompileException error = compileError("loop", """
                a:
                  qvm.exists:
                    - require:
                      - qvm: b
                b:
                  qvm.exists:
                    - require:
                      - qvm: a
                """);
        assertEquals("Recursive requisites were found: "
                + "({'SLS': 'loop', 'ID': 'a', 'NAME': 'a'}, 'require', {'SLS': 'loop', 'ID': 'b', 'NAME': 'b'}), "
                + "({'SLS': 'loop', 'ID': 'b', 'NAME': 'b'}, 'require', {'SLS': 'loop', 'ID': 'a', 'NAME': 'a'})",
                error.getMessage());
    }

    @Test
    void threeNodeCycleThroughRequireIn() {
        CompileException error = compileError("loop", """
                a:
                  qvm.exists:
                    - require:
                      - qvm: b
                    - require_in:
                      - qvm: c
                b:
                  qvm.exists: []
                c:
                  qvm.exists:
                    - require_in:
                      - qvm: b
                outside:
                  qvm.exists:
                    - require:
                      - qvm: a
                """);
        assertEquals("Recursive requisites were found: "
                + "({'SLS': 'loop', 'ID': 'a', 'NAME': 'a'}, 'require', {'SLS': 'loop', 'ID': 'b', 'NAME': 'b'}), "
                + "({'SLS': 'loop', 'ID': 'b', 'NAME': 'b'}, 'require', {'SLS': 'loop', 'ID': 'c', 'NAME': 'c'}), "
                + "({'SLS': 'loop', 'ID': 'c', 'NAME': 'c'}, 'require', {'SLS': 'loop', 'ID': 'a', 'NAME': 'a'})",
                error.getMessage());
    }

    @Test
    void stateMatchingItsOwnRequisiteIsCycle() {
        CompileException error = compileError("main", """
                work:
                  qvm.present:
                    - label: red
                reset-work:
                  qvm.prefs:
                    - name: work
                    - kernelopts: '*default*'
                    - require:
                      - qvm: work
                """);
        assertEquals("Recursive requisites were found: ({'SLS': 'main', 'ID': 'reset-work', 'NAME':"
                + " 'work'}, 'require', {'SLS': 'main', 'ID': 'reset-work', 'NAME': 'work'}). A state"
                + " requires itself when its own ID or name matches its requisite, because requisites"
                + " match both; rename one of them", error.getMessage());
    }

    @Test
    void unsupportedRequisiteKindIsError() {
        CompileException error = compileError("main", """
                work:
                  qvm.exists:
                    - onfail_stop:
                      - qvm: sys-net
                sys-net:
                  qvm.exists: []
                """);
        assertEquals(List.of(
                "The requisite 'onfail_stop' in state [work] (ID 'work') in SLS [main] is not"
                        + " supported; supported requisites: require, require_any, require_in, watch,"
                        + " watch_any, watch_in, onchanges, onchanges_any, onchanges_in, onfail,"
                        + " onfail_any, onfail_all, onfail_in, prereq, prereq_in, use, use_in, listen,"
                        + " listen_in"),
                error.errors());
    }

    @Test
    void watchOnQvmStateStaysWatch() throws Exception {
        List<LowChunk> chunks = compile("main", """
                work:
                  qvm.prefs:
                    - memory: 400
                    - watch:
                      - qvm: sys-usb
                    - require:
                      - qvm: sys-net
                sys-net:
                  qvm.exists:
                    - order: last
                sys-usb:
                  qvm.exists:
                    - order: last
                    - watch_in:
                      - qvm: late
                late:
                  qvm.exists:
                    - order: last
                """);
        assertEquals(List.of("sys-net", "sys-usb", "work", "late"), ids(chunks));
        // The qvm states have a mod_watch (a restart of a running qube), so watch is kept.
        assertEquals(List.of("qvm_|-sys-net_|-sys-net_|-exists"), chunks.get(2).requisites().get("require"));
        assertEquals(List.of("qvm_|-sys-usb_|-sys-usb_|-exists"), chunks.get(2).requisites().get("watch"));
        assertEquals(List.of("qvm_|-sys-usb_|-sys-usb_|-exists"), chunks.get(3).requisites().get("watch"));
    }

    @Test
    void useOfMissingStateIsError() {
        CompileException error = compileError("main", """
                work:
                  qvm.prefs:
                    - use:
                      - qvm: ghost
                """);
        assertEquals("Referenced state does not exist for requisite [use: (qvm: ghost)] in state"
                + " [work] in SLS [main]", error.getMessage());
    }

    @Test
    void useCopiesArgumentsNotSetLocally() throws Exception {
        List<LowChunk> chunks = compile("main", """
                defaults:
                  qvm.prefs:
                    - name: template-prefs
                    - memory: 400
                    - label: red
                    - require:
                      - qvm: other
                other:
                  qvm.exists: []
                work:
                  qvm.prefs:
                    - label: blue
                    - use:
                      - qvm: template-prefs
                """);
        LowChunk work = byId(chunks).get("work");
        assertEquals(Map.of("label", "blue", "memory", 400), work.args());
        assertEquals(Map.of(), work.requisites());
    }

    @Test
    void watchOnStateWithModWatchStaysWatch() throws Exception {
        List<LowChunk> chunks = compile("main", """
                restart:
                  test.succeed_without_changes:
                    - watch:
                      - test: work
                work:
                  test.nop: []
                """);
        assertEquals(Map.of("watch", List.of("test_|-work_|-work_|-nop")), chunks.get(1).requisites());
    }

    @Test
    void cycleErrorListsAtMostTwentyEdges() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            yaml.append("q").append(i).append(":\n  qvm.exists:\n    - require:\n      - qvm: 'q*'\n");
        }
        CompileException error = compileError("main", yaml.toString());
        assertEquals(20, error.getMessage().split("'require'").length - 1, error.getMessage());
        assertTrue(error.getMessage().contains(", and 880 more edges. A state requires itself"),
                error.getMessage());
    }

    @Test
    void longRequireChainCompiles() throws Exception {
        int length = 20000;
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < length; i++) {
            yaml.append("q").append(i).append(":\n  qvm.exists:\n    - order: ").append(length - i).append("\n");
            if (i > 0) {
                yaml.append("    - require:\n      - qvm: q").append(i - 1).append("\n");
            }
        }
        List<LowChunk> chunks = compile("main", yaml.toString());
        assertEquals("q0", chunks.get(0).id());
        assertEquals("q" + (length - 1), chunks.get(length - 1).id());
    }

    @Test
    void cycleEdgeNamesWatch() {
        CompileException error = compileError("loop", """
                a:
                  test.nop:
                    - watch:
                      - test: a
                """);
        assertTrue(error.getMessage().startsWith("Recursive requisites were found: ({'SLS': 'loop',"
                + " 'ID': 'a', 'NAME': 'a'}, 'watch', "), error.getMessage());
    }

    @Test
    void dottedRequisiteTypeIsError() {
        CompileException error = compileError("main", """
                work:
                  qvm.exists:
                    - require:
                      - qvm.present: sys-net
                sys-net:
                  qvm.present:
                    - label: red
                """);
        assertEquals("Invalid requisite type 'qvm.present' in require of state [work] (ID 'work')"
                + " in SLS [main]: requisite types must not contain dots; did you mean 'qvm'?",
                error.getMessage());
    }

    @Test
    void declarationErrorsAreCollected() {
        CompileException error = compileError("main", """
                two-same:
                  qvm.exists: []
                  qvm.present: []
                too-many:
                  qvm:
                    - exists
                    - present
                none:
                  qvm:
                    - name: x
                trailing:
                  qvm.exists:
                not-a-mapping: 42
                """);
        assertEquals(List.of(
                "ID 'two-same' in SLS 'main' contains multiple state declarations of the same type"
                        + " ('qvm'); give each one its own ID",
                "ID 'trailing' in SLS 'main' contains a short declaration (qvm.exists) with a trailing"
                        + " colon. Without arguments, omit the colon: 'trailing: qvm.exists'",
                "ID 'not-a-mapping' in SLS 'main' is not a mapping of state declarations, got: 42",
                "Too many functions declared in state 'qvm' in SLS 'main' (ID 'too-many'): exists,"
                        + " present; keep one, or give each its own ID",
                "No function declared in state 'qvm' in SLS 'main' (ID 'none'); name one, such as"
                        + " 'qvm.present:'"), error.errors());
    }

    @Test
    void conflictingIdsNameBothSls() {
        YamlSlsSource source = YamlSlsSource.of(
                "main", "include: [other]\nsame:\n  qvm.exists: []\n",
                "other", "same:\n  qvm.exists: []\n");
        CompileException error = assertThrows(CompileException.class,
                () -> new HighStateCompiler(source).compile(List.of("main")));
        assertEquals("Detected conflicting IDs: ID 'same' is declared in SLS 'base:main' and in SLS"
                + " 'base:other'. State IDs must be unique across all SLS files; rename one",
                error.getMessage());
    }

    @Test
    void missingIncludeNamesBothFiles() {
        CompileException error = compileError("main", "include: [absent]\nwork:\n  qvm.exists: []\n");
        assertEquals("SLS 'absent' included from SLS 'main' was not found in the file roots: neither"
                + " absent.sls nor absent/init.sls exists. Fix the include in SLS 'main' or add the file"
                + " to a file root.", error.getMessage());
    }

    @Test
    void invalidArgumentValuesAreErrors() {
        CompileException error = compileError("main", """
                numeric-name:
                  qvm.exists:
                    - name: 42
                bad-order:
                  qvm.exists:
                    - order: soon
                bad-names:
                  qvm.exists:
                    - names: work
                bad-require:
                  qvm.exists:
                    - require: numeric-name
                """);
        assertEquals(List.of(
                "The 'name' argument of ID 'numeric-name' in SLS 'main' must be a string, got: 42;"
                        + " quote it",
                "The 'names' argument of ID 'bad-names' in SLS 'main' must be a list, got: 'work'",
                "The require statement of ID 'bad-require' in SLS 'main' must be a list, got:"
                        + " 'numeric-name'"), error.errors());
        CompileException orderError = compileError("main", "late:\n  qvm.exists:\n    - order: soon\n");
        assertEquals("The order of ID 'late' in SLS 'main' must be an integer, 'first' or 'last',"
                + " got: 'soon'", orderError.getMessage());
    }

    @Test
    void extendMergesArgumentsAndRequisites() throws Exception {
        YamlSlsSource source = YamlSlsSource.of(
                "main", """
                        include: [base]
                        extend:
                          work:
                            qvm:
                              - memory: 800
                              - require:
                                - qvm: sys-usb
                        sys-usb:
                          qvm.exists:
                            - order: last
                        """,
                "base", """
                        work:
                          qvm.prefs:
                            - memory: 400
                            - label: red
                            - require:
                              - qvm: sys-net
                        sys-net:
                          qvm.exists:
                            - order: last
                        """);
        List<LowChunk> chunks = new HighStateCompiler(source).compile(List.of("main"));
        LowChunk work = byId(chunks).get("work");
        assertEquals(Map.of("memory", 800, "label", "red"), work.args());
        assertEquals(List.of("qvm_|-sys-net_|-sys-net_|-exists", "qvm_|-sys-usb_|-sys-usb_|-exists"),
                work.requisites().get("require"));
        assertEquals(List.of("sys-net", "sys-usb", "work"), ids(chunks));
    }

    @Test
    void extendOfUnknownIdIsError() {
        CompileException error = compileError("main", """
                extend:
                  ghost:
                    qvm:
                      - memory: 800
                """);
        assertEquals("Cannot extend ID 'ghost' in SLS 'base:main': no state with that ID and module"
                + " 'qvm' is part of the high state. Include the SLS file that declares it, or"
                + " correct the ID", error.getMessage());
    }

    @Test
    void excludeBySlsAndId() throws Exception {
        YamlSlsSource source = YamlSlsSource.of(
                "main", """
                        include: [extra, more]
                        exclude:
                          - extra
                          - id: more-two
                        work:
                          qvm.exists: []
                        """,
                "extra", "extra-one:\n  qvm.exists: []\n",
                "more", "more-one:\n  qvm.exists: []\nmore-two:\n  qvm.exists: []\n");
        List<LowChunk> chunks = new HighStateCompiler(source).compile(List.of("main"));
        assertEquals(List.of("more-one", "work"), ids(chunks));
    }

    @Test
    void requiringExcludedStateIsError() {
        YamlSlsSource source = YamlSlsSource.of(
                "main", """
                        include: [extra]
                        exclude:
                          - sls: extra
                        work:
                          qvm.exists:
                            - require:
                              - sls: extra
                        """,
                "extra", "extra-one:\n  qvm.exists: []\n");
        CompileException error = assertThrows(CompileException.class,
                () -> new HighStateCompiler(source).compile(List.of("main")));
        assertEquals("Referenced state does not exist for requisite [require: (sls: extra)] in"
                + " state [work] in SLS [main]", error.getMessage());
    }

    @Test
    void lowstateMatchesSaltForm() throws Exception {
        LowChunk chunk = compile("main", """
                needs-late:
                  test.succeed_without_changes:
                    - comment: hello
                    - require:
                      - test: late
                late:
                  test.succeed_without_changes:
                    - order: last
                """).get(1);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("state", "test");
        expected.put("name", "needs-late");
        expected.put("__sls__", "main");
        expected.put("__env__", "base");
        expected.put("__id__", "needs-late");
        expected.put("comment", "hello");
        expected.put("require", List.of(Map.of("test", "late")));
        expected.put("order", 10000);
        expected.put("fun", "succeed_without_changes");
        assertEquals(expected, chunk.toSaltLowstate());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(chunk.toSaltLowstate().keySet()));
    }

    @Test
    void compileSortedKeepsSaltLowstateOrder() throws Exception {
        YamlSlsSource source = YamlSlsSource.of("main", """
                needs-late:
                  qvm.exists:
                    - require:
                      - qvm: late
                late:
                  qvm.exists:
                    - order: last
                """);
        HighStateCompiler compiler = new HighStateCompiler(source);
        assertEquals(List.of("needs-late", "late"), ids(compiler.compileSorted(List.of("main"))));
        assertEquals(List.of("late", "needs-late"), ids(compiler.compile(List.of("main"))));
    }

    @Test
    void topSlsGlobListAndPcre() throws Exception {
        Map<String, Object> top = new org.yaml.snakeyaml.Yaml().load("""
                base:
                  '*':
                    - common
                  'lab-*':
                    - lab
                    - common
                  'lab-01,lab-02':
                    - match: list
                    - listed
                  'lab-0[3-9]':
                    - match: pcre
                    - regex
                  'office-*':
                    - office
                """);
        assertEquals(List.of("common", "lab", "listed"), HighStateCompiler.topSls(top, "lab-01", "base"));
        assertEquals(List.of("common", "lab", "regex"), HighStateCompiler.topSls(top, "lab-07", "base"));
        assertEquals(List.of(), HighStateCompiler.topSls(top, "lab-01", "dev"));
    }

    @Test
    void topSlsUnknownMatchTypeIsError() {
        Map<String, Object> top = new org.yaml.snakeyaml.Yaml().load(
                "base:\n  'os:Qubes':\n    - match: grain\n    - qubes\n");
        CompileException error = assertThrows(CompileException.class,
                () -> HighStateCompiler.topSls(top, "lab-01", "base"));
        assertEquals("top.sls: target 'os:Qubes' uses match type 'grain', which is not supported;"
                + " use one of glob, list, pcre", error.getMessage());
    }

    private static List<LowChunk> compile(String sls, String yaml) throws CompileException {
        return new HighStateCompiler(YamlSlsSource.of(sls, yaml)).compile(List.of(sls));
    }

    private static CompileException compileError(String sls, String yaml) {
        return assertThrows(CompileException.class, () -> compile(sls, yaml));
    }

    private static List<String> ids(List<LowChunk> chunks) {
        return chunks.stream().map(LowChunk::id).toList();
    }

    private static List<String> names(List<LowChunk> chunks) {
        return chunks.stream().map(LowChunk::name).toList();
    }

    private static Map<String, LowChunk> byId(List<LowChunk> chunks) {
        Map<String, LowChunk> byId = new LinkedHashMap<>();
        chunks.forEach(chunk -> byId.put(chunk.id(), chunk));
        return byId;
    }
    @Test
    void showSlsPrintsHighDataAsSalt() throws Exception {
        SlsSource source = YamlSlsSource.of("main", """
                include:
                  - lib
                extend:
                  lib-state:
                    test:
                      - comment: extended
                a:
                  test.succeed_without_changes:
                    - names:
                      - x
                      - y
                    - require:
                      - test: lib-state
                b: test.nop
                """, "lib", """
                lib-state:
                  test.succeed_without_changes:
                    - comment: orig
                    - order: 5
                """);
        // What Salt 3007.0 prints for `state.show_sls main` on these files, keys in Salt's order
        // except that the module key comes first in the short-form ID 'b'.
        String expected = """
                {"__extend__":[{"lib-state":{"test":[{"comment":"extended"}],"__sls__":"main","__env__":"base"}}],\
                "a":{"test":[{"names":["x","y"]},{"require":[{"test":"lib-state"}]},"succeed_without_changes",\
                {"order":10000}],"__sls__":"main","__env__":"base"},\
                "b":{"test":["nop",{"order":10001}],"__sls__":"main","__env__":"base"},\
                "lib-state":{"test":[{"comment":"orig"},{"order":5},"succeed_without_changes"],\
                "__sls__":"lib","__env__":"base"}}""";
        Map<String, Object> shown = new HighStateCompiler(source).showSls(List.of("main"));
        assertEquals(expected.replace("\n", ""), new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValueAsString(shown));
    }

    @Test
    void showHighstateUsesTopFile() throws Exception {
        SlsSource source = YamlSlsSource.of("main", "a: test.nop\n", "other", "b: test.nop\n");
        Map<String, Object> top = Map.of("base", Map.of("lab-*", List.of("main")));
        Map<String, Object> shown = new HighStateCompiler(source).showHighstate(top, "lab-01");
        assertEquals(List.of("a"), List.copyOf(shown.keySet()));
    }

    @Test
    void showSlsRejectsMissingRequisite() {
        SlsSource source = YamlSlsSource.of("main", "a:\n  test.nop:\n    - require:\n      - test: b\n");
        CompileException error = assertThrows(CompileException.class,
                () -> new HighStateCompiler(source).showSls(List.of("main")));
        assertEquals("Referenced state does not exist for requisite [require: (test: b)] in state [a]"
                + " in SLS [main]", error.getMessage());
    }
}
