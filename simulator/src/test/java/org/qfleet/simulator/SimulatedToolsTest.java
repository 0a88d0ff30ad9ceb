package org.qfleet.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The simulated qvm-* tools, run as real python3 processes against a fresh host state. */
class SimulatedToolsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LABELS = "red, orange, yellow, green, gray, blue, purple, black";

    @TempDir
    Path dir;

    private ToolRunner tools;

    @BeforeEach
    void installTools() throws Exception {
        tools = ToolRunner.install(dir, "lab-07");
    }

    private ToolRunner.Result run(String... argv) throws Exception {
        return tools.run(argv);
    }

    private void assertSucceeds(String... argv) throws Exception {
        ToolRunner.Result result = run(argv);
        assertEquals(0, result.exitCode(), String.join(" ", argv) + "\n" + result);
        assertEquals("", result.stderr(), String.join(" ", argv) + "\n" + result);
    }

    // ---- qvm-create and qvm-prefs

    @Test
    void createThenPrefsRoundTrip() throws Exception {
        ToolRunner.Result create = run("qvm-create", "--class", "AppVM", "--template", "debian-12-xfce",
                "--label", "purple", "--property", "memory=600", "--prop", "vcpus=3", "mail");
        assertEquals(0, create.exitCode(), create.toString());
        assertEquals("", create.stdout());
        assertEquals("", create.stderr());

        assertEquals("600\n", run("qvm-prefs", "mail", "memory").stdout());
        assertEquals("3\n", run("qvm-prefs", "mail", "vcpus").stdout());
        assertEquals("debian-12-xfce\n", run("qvm-prefs", "mail", "template").stdout());
        assertEquals("purple\n", run("qvm-prefs", "mail", "label").stdout());
        assertEquals("sys-firewall\n", run("qvm-prefs", "mail", "netvm").stdout());
        assertEquals("created-by-dom0\n", run("qvm-tags", "mail").stdout());

        String list = run("qvm-prefs", "mail").stdout();
        assertTrue(list.contains("\nmemory                -  600\n"), list);
        assertTrue(list.contains("\nnetvm                 D  sys-firewall\n"), list);
        assertTrue(list.contains("\nbackup_timestamp      U\n"), list);
        assertTrue(list.contains("\nkernel                D  6.6.63-1.fc37\n"), list);

        assertSucceeds("qvm-prefs", "mail", "netvm", "none");
        assertEquals("", run("qvm-prefs", "mail", "netvm").stdout());
        assertTrue(run("qvm-prefs", "mail").stdout().contains("\nnetvm                 -  None\n"));

        assertSucceeds("qvm-prefs", "mail", "default-user", "alice");
        assertEquals("alice\n", run("qvm-prefs", "mail", "default_user").stdout());

        assertSucceeds("qvm-prefs", "-D", "mail", "netvm");
        assertTrue(run("qvm-prefs", "mail").stdout().contains("\nnetvm                 D  sys-firewall\n"));
        String hidden = run("qvm-prefs", "--hide-default", "mail").stdout();
        assertFalse(hidden.contains("netvm"), hidden);
        assertTrue(hidden.contains("memory"), hidden);
        assertEquals("", run("qvm-prefs", "--hide-default", "mail", "netvm").stdout());
    }

    @Test
    void propertiesInheritFromTemplate() throws Exception {
        assertSucceeds("qvm-prefs", "fedora-41-xfce", "memory", "1000");
        assertSucceeds("qvm-prefs", "fedora-41-xfce", "kernel", "6.1.0-1");

        assertEquals("1000\n", run("qvm-prefs", "work", "memory").stdout());
        assertEquals("6.1.0-1\n", run("qvm-prefs", "work", "kernel").stdout());
        assertEquals("", run("qvm-prefs", "fedora-41-xfce", "netvm").stdout());
        assertTrue(run("qvm-prefs", "work").stdout().contains("\nmemory                D  1000\n"));
    }

    @Test
    void explicitValuesAppearInShowJson() throws Exception {
        assertSucceeds("qvm-create", "-l", "blue", "--prop", "netvm=none", "--prop", "autostart=yes", "mail");
        assertSucceeds("qvm-features", "mail", "servicevm", "1");

        JsonNode show = JSON.readTree(HostState.showJson(tools.stateFile()));

        assertEquals("lab-07", show.path("host").asText());
        JsonNode mail = show.path("vms").path("mail");
        assertEquals("AppVM", mail.path("class").asText());
        assertEquals("Halted", mail.path("state").asText());
        assertEquals("blue", mail.path("label").asText());
        assertEquals("", mail.path("properties").path("netvm").asText());
        assertEquals("True", mail.path("properties").path("autostart").asText());
        assertEquals("fedora-41-xfce", mail.path("properties").path("template").asText());
        assertFalse(mail.path("properties").has("memory"));
        assertEquals("1", mail.path("features").path("servicevm").asText());
        assertEquals("[\"created-by-dom0\"]", mail.path("tags").toString());
        assertEquals("sys-firewall", show.path("global").path("default_netvm").asText());
        List<String> names = new ArrayList<>();
        show.path("vms").fieldNames().forEachRemaining(names::add);
        assertEquals(names.stream().sorted().toList(), names);
    }

    static Stream<Arguments> createErrors() {
        return Stream.of(
                Arguments.of(List.of("qvm-create", "mail"), 2, "qvm-create: error: --label option is mandatory\n"),
                Arguments.of(List.of("qvm-create", "-l", "red"), 2, "qvm-create: error: VMNAME is mandatory\n"),
                Arguments.of(List.of("qvm-create", "-l", "pink", "mail"), 2,
                        "qvm-create: error: no such label: 'pink'; available: " + LABELS + "\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "work"), 1,
                        "app: Error creating VM: Qube already exists: work\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "-t", "fedora-99", "mail"), 1,
                        "app: Error creating VM: No such domain: 'fedora-99'\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "-t", "work", "mail"), 1,
                        "app: Error creating VM: wrong VM class: domains['work'] is of type AppVM and not TemplateVM\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "1mail"), 1,
                        "app: Error creating VM: VM name cannot start with hyphen, underscore, dot or numbers\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "mail!"), 1,
                        "app: Error creating VM: VM name contains illegal characters\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "a234567890123456789012345678901x"), 1,
                        "app: Error creating VM: VM name must be shorter than 32 characters\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "none"), 1,
                        "app: Error creating VM: VM name cannot be 'none' nor 'default'\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "Domain-0"), 1,
                        "app: Error creating VM: VM name cannot be 'Domain-0'\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "mail-dm"), 1,
                        "app: Error creating VM: VM name cannot end with -dm\n"),
                Arguments.of(List.of("qvm-create", "--disp", "-t", "work", "disp1"), 1,
                        "app: Error creating VM: template for disposable must have template_for_dispvms=True\n"),
                Arguments.of(List.of("qvm-create", "-l", "red", "--prop", "memory=lots", "mail"), 2,
                        "app: Error setting property memory (but VM created): Failed to parse property value as int\n"));
    }

    @ParameterizedTest
    @MethodSource("createErrors")
    void createRejectsInvalidInput(List<String> argv, int exitCode, String stderrEnd) throws Exception {
        ToolRunner.Result result = run(argv.toArray(String[]::new));

        assertEquals(exitCode, result.exitCode(), result.toString());
        assertTrue(result.stderr().endsWith(stderrEnd), result.toString());
        assertEquals("", result.stdout());
        if (exitCode == 2 && !stderrEnd.startsWith("app:")) {
            assertTrue(result.stderr().startsWith("usage: qvm-create"), result.toString());
        }
    }

    @Test
    void propertyFailureStillCreatesQube() throws Exception {
        run("qvm-create", "-l", "red", "--prop", "memory=lots", "mail");

        assertEquals(0, run("qvm-check", "-q", "mail").exitCode());
        assertEquals("400\n", run("qvm-prefs", "mail", "memory").stdout());
    }

    @Test
    void disposableCreatedFromDvmTemplate() throws Exception {
        assertSucceeds("qvm-create", "--disp", "-t", "default-dvm", "disp7");

        assertEquals("DispVM|red|default-dvm\n",
                run("qvm-ls", "--raw-data", "-O", "class,label,template", "disp7").stdout());
        assertEquals("default-dvm\n", run("qvm-prefs", "disp7", "default_dispvm").stdout());
    }

    static Stream<Arguments> prefsErrors() {
        return Stream.of(
                Arguments.of(List.of("qvm-prefs", "nosuch"), 2, "qvm-prefs: error: no such domain: 'nosuch'\n"),
                Arguments.of(List.of("qvm-prefs", "work", "colour"), 2, "qvm-prefs: error: no such property: 'colour'\n"),
                Arguments.of(List.of("qvm-prefs", "work", "memory", "lots"), 1,
                        "qvm-prefs: error: Failed to parse property value as int\n"),
                Arguments.of(List.of("qvm-prefs", "work", "memory", "0"), 1, "qvm-prefs: error: memory must be positive\n"),
                Arguments.of(List.of("qvm-prefs", "work", "vcpus", "-1"), 1, "qvm-prefs: error: vcpus must be positive\n"),
                Arguments.of(List.of("qvm-prefs", "work", "maxmem", "-1"), 1,
                        "qvm-prefs: error: maxmem must be positive or zero\n"),
                Arguments.of(List.of("qvm-prefs", "work", "autostart", "maybe"), 1,
                        "qvm-prefs: error: Invalid literal for boolean property: 'maybe'\n"),
                Arguments.of(List.of("qvm-prefs", "work", "label", "pink"), 1,
                        "qvm-prefs: error: Label does not exist: pink\n"),
                Arguments.of(List.of("qvm-prefs", "work", "netvm", "sys-nope"), 1,
                        "qvm-prefs: error: Can't set netvm to non-existing qube sys-nope\n"),
                Arguments.of(List.of("qvm-prefs", "work", "template", "work"), 1,
                        "qvm-prefs: error: wrong VM class: domains['work'] is of type AppVM and not TemplateVM\n"),
                Arguments.of(List.of("qvm-prefs", "work", "netvm", "personal"), 1,
                        "qvm-prefs: error: The personal qube does not provide network\n"),
                Arguments.of(List.of("qvm-prefs", "sys-net", "netvm", "sys-firewall"), 1,
                        "qvm-prefs: error: Loops in network are unsupported\n"),
                Arguments.of(List.of("qvm-prefs", "sys-firewall", "provides_network", "False"), 1,
                        "qvm-prefs: error: The qube is still used by other qubes, change theirs 'netvm' first\n"),
                Arguments.of(List.of("qvm-prefs", "work", "default_dispvm", "personal"), 1,
                        "qvm-prefs: error: Cannot set invalid property to qube 'work', default_dispvm 'personal' "
                                + "has template_for_dispvms set to False\n"),
                Arguments.of(List.of("qvm-prefs", "work", "virt_mode", "xen"), 1,
                        "qvm-prefs: error: Invalid virtualization mode, supported values: hvm, pv, pvh\n"),
                Arguments.of(List.of("qvm-prefs", "work", "template", "none"), 1,
                        "qvm-prefs: error: Cannot unset template\n"),
                Arguments.of(List.of("qvm-prefs", "work", "kernel", "../vmlinuz"), 1,
                        "qvm-prefs: error: Kernel name cannot contain '/'\n"),
                Arguments.of(List.of("qvm-prefs", "work", "updateable", "True"), 1,
                        "qvm-prefs: error: property 'updateable' on AppVM instance cannot be set\n"),
                Arguments.of(List.of("qvm-prefs", "dom0", "qid", "5"), 1,
                        "qvm-prefs: error: property 'qid' on AdminVM instance cannot be set\n"),
                Arguments.of(List.of("qvm-prefs", "work", "name", "mail"), 1,
                        "qvm-prefs: error: Failed to access 'name' property\n"),
                Arguments.of(List.of("qubes-prefs", "default_netvm", "work"), 1,
                        "qubes-prefs: error: The work qube does not provide network\n"),
                Arguments.of(List.of("qubes-prefs", "no_cpus", "8"), 1,
                        "qubes-prefs: error: property 'no_cpus' on Qubes instance cannot be set\n"),
                Arguments.of(List.of("qubes-prefs", "colour"), 2, "qubes-prefs: error: no such property: 'colour'\n"));
    }

    @ParameterizedTest
    @MethodSource("prefsErrors")
    void prefsRejectsInvalidValues(List<String> argv, int exitCode, String stderrEnd) throws Exception {
        String before = java.nio.file.Files.readString(stateFileAfterFirstUse());

        ToolRunner.Result result = run(argv.toArray(String[]::new));

        assertEquals(exitCode, result.exitCode(), result.toString());
        assertTrue(result.stderr().endsWith(stderrEnd), result.toString());
        assertEquals(exitCode == 2, result.stderr().startsWith("usage: "), result.toString());
        assertEquals(before, java.nio.file.Files.readString(tools.stateFile()), "a rejected change wrote the state");
    }

    @Test
    void templateChangeRejectedWhileRunning() throws Exception {
        Path state = stateFileAfterFirstUse();
        JsonNode json = JSON.readTree(state.toFile());
        ((com.fasterxml.jackson.databind.node.ObjectNode) json.path("vms").path("work")).put("state", "Running");
        JSON.writeValue(state.toFile(), json);

        ToolRunner.Result result = run("qvm-prefs", "work", "template", "debian-12-xfce");

        assertEquals(1, result.exitCode(), result.toString());
        assertEquals("qvm-prefs: error: Cannot change template while qube is running\n", result.stderr());
        assertEquals("qvm-check: work: running\n", run("qvm-check", "--running", "work").stderr());
    }

    @Test
    void globalPrefsSetAndReset() throws Exception {
        assertEquals("fedora-41-xfce\n", run("qubes-prefs", "default-template").stdout());
        assertSucceeds("qubes-prefs", "default_template", "debian-12-xfce");
        assertEquals("debian-12-xfce\n", run("qubes-prefs", "default_template").stdout());
        assertSucceeds("qubes-prefs", "clockvm", "none");
        assertEquals("", run("qubes-prefs", "clockvm").stdout());
        assertSucceeds("qubes-prefs", "-D", "default_template");

        String list = run("qubes-prefs").stdout();
        assertTrue(list.contains("\ndefault_netvm             -  sys-firewall\n"), list);
        assertTrue(list.contains("\ndefault_template          D  None\n"), list);
        assertTrue(list.contains("\nclockvm                   -  None\n"), list);
    }

    // ---- qvm-check

    static Stream<Arguments> checks() {
        return Stream.of(
                Arguments.of(List.of("qvm-check", "work"), 0, "qvm-check: work: exists\n"),
                Arguments.of(List.of("qvm-check", "--quiet", "work"), 0, ""),
                Arguments.of(List.of("qvm-check", "mail"), 1, "qvm-check: mail: non-existent!\n"),
                Arguments.of(List.of("qvm-check", "-q", "mail"), 1, ""),
                Arguments.of(List.of("qvm-check", "work", "mail"), 1, "qvm-check: mail: non-existent!\n"),
                Arguments.of(List.of("qvm-check", "--running", "work"), 1, "qvm-check: None of qubes: running\n"),
                Arguments.of(List.of("qvm-check", "--running", "dom0"), 0, "qvm-check: dom0: running\n"),
                Arguments.of(List.of("qvm-check", "--template", "fedora-41-xfce"), 0,
                        "qvm-check: fedora-41-xfce: template\n"),
                Arguments.of(List.of("qvm-check", "--template", "work", "fedora-41-xfce"), 3,
                        "qvm-check: fedora-41-xfce: template\n"),
                Arguments.of(List.of("qvm-check", "--networked", "work", "vault"), 3, "qvm-check: work: networked\n"));
    }

    @ParameterizedTest
    @MethodSource("checks")
    void checkExitCodesAndMessages(List<String> argv, int exitCode, String stderr) throws Exception {
        ToolRunner.Result result = run(argv.toArray(String[]::new));

        assertEquals(exitCode, result.exitCode(), result.toString());
        assertEquals(stderr, result.stderr());
        assertEquals("", result.stdout());
    }

    // ---- qvm-ls

    @Test
    void lsRawDataOfFreshHost() throws Exception {
        ToolRunner.Result result = run("qvm-ls", "--raw-data", "--fields", "name,class,state,label,template,netvm");

        assertEquals(0, result.exitCode(), result.toString());
        assertEquals(String.join("\n",
                "debian-12-xfce|TemplateVM|Halted|black|-|-",
                "default-dvm|AppVM|Halted|red|fedora-41-xfce|sys-firewall",
                "dom0|AdminVM|Running|black|-|-",
                "fedora-41-xfce|TemplateVM|Halted|black|-|-",
                "personal|AppVM|Halted|yellow|fedora-41-xfce|sys-firewall",
                "sys-firewall|AppVM|Halted|green|fedora-41-xfce|sys-net",
                "sys-net|AppVM|Halted|red|fedora-41-xfce|-",
                "sys-usb|AppVM|Halted|red|fedora-41-xfce|-",
                "untrusted|AppVM|Halted|red|fedora-41-xfce|sys-firewall",
                "vault|AppVM|Halted|black|fedora-41-xfce|-",
                "work|AppVM|Halted|blue|fedora-41-xfce|sys-firewall") + "\n", result.stdout());
    }

    @Test
    void lsPropertyFieldsAndTable() throws Exception {
        ToolRunner.Result raw = run("qvm-ls", "--raw-data", "-O", "NAME,Provides_Network,autostart,vcpus,nosuch",
                "sys-net", "work");
        assertEquals("sys-net|True|True|2|-\nwork|False|False|2|-\n", raw.stdout());

        assertEquals("sys-net\nsys-usb\n", run("qvm-ls", "--raw-list", "sys-usb", "sys-net").stdout());

        String table = run("qvm-ls").stdout();
        assertTrue(table.startsWith("NAME            STATE    CLASS       LABEL   TEMPLATE        NETVM\n"), table);
        assertTrue(table.contains("\nwork            Halted   AppVM       blue    fedora-41-xfce  sys-firewall\n"), table);

        ToolRunner.Result unknown = run("qvm-ls", "mail");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.stderr().endsWith("qvm-ls: error: no such domain: 'mail'\n"), unknown.toString());
    }

    // ---- qvm-template

    @Test
    void templateInstallNeedsCommunityRepo() throws Exception {
        ToolRunner.Result missing = run("qvm-template", "install", "whonix-gateway-17");
        assertEquals(2, missing.exitCode(), missing.toString());
        assertEquals("qvm-template: error: Template 'whonix-gateway-17' not found.\n", missing.stderr());
        assertEquals(1, run("qvm-check", "-q", "whonix-gateway-17").exitCode());

        ToolRunner.Result installed = run("qvm-template", "--enablerepo=qubes-templates-community", "install",
                "whonix-gateway-17");
        assertEquals(0, installed.exitCode(), installed.toString());
        assertEquals("Installing template 'whonix-gateway-17'...\n", installed.stderr());

        ToolRunner.Result quiet = run("qvm-template", "install", "--quiet", "--repoid", "qubes-templates-community",
                "whonix-workstation-17");
        assertEquals(0, quiet.exitCode(), quiet.toString());
        assertEquals("", quiet.stderr());

        assertEquals("TemplateVM|black\n",
                run("qvm-ls", "--raw-data", "-O", "class,label", "whonix-gateway-17").stdout());
        assertEquals("whonix-gateway-17\n", run("qvm-features", "whonix-gateway-17", "template-name").stdout());
        assertEquals("qubes-templates-community\n",
                run("qvm-features", "whonix-gateway-17", "template-reponame").stdout());
        String features = run("qvm-features", "whonix-workstation-17").stdout();
        for (String name : List.of("template-epoch", "template-version", "template-release", "template-buildtime",
                "template-installtime", "template-license", "template-url", "template-summary",
                "template-description")) {
            assertTrue(("\n" + features).contains("\n" + name + " "), name + " missing from:\n" + features);
        }
        assertEquals(0, run("qvm-check", "--template", "-q", "whonix-gateway-17").exitCode());
    }

    @Test
    void templateInstallSkipsInstalledAndDisabledRepo() throws Exception {
        ToolRunner.Result again = run("qvm-template", "install", "fedora-41-xfce");
        assertEquals(0, again.exitCode(), again.toString());
        assertEquals("Template 'fedora-41-xfce' already installed, skipping... (You may want to use the "
                + "{reinstall,upgrade,downgrade} operations.)\n", again.stderr());

        ToolRunner.Result disabled = run("qvm-template", "install", "--disablerepo=qubes-templates-itl",
                "fedora-42-xfce");
        assertEquals(2, disabled.exitCode(), disabled.toString());
        assertEquals("qvm-template: error: Template 'fedora-42-xfce' not found.\n", disabled.stderr());

        assertSucceeds("qvm-template", "install", "--quiet", "fedora-42-xfce");
    }

    @Test
    void templateListAndInfo() throws Exception {
        assertEquals("installed|debian-12-xfce|0:4.2.0-202501150000|@qubes-templates-itl\n"
                        + "installed|fedora-41-xfce|0:4.2.0-202501150000|@qubes-templates-itl\n",
                run("qvm-template", "list", "--installed", "--machine-readable").stdout());

        String available = run("qvm-template", "list", "--available", "--machine-readable").stdout();
        assertTrue(available.contains("available|fedora-42-xfce|"), available);
        assertFalse(available.contains("whonix"), available);
        assertTrue(run("qvm-template", "--enablerepo", "qubes-templates-community", "list", "--available")
                .stdout().contains("whonix-gateway-18"));

        JsonNode info = JSON.readTree(run("qvm-template", "info", "--installed", "--machine-readable-json",
                "fedora-41-xfce").stdout());
        JsonNode entry = info.path("installed").path(0);
        assertEquals("fedora-41-xfce", entry.path("name").asText());
        assertEquals("4.2.0", entry.path("version").asText());
        assertEquals("0", entry.path("epoch").asText());
        assertTrue(entry.has("installtime"));

        ToolRunner.Result none = run("qvm-template", "list", "--installed", "whonix*");
        assertEquals(2, none.exitCode());
        assertEquals("qvm-template: error: No matching templates to list\n", none.stderr());
    }

    // ---- qvm-features and qvm-tags

    @Test
    void featuresSetGetListUnset() throws Exception {
        ToolRunner.Result missing = run("qvm-features", "work", "servicevm");
        assertEquals(1, missing.exitCode());
        assertEquals("", missing.stdout());
        assertEquals("", missing.stderr());

        assertSucceeds("qvm-features", "work", "servicevm", "1");
        assertSucceeds("qvm-features", "work", "gui", "");
        assertSucceeds("qvm-features", "work", "appmenus-dispvm", "True");
        assertEquals("1\n", run("qvm-features", "work", "servicevm").stdout());
        assertEquals("True\n", run("qvm-features", "work", "appmenus-dispvm").stdout());
        assertEquals("appmenus-dispvm  True\ngui\nservicevm        1\n", run("qvm-features", "work").stdout());

        assertSucceeds("qvm-features", "--unset", "work", "servicevm");
        assertSucceeds("qvm-features", "-D", "work", "never-set");
        assertEquals(1, run("qvm-features", "work", "servicevm").exitCode());

        ToolRunner.Result badName = run("qvm-features", "work", "bad name", "1");
        assertEquals(1, badName.exitCode());
        assertEquals("qvm-features: error: Invalid feature name: 'bad name'\n", badName.stderr());
        ToolRunner.Result noVm = run("qvm-features", "mail");
        assertEquals(2, noVm.exitCode());
        assertTrue(noVm.stderr().endsWith("qvm-features: error: no such domain: 'mail'\n"));
    }

    @Test
    void tagsAddListDelete() throws Exception {
        assertSucceeds("qvm-tags", "work", "add", "anon-vm", "backup");
        assertSucceeds("qvm-tags", "work", "set", "zeta");
        assertEquals("anon-vm\nbackup\ncreated-by-dom0\nzeta\n", run("qvm-tags", "work").stdout());
        assertEquals("backup\n", run("qvm-tags", "work", "list", "backup").stdout());
        assertEquals(1, run("qvm-tags", "work", "ls", "missing").exitCode());

        assertSucceeds("qvm-tags", "work", "del", "backup", "missing");
        assertSucceeds("qvm-tags", "work", "u", "zeta");
        assertEquals("anon-vm\ncreated-by-dom0\n", run("qvm-tags", "work", "l").stdout());

        ToolRunner.Result bad = run("qvm-tags", "work", "add", "two words");
        assertEquals(1, bad.exitCode());
        assertEquals("qvm-tags: error: disallowed characters in tag 'two words'\n", bad.stderr());
        ToolRunner.Result empty = run("qvm-tags", "work", "add", "");
        assertEquals("qvm-tags: error: tag cannot be empty\n", empty.stderr());
    }

    @Test
    void hostnamePrintsHostId() throws Exception {
        assertEquals("lab-07\n", run("hostname").stdout());
    }

    @Test
    void concurrentWritersLoseNoChange() throws Exception {
        stateFileAfterFirstUse();
        int writers = 12;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<ToolRunner.Result>> results = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String feature = "feature-" + i;
                results.add(pool.submit(() -> run("qvm-features", "work", feature, "on")));
            }
            for (Future<ToolRunner.Result> result : results) {
                assertEquals(0, result.get(60, TimeUnit.SECONDS).exitCode());
            }
        } finally {
            pool.shutdownNow();
        }

        String features = run("qvm-features", "work").stdout();
        for (int i = 0; i < writers; i++) {
            assertTrue(features.contains("feature-" + i + " "), "feature-" + i + " lost:\n" + features);
        }
    }

    /** Returns the state file after a read-only tool run has seeded it. */
    private Path stateFileAfterFirstUse() throws Exception {
        run("qvm-check", "-q", "dom0");
        return tools.stateFile();
    }
}
