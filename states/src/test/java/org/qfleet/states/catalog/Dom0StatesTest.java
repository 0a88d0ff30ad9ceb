package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.qfleet.states.StateException;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.plan.Plan;
import org.qfleet.states.plan.PlanChunk;
import org.qfleet.states.plan.Step;
import org.yaml.snakeyaml.Yaml;

/** The file, cmd and pkg states: the steps they compile to and the errors of bad arguments. */
class Dom0StatesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** File roots of one file, policy.j2, for source and template tests. */
    private static final FileSource FILES = new FileSource() {
        @Override
        public String read(String relativePath, boolean jinja) throws StateException {
            if (!relativePath.equals("policy.j2")) {
                throw new StateException("file '" + relativePath + "' not found in file roots [/srv]");
            }
            return jinja ? "rendered for lab-01\n" : "{{ grains['id'] }}\n";
        }

        @Override
        public boolean exists(String relativePath) {
            return relativePath.equals("policy.j2");
        }

        @Override
        public Object pillar(String key) {
            return key.equals("gpg:policy") ? "qubes.Gpg * work vault allow" : null;
        }
    };

    @Test
    void managedContentsBecomeFileStep() throws Exception {
        Step step = onlyStep("""
                /etc/qubes/policy.d/30-gpg.policy:
                  file.managed:
                    - contents: qubes.Gpg * work vault allow
                    - mode: 644
                    - user: root
                    - makedirs: True
                """);
        assertEquals("file", step.action().kind());
        Map<String, Object> spec = step.action().spec();
        assertEquals("managed", spec.get("op"));
        assertEquals("/etc/qubes/policy.d/30-gpg.policy", spec.get("path"));
        assertEquals("qubes.Gpg * work vault allow\n", spec.get("contents"));
        assertEquals("0644", spec.get("mode"));
        assertEquals("root", spec.get("user"));
        assertEquals(true, spec.get("makedirs"));
        assertNull(step.probe());
    }

    @Test
    void managedReadsSourceAndRendersTemplate() throws Exception {
        String plain = (String) onlyStep("""
                /etc/a:
                  file.managed:
                    - source: salt://policy.j2
                """).action().spec().get("contents");
        String rendered = (String) onlyStep("""
                /etc/a:
                  file.managed:
                    - source: salt://policy.j2
                    - template: jinja
                """).action().spec().get("contents");
        String firstFound = (String) onlyStep("""
                /etc/a:
                  file.managed:
                    - source:
                      - salt://missing.j2
                      - salt://policy.j2
                """).action().spec().get("contents");
        assertEquals("{{ grains['id'] }}\n", plain);
        assertEquals("{{ grains['id'] }}\n", firstFound);
        assertEquals("rendered for lab-01\n", rendered);
    }

    @Test
    void managedContentsPillarAndList() throws Exception {
        assertEquals("qubes.Gpg * work vault allow\n", onlyStep("""
                /etc/a:
                  file.managed:
                    - contents_pillar: gpg:policy
                """).action().spec().get("contents"));
        assertEquals("a\nb", onlyStep("""
                /etc/a:
                  file.managed:
                    - contents: [a, b]
                    - contents_newline: False
                """).action().spec().get("contents"));
    }

    @Test
    void fileErrorsNameStateFieldAndValue() {
        assertError("""
                etc/relative:
                  file.managed:
                    - contents: x
                """, "file.managed state with ID 'etc/relative' in SLS 'main': invalid value for field"
                + " 'name': 'etc/relative'; file states take an absolute path in dom0, such as"
                + " /etc/qubes/policy.d/30-user.policy");
        assertError("""
                /etc/a:
                  file.managed:
                    - mode: 0999
                """, "file.managed state with ID '/etc/a' in SLS 'main': invalid value for field"
                + " 'mode': '0999'; write the mode as three or four octal digits, such as 644 or"
                + " '0640'");
        assertError("""
                /etc/a:
                  file.managed:
                    - source: salt://missing.j2
                """, "file.managed state with ID '/etc/a' in SLS 'main': field 'source':"
                + " 'salt://missing.j2': file 'missing.j2' not found in file roots [/srv]");
        assertError("""
                /etc/a:
                  file.managed:
                    - contents: x
                    - source: salt://policy.j2
                """, "file.managed state with ID '/etc/a' in SLS 'main': arguments contents and"
                + " source are given together; use only one of contents, contents_pillar and source");
        CompileException symlink = assertThrows(CompileException.class, () -> compile("""
                /etc/a:
                  file.symlink:
                    - targt: /b
                """));
        assertEquals(List.of("file.symlink state with ID '/etc/a' in SLS 'main': unknown argument"
                + " 'targt'; valid arguments: force, makedirs, target", "file.symlink state with ID"
                + " '/etc/a' in SLS 'main': missing argument 'target'"), symlink.errors());
    }

    @Test
    void replaceTakesFlagNamesOrNumber() throws Exception {
        Map<String, Object> spec = onlyStep("""
                /etc/a:
                  file.replace:
                    - pattern: '^a=.*$'
                    - repl: a=1
                    - flags: [ignorecase, multiline]
                """).action().spec();
        assertEquals(List.of("IGNORECASE", "MULTILINE"), spec.get("flags"));
        assertEquals(List.of("IGNORECASE"), onlyStep("""
                /etc/a:
                  file.replace:
                    - pattern: a
                    - repl: b
                    - flags: 2
                """).action().spec().get("flags"));
    }

    @Test
    void cmdRunCarriesConditions() throws Exception {
        PlanChunk chunk = compile("""
                qvm-appmenus --update default-dvm:
                  cmd.run:
                    - runas: user
                    - unless: test -f /done
                    - creates: [/a, /b]
                    - env:
                      - LANG: C
                """);
        Map<String, Object> spec = chunk.steps().get(0).action().spec();
        assertEquals("command", chunk.steps().get(0).action().kind());
        assertEquals("qvm-appmenus --update default-dvm", spec.get("shell"));
        assertEquals("user", spec.get("runas"));
        assertEquals(List.of("test -f /done"), spec.get("unless"));
        assertEquals(List.of("/a", "/b"), spec.get("creates"));
        assertEquals(Map.of("LANG", "C"), spec.get("env"));
        assertNull(chunk.outcome());
    }

    @Test
    void cmdWaitRunsOnlyAsModWatch() throws Exception {
        PlanChunk chunk = compile("""
                rebuild:
                  cmd.wait:
                    - name: grub2-mkconfig -o /boot/grub2/grub.cfg
                """);
        assertTrue(chunk.steps().isEmpty());
        assertEquals(true, chunk.outcome().result());
        assertEquals("", chunk.outcome().comment());
        assertEquals(1, chunk.modWatchSteps().steps().size());
        JsonNode node = JSON.readTree(new Plan("1", "lab-01", false, List.of(chunk)).toJson())
                .get("chunks").get(0);
        assertEquals("grub2-mkconfig -o /boot/grub2/grub.cfg",
                node.get("mod_watch").get("steps").get(0).get("command").get("shell").asText());
    }

    @Test
    void cmdListenRunsCommandInListener() throws Exception {
        List<PlanChunk> chunks = compileAll("""
                /etc/a:
                  file.managed:
                    - contents: x
                reload:
                  cmd.run:
                    - name: echo reload
                    - listen:
                      - file: /etc/a
                """);
        PlanChunk listener = chunks.get(chunks.size() - 1);
        assertEquals("listener_reload", listener.id());
        assertEquals("echo reload", listener.steps().get(0).action().spec().get("shell"));
    }

    @Test
    void cmdErrors() {
        assertError("""
                x:
                  cmd.run:
                    - name: echo hi
                    - stateful: True
                """, "cmd.run state with ID 'x' in SLS 'main': unknown argument 'stateful'; valid"
                + " arguments: creates, cwd, env, onlyif, runas, shell, unless");
        assertError("""
                x:
                  cmd.run:
                    - name: echo hi
                    - onlyif:
                      - fun: file.file_exists
                """, "cmd.run state with ID 'x' in SLS 'main': invalid value in field 'onlyif':"
                + " {'fun': 'file.file_exists'}; qfleet takes shell commands here, not module calls or"
                + " other values");
    }

    @Test
    void pkgInstalledBecomesPackageStep() throws Exception {
        Step step = onlyStep("""
                dom0-packages:
                  pkg.installed:
                    - pkgs:
                      - qubes-input-proxy-sender
                      - split-gpg2-dom0
                    - fromrepo: qubes-dom0-current-testing
                """);
        assertEquals("package", step.action().kind());
        Map<String, Object> spec = step.action().spec();
        assertEquals("installed", spec.get("op"));
        assertEquals(List.of("qubes-input-proxy-sender", "split-gpg2-dom0"), spec.get("names"));
        assertEquals("qubes-dom0-current-testing", spec.get("fromrepo"));
    }

    @Test
    void pkgRemovedTakesStateName() throws Exception {
        Map<String, Object> spec = onlyStep("""
                kernel-latest:
                  pkg.removed: []
                """).action().spec();
        assertEquals("removed", spec.get("op"));
        assertEquals(List.of("kernel-latest"), spec.get("names"));
    }

    @Test
    void pkgUptodateChecksForUpdates() throws Exception {
        Step step = onlyStep("""
                update-dom0:
                  pkg.uptodate: []
                """);
        assertEquals(List.of("qubes-dom0-update", "--check-only"), step.probe().argv());
        assertEquals(List.of(List.of("qubes-dom0-update", "-y")), step.change());
    }

    @Test
    void pkgVersionPinIsRejected() {
        assertError("""
                p:
                  pkg.installed:
                    - pkgs:
                      - vim: 9.0
                """, "pkg.installed state with ID 'p' in SLS 'main': version pins such as {'vim': 9.0}"
                + " in field 'pkgs' are not supported; list the package name only");
    }

    @Test
    void fileStepsCountAsDom0ForManagedQubes() throws Exception {
        PlanChunk chunk = compile("""
                /etc/a:
                  file.absent: []
                """);
        List<String> violations = new org.qfleet.states.plan.ManagedQubes(List.of("work-*"))
                .violations(List.of(chunk));
        assertFalse(violations.isEmpty());
        assertTrue(violations.get(0).contains("changes qube 'dom0'"), violations.get(0));
    }

    private static void assertError(String yaml, String expected) {
        CompileException error = assertThrows(CompileException.class, () -> compile(yaml));
        assertEquals(List.of(expected), error.errors());
    }

    private static Step onlyStep(String yaml) throws CompileException {
        List<Step> steps = compile(yaml).steps();
        assertEquals(1, steps.size());
        return steps.get(0);
    }

    private static PlanChunk compile(String yaml) throws CompileException {
        return compileAll(yaml).get(0);
    }

    private static List<PlanChunk> compileAll(String yaml) throws CompileException {
        List<PlanChunk> chunks = new ArrayList<>();
        StateCatalog catalog = new StateCatalog(FILES);
        SlsSource source = new SlsSource() {
            @Override
            public Map<String, Object> render(String sls) {
                return new Yaml().load(yaml);
            }

            @Override
            public boolean exists(String sls) {
                return sls.equals("main");
            }
        };
        for (LowChunk chunk : new HighStateCompiler(source).compile(List.of("main"))) {
            chunks.add(catalog.compile(chunk));
        }
        return chunks;
    }
}
