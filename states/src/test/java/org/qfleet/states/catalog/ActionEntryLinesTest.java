package org.qfleet.states.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qfleet.states.StateException;
import org.qfleet.states.compile.CompileException;
import org.qfleet.states.compile.HighStateCompiler;
import org.qfleet.states.compile.LowChunk;
import org.qfleet.states.compile.SlsSource;
import org.qfleet.states.render.FileRoots;
import org.qfleet.states.render.HostQueries;
import org.qfleet.states.render.RenderContext;
import org.qfleet.states.render.SaltRenderer;

/**
 * Errors about an entry inside a {@code qvm.vm} action, or inside an argument of another qvm
 * state, name the line of that entry in the SLS file rendered from real file roots, not the
 * line of the action or argument that contains it.
 */
class ActionEntryLinesTest {

    private static final String VM = "qvm.vm state with ID 'work' in SLS 't', action ";

    @TempDir
    Path root;

    @Test
    void prefsInvalidValueNamesEntryLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - present:
                      - label: blue
                    - prefs:
                      - memory: lots
                      - netvm: sys-firewall
                    - features:
                      - set:
                        - service.crond: 1
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'prefs': invalid value for field 'memory': 'lots';"
                + " it must be an integer"), errors("t"));
    }

    @Test
    void prefsUnknownPropertyNamesEntryLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - prefs:
                      - label: blue
                      - memory: 400
                      - netvn: sys-firewall
                      - vcpus: 2
                """);

        List<String> errors = errors("t");

        assertEquals(1, errors.size(), errors.toString());
        assertEquals(file("t.sls") + ":6: " + VM + "'prefs': unknown property 'netvn'. Did you mean 'netvm'?",
                errors.get(0).split(" Valid properties: ")[0]);
    }

    @Test
    void prefsAliasNamesItsOwnLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - prefs:
                      - label: blue
                      - last-backup: yesterday
                """);

        assertEquals(List.of(file("t.sls") + ":5: " + VM + "'prefs': invalid value for field 'backup_timestamp':"
                + " 'yesterday'; it must be an integer"), errors("t"));
    }

    @Test
    void prefsPropertyGivenTwiceNamesLaterEntry() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - prefs:
                      - template-for-dispvms: true
                      - label: blue
                      - dispvm_allowed: true
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'prefs': property 'template_for_dispvms' is given twice"),
                errors("t"));
    }

    @Test
    void presentWrongTypeNamesEntryLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - present:
                      - label: blue
                      - template: [fedora-42, debian-13]
                """);

        assertEquals(List.of(file("t.sls") + ":5: " + VM + "'present': argument 'template' must be a single"
                + " value, got: ['fedora-42', 'debian-13']"), errors("t"));
    }

    @Test
    void presentUnknownFlagNamesFlagLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - present:
                      - label: blue
                      - proxy
                      - standalon
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'present': unknown flag 'standalon'; valid flags:"
                + " hvm, hvm_template, net, proxy, quiet, standalone"), errors("t"));
    }

    @Test
    void flagsArgumentNamesFlagLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - shutdown:
                      - flags:
                        - wait
                        - forc
                """);

        String error = errors("t").get(0);

        assertEquals(file("t.sls") + ":6: " + VM + "'shutdown': unknown flag 'forc'", error.split("; valid")[0]);
    }

    @Test
    void featuresUnknownKeyNamesEntryLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - features:
                      - enable:
                        - service.crond
                      - sett:
                        - gui: 1
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'features': unknown argument 'sett'; valid arguments:"
                + " default, disable, enable, set"), errors("t"));
    }

    @Test
    void featureValueNamesFeatureLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - features:
                      - set:
                        - service.crond: 1
                        - gui: [a, b]
                        - vm-config.x: 2
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'features': invalid value for feature 'gui':"
                + " ['a', 'b']; give a string or number, or list the feature under 'default' to remove it"),
                errors("t"));
    }

    @Test
    void featureNameNamesItemLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - features:
                      - disable:
                        - service.cups
                        - "bad name"
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'features': invalid name 'bad name'; feature and"
                + " service names use letters, digits, '_', '.' and '-'"), errors("t"));
    }

    @Test
    void serviceGivenTwiceNamesLaterItem() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - service:
                      - enable:
                        - crond
                      - disable:
                        - cups
                        - crond
                """);

        assertEquals(List.of(file("t.sls") + ":8: " + VM + "'service': 'crond' is given twice"), errors("t"));
    }

    @Test
    void tagNamesItemLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - tags:
                      - add:
                        - backup
                        - "no spaces"
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'tags': invalid tag 'no spaces'; tags use letters,"
                + " digits, '_' and '-'"), errors("t"));
    }

    @Test
    void deviceOptionNamesOptionLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - devices:
                      - attach:
                        - dom0:00_14.0:
                          - no-strict-reset: true
                          - permisive: true
                """);

        assertEquals(List.of(file("t.sls") + ":7: " + VM + "'devices': unknown option 'permisive' of device"
                + " 'dom0:00_14.0'; valid options: no-strict-reset, permissive, persistent"), errors("t"));
    }

    @Test
    void invalidDeviceNamesItemLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - devices:
                      - attach:
                        - dom0:00_14.0
                        - usb0
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'devices': invalid device 'usb0'; write a PCI device"
                + " as pci:dom0:00_14.0, dom0:00_14.0 or 00:14.0"), errors("t"));
    }

    @Test
    void firewallRuleNamesRuleLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - firewall:
                      - set:
                        - action=accept dsthost=example.com
                        - action=accept colour=blue
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'firewall': invalid rule 'action=accept colour=blue':"
                + " unknown key 'colour'; valid keys: action, comment, dst4, dst6, dsthost, dstports, expire,"
                + " icmptype, proto, specialtarget"), errors("t"));
    }

    @Test
    void unknownActionNamesItsLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - present:
                      - label: blue
                    - prefz:
                      - memory: 400
                """);

        String error = errors("t").get(0);

        assertEquals(file("t.sls") + ":5: qvm.vm state with ID 'work' in SLS 't': Unknown action keyword: prefz.",
                error.split(" Did you mean")[0]);
    }

    @Test
    void actionsEntryNamesItsLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - actions:
                      - present
                      - {prefs: skip}
                    - present:
                      - label: blue
                    - prefs:
                      - memory: 400
                """);

        String error = errors("t").get(0);

        assertEquals(file("t.sls") + ":5: qvm.vm state with ID 'work' in SLS 't': entry {'prefs': 'skip'} of"
                + " 'actions' has the mode 'skip'", error.split("; valid modes")[0]);
    }

    @Test
    void plainFeaturesStateNamesFeatureLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.features:
                    - set:
                      - service.crond: 1
                      - gui: [a]
                """);

        assertEquals(List.of(file("t.sls") + ":5: qvm.features state with ID 'work' in SLS 't': invalid value for"
                + " feature 'gui': ['a']; give a string or number, or list the feature under 'default' to remove"
                + " it"), errors("t"));
    }

    @Test
    void jinjaKeepingLinesNamesFileLine() throws Exception {
        write("t.sls", """
                {% set memory = 'lots' %}
                work:
                  qvm.vm:
                    - prefs:
                      - label: blue
                      - memory: {{ memory }}
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'prefs': invalid value for field 'memory': 'lots';"
                + " it must be an integer"), errors("t"));
    }

    @Test
    void jinjaAddingLinesNamesRenderedLine() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - prefs:
                {%- for property in ['label', 'netvm'] %}
                      - {{ property }}: blue
                {%- endfor %}
                      - memory: lots
                """);

        // The loop's four lines render as two, so the memory entry on line 7 is line 6 of the rendered text.
        assertEquals(List.of(file("t.sls") + ": line 6 of the rendered text: " + VM + "'prefs': invalid value"
                + " for field 'memory': 'lots'; it must be an integer"), errors("t"));
    }

    @Test
    void extendingActionNamesExtendingLine() throws Exception {
        write("base.sls", """
                work:
                  qvm.vm:
                    - prefs:
                      - label: blue
                      - memory: 400
                """);
        write("t.sls", """
                include:
                  - base

                extend:
                  work:
                    qvm.vm:
                      - prefs:
                        - label: blue
                        - vcpus: many
                """);

        assertEquals(List.of(file("t.sls") + ":9: qvm.vm state with ID 'work' in SLS 'base', action 'prefs':"
                + " invalid value for field 'vcpus': 'many'; it must be an integer"), errors("t"));
    }

    @Test
    void serviceUnknownKeyIsOnlyError() throws Exception {
        write("t.sls", """
                work:
                  qvm.service:
                    - enable:
                      - cups
                    - enabel:
                      - cups
                      - "bad name"
                """);

        assertEquals(List.of(file("t.sls") + ":5: qvm.service state with ID 'work' in SLS 't': unknown argument"
                + " 'enabel'; valid arguments: default, disable, enable"), errors("t"));
    }

    @Test
    void tagsUnknownKeyIsOnlyError() throws Exception {
        write("t.sls", """
                work:
                  qvm.tags:
                    - add:
                      - backup
                    - remove:
                      - backup
                      - "bad tag"
                """);

        assertEquals(List.of(file("t.sls") + ":5: qvm.tags state with ID 'work' in SLS 't': unknown argument"
                + " 'remove'; valid arguments: absent, add, del, present"), errors("t"));
    }

    @Test
    void actionTagsUnknownKeyIsOnlyError() throws Exception {
        write("t.sls", """
                work:
                  qvm.vm:
                    - tags:
                      - present:
                        - backup
                      - delete:
                        - backup
                """);

        assertEquals(List.of(file("t.sls") + ":6: " + VM + "'tags': unknown argument 'delete'; valid arguments:"
                + " absent, add, del, present"), errors("t"));
    }

    private void write(String relative, String text) throws IOException {
        Files.writeString(root.resolve(relative), text);
    }

    private String file(String relative) {
        return root.resolve(relative).toString();
    }

    /** Compiles {@code sls} for dom0 and returns the compiler's or else the catalog's errors. */
    private List<String> errors(String sls) throws StateException {
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));
        RenderContext context = new RenderContext("dom0", Map.of("id", "dom0", "os", "Qubes"), Map.of(), NO_QUBES,
                "base");
        SlsSource source = new SlsSource() {
            @Override
            public Map<String, Object> render(String name) throws StateException {
                return renderer.renderSls(name, context);
            }

            @Override
            public boolean exists(String name) {
                return renderer.slsExists(name);
            }
        };
        List<LowChunk> chunks;
        try {
            chunks = new HighStateCompiler(source).compile(List.of(sls));
        } catch (CompileException e) {
            return e.errors();
        }
        List<String> errors = new ArrayList<>();
        try {
            new StateCatalog().compile(chunks);
        } catch (CompileException e) {
            errors.addAll(e.errors());
        }
        return errors;
    }

    private static final HostQueries NO_QUBES = new HostQueries() {
        @Override
        public boolean qubeExists(String name) {
            return false;
        }

        @Override
        public String shell(String command) {
            throw new UnsupportedOperationException("no shell in this test");
        }
    };
}
