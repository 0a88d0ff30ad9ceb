package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The {@code secret_pillar} setting: key globs, the values they collect, and masking a host's report. */
class SecretPillarTest {

    private static final String MASK = SecretRedactor.MASK;

    @TempDir
    Path dir;

    @Test
    void globsMatchColonDelimitedKeys() {
        // pattern, key path, expected match
        Object[][] cases = {
                {"wifi:psk", "wifi:psk", true},
                {"wifi:psk", "wifi:psk2", false},
                {"wifi:psk", "wifi", false},
                {"wifi:psk", "home:wifi:psk", false},
                {"vault:*", "vault:db", true},
                {"vault:*", "vault:db:password", true},
                {"vault:*", "vault", false},
                {"vault:*", "vaults:db", false},
                {"*:password", "users:0:password", true},
                {"*:password", "password", false},
                {"user?:pin", "user1:pin", true},
                {"user?:pin", "user12:pin", false},
                {"key[0-9]", "key7", true},
                {"key[0-9]", "keyx", false},
                {"key[!0-9]", "keyx", true},
                {"key[!0-9]", "key7", false},
                {"odd[key", "odd[key", true},
                {"dot.key", "dotXkey", false},
                {"a+b", "a+b", true},
        };
        for (Object[] row : cases) {
            SecretPillar secrets = SecretPillar.of(List.of((String) row[0]));
            assertEquals(row[2], secrets.matches((String) row[1]), row[0] + " against " + row[1]);
        }
    }

    @Test
    void valuesCollectedFromNestedMapsAndLists() {
        Map<String, Object> pillar = yamlMap("""
                wifi:
                  ssid: open-name
                  psk: wifi-passphrase
                vault:
                  db:
                    password: db-password
                    replicas: [replica-secret-1, {token: replica-token}]
                  pin: 84629173
                  enabled: true
                  empty: null
                users:
                  - name: alice
                    password: alice-password
                  - name: bob
                    password: bob-password
                plain: not-secret
                """);
        SecretPillar secrets = SecretPillar.of(List.of("wifi:psk", "vault", "users:*:password"));

        Set<String> values = secrets.valuesIn(pillar);

        assertEquals(Set.of("wifi-passphrase", "db-password", "replica-secret-1", "replica-token", "84629173",
                "alice-password", "bob-password"), values);
    }

    @Test
    void shortValuesAreNotCollected() {
        Map<String, Object> pillar = yamlMap("""
                codes:
                  pin: '123'
                  one: 1
                  long: '1234'
                """);

        Set<String> values = SecretPillar.of(List.of("codes:*")).valuesIn(pillar);

        assertEquals(Set.of("1234"), values);
    }

    @Test
    void noPatternsCollectNothing() {
        assertEquals(Set.of(), SecretPillar.none().valuesIn(yamlMap("wifi: {psk: wifi-passphrase}\n")));
    }

    @Test
    void redactMasksEveryPartOfReport() {
        HostReport report = new HostReport("lab-01");
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("name", "echo wifi-passphrase");
        state.put("result", true);
        state.put("comment", "Command \"echo wifi-passphrase\" run");
        state.put("changes", Map.of("stdout", "wifi-passphrase", "lines", List.of("a wifi-passphrase b", 7),
                "wifi-passphrase", Map.of("pin", 84629173)));
        report.states.put("cmd_|-show_|-echo wifi-passphrase_|-run", state);
        report.compileErrors = List.of("Rendering SLS 'wifi' failed: value wifi-passphrase-long is invalid");
        report.fail("the shim stopped after printing wifi-passphrase", HostReport.RETCODE_SHIM_FAILED);
        report.lowstate = List.of(Map.of("name", "wifi-passphrase", "order", 1));
        report.raw = Map.of("stdout", "wifi-passphrase\n", "retcode", 0);
        report.grains = Map.of("id", "lab-01");

        report.redact(Set.of("wifi-passphrase", "wifi-passphrase-long", "84629173"));

        String all = String.valueOf(report.toMap());
        assertFalse(all.contains("wifi-passphrase"), all);
        assertFalse(all.contains("84629173"), all);
        assertFalse(all.contains("-long"), "the longer secret was masked only in part: " + all);
        Map<String, Object> redacted = report.states.get("cmd_|-show_|-echo " + MASK + "_|-run");
        assertEquals("echo " + MASK, redacted.get("name"));
        assertEquals(true, redacted.get("result"));
        assertEquals("Command \"echo " + MASK + "\" run", redacted.get("comment"));
        Map<?, ?> changes = (Map<?, ?>) redacted.get("changes");
        assertEquals(MASK, changes.get("stdout"));
        assertEquals(List.of("a " + MASK + " b", 7), changes.get("lines"));
        assertEquals(Map.of("pin", MASK), changes.get(MASK));
        assertEquals(List.of("Rendering SLS 'wifi' failed: value " + MASK + " is invalid"), report.compileErrors);
        assertEquals("the shim stopped after printing " + MASK, report.failure);
        assertEquals(MASK, report.lowstate.get(0).get("name"));
        assertEquals(1, report.lowstate.get(0).get("order"));
        assertEquals(MASK + "\n", report.raw.get("stdout"));
        assertEquals(0, report.raw.get("retcode"));
        assertEquals(Map.of("id", "lab-01"), report.grains);
    }

    @Test
    void redactKeepsStateOrderAndRetcode() {
        HostReport report = new HostReport("lab-01");
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String tag = "cmd_|-step" + i + "_|-echo secret-value_|-run";
            tags.add(tag.replace("secret-value", MASK));
            report.states.put(tag, new LinkedHashMap<>(Map.of("result", i != 3, "comment", "ok")));
        }

        report.redact(Set.of("secret-value"));

        assertEquals(tags, List.copyOf(report.states.keySet()));
        assertEquals(HostReport.RETCODE_STATE_FAILED, report.retcode());
    }

    @Test
    void redactWithNoSecretsChangesNothing() {
        HostReport report = new HostReport("lab-01");
        Map<String, Object> state = new LinkedHashMap<>(Map.of("comment", "wifi-passphrase"));
        report.states.put("tag", state);

        report.redact(Set.of());

        assertTrue(report.states.get("tag") == state, "the state map was replaced");
    }

    @Test
    void configReadsSecretPillarList() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "secret_pillar:\n  - wifi:psk\n  - 'vault:*'\n");

        QfleetConfig config = QfleetConfig.load(file);

        assertEquals(List.of("wifi:psk", "vault:*"), config.secretPillar().patterns());
        assertTrue(ShowConfig.render(config).contains("secret_pillar:\n- wifi:psk\n- vault:*\n"),
                ShowConfig.render(config));
    }

    @Test
    void configWithoutSecretPillarMarksNothing() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "max_procs: 3\n");

        assertEquals(List.of(), QfleetConfig.load(file).secretPillar().patterns());
        assertEquals(List.of(), QfleetConfig.defaults().secretPillar().patterns());
    }

    @Test
    void configRejectsBadSecretPillarWithLine() throws Exception {
        Path file = dir.resolve("qfleet.yaml");
        Files.writeString(file, "max_procs: 2\nsecret_pillar: [wifi:psk, 'vault::key', '', 42]\n");

        UsageException error = assertThrows(UsageException.class, () -> QfleetConfig.load(file));

        String message = error.getMessage();
        assertTrue(message.contains(file + ", line 2: secret_pillar: invalid value 'vault::key'. Expected"
                + " colon-delimited pillar keys with no empty part"), message);
        assertTrue(message.contains(file + ", line 2: secret_pillar: invalid value ''. Expected a pillar key"),
                message);
        assertTrue(message.contains(file + ", line 2: secret_pillar: invalid value 42. Expected a list of pillar"
                + " keys"), message);
        assertFalse(message.contains("'wifi:psk'"), message);
    }

    @Test
    void problemWithAcceptsPlainKeysAndGlobs() {
        assertNull(SecretPillar.problemWith("wifi:psk"));
        assertNull(SecretPillar.problemWith("*"));
        assertNull(SecretPillar.problemWith("vault:*:token"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yamlMap(String text) {
        return (Map<String, Object>) new Yaml().load(text);
    }
}
