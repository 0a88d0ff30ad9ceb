package org.qfleet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every output format on the six-host fleet of {@link FleetFixture}, compared with golden files
 * in {@code src/test/resources/golden}. Run with {@code -Dqfleet.updateGolden=true} to rewrite
 * them after a deliberate change, and review the diff.
 */
class FleetReportsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration ELAPSED = Duration.ofMillis(4321);

    private static String golden(String name, String actual) throws IOException {
        Path source = Path.of("src/test/resources/golden", name);
        if (Boolean.getBoolean("qfleet.updateGolden")) {
            Files.writeString(source, actual, StandardCharsets.UTF_8);
        }
        return Files.readString(source, StandardCharsets.UTF_8);
    }

    /** Returns the highstate text a run prints: each host as it finishes, then the fleet summary. */
    private static String highstateRun(HighstateOutputter outputter, Colors colors) {
        List<String> parts = new ArrayList<>();
        for (HostReport report : FleetFixture.reports()) {
            parts.add(outputter.format(report));
        }
        parts.add(new FleetSummary(colors, true).format(FleetFixture.reports(), 0, ELAPSED));
        return String.join("\n", parts) + "\n";
    }

    @Test
    void highstateFullMatchesGolden() throws IOException {
        String text = highstateRun(new HighstateOutputter(Colors.NONE), Colors.NONE);

        assertEquals(golden("fleet-full.txt", text), text);
    }

    @Test
    void highstateMixedMatchesGolden() throws IOException {
        String text = highstateRun(new HighstateOutputter(Colors.NONE, HighstateOutputter.Mode.MIXED, false), Colors.NONE);

        assertEquals(golden("fleet-mixed.txt", text), text);
    }

    @Test
    void colouredHighstateMatchesGolden() throws IOException {
        String text = highstateRun(new HighstateOutputter(Colors.ANSI, HighstateOutputter.Mode.TERSE, true), Colors.ANSI);

        assertEquals(golden("fleet-terse-color.txt", text), text);
    }

    @Test
    void fleetSummaryCountsHosts() {
        String text = new FleetSummary(Colors.NONE, true).format(FleetFixture.reports(), 2, ELAPSED);

        assertTrue(text.contains("\nHosts succeeded:             3\n"), text);
        assertTrue(text.contains("\nHosts failed:                2\n"), text);
        assertTrue(text.contains("\nHosts unreachable:           1\n"), text);
        assertTrue(text.contains("\nHosts not finished:          2\n"), text);
        assertTrue(text.contains("\nStates changed:              2\n"), text);
        assertTrue(text.contains("\nElapsed:               4.321 s\n"), text);
        assertTrue(text.endsWith("Slowest hosts:\n    lab-02             4.250 s\n    lab-03             2.750 s\n"
                + "    lab-01             1.200 s"), text);
    }

    @Test
    void fleetSummaryWithoutStatesCountsHosts() {
        String text = new FleetSummary(Colors.NONE, false).format(FleetFixture.reports(), 0, ELAPSED);

        assertTrue(text.contains("\nHosts succeeded:             3\n"), text);
        assertTrue(text.contains("\nHosts failed:                2\n"), text);
        assertTrue(text.contains("\nHosts unreachable:           1\n"), text);
        assertTrue(text.contains("\nElapsed:               4.321 s\n"), text);
        assertFalse(text.contains("States changed"), text);
    }

    @Test
    void onlyStateFunctionsApplyStates() {
        for (String function : List.of("state.apply", "state.sls", "state.highstate")) {
            assertTrue(FleetSummary.appliesStates(function), function);
        }
        for (String function : List.of("state.show_lowstate", "state.show_sls", "state.show_top",
                "raw shell: echo hi")) {
            assertFalse(FleetSummary.appliesStates(function), function);
        }
    }

    @Test
    void jsonMatchesGoldenAndParsesAsOneDocument() throws IOException {
        String text = RunDocument.json(FleetFixture.reports(), 4) + "\n";

        assertEquals(golden("fleet.json", text), text);
        JsonNode document = JSON.readTree(text);
        assertEquals(List.of("lab-01", "lab-02", "lab-03", "lab-04", "lab-05", "lab-06"),
                iterable(document.fieldNames()));
        assertEquals(0, document.path("lab-01").path("retcode").asInt());
        assertEquals(0, document.path("lab-02").path("retcode").asInt());
        assertEquals(2, document.path("lab-03").path("retcode").asInt());
        assertEquals(0, document.path("lab-04").path("retcode").asInt());
        assertEquals(255, document.path("lab-05").path("retcode").asInt());
        assertEquals(1, document.path("lab-06").path("retcode").asInt());
        assertEquals(4.25, document.path("lab-02").path("elapsed_s").asDouble());
        assertEquals("2026-12-04T10:00:01Z", document.path("lab-03").path("started").asText());
        assertEquals("connecting to 127.0.0.1:1 failed: Connection refused",
                document.path("lab-05").path("errors").path(0).asText());
        assertEquals(2, document.path("lab-06").path("errors").size());
        assertTrue(document.path("lab-04").path("return").path("qvm_|-work_|-work_|-vm").path("result").isNull());
    }

    @Test
    void jsonParserRejectsTrailingDocuments() {
        String text = RunDocument.json(FleetFixture.reports(), 2);
        try (var parser = JSON.createParser(text)) {
            JSON.readTree(parser);
            assertEquals(null, parser.nextToken(), "text after the first JSON document");
        } catch (IOException ex) {
            throw new AssertionError(ex);
        }
    }

    @Test
    void yamlMatchesGoldenAndJson() throws IOException {
        String text = RunDocument.yaml(FleetFixture.reports()) + "\n";

        assertEquals(golden("fleet.yaml", text), text);
        Object fromYaml = new Yaml().load(text);
        Object fromJson = JSON.readValue(RunDocument.json(FleetFixture.reports(), 4), Map.class);
        assertEquals(JSON.valueToTree(fromJson), JSON.valueToTree(fromYaml));
    }

    @Test
    void junitMatchesGoldenAndSchema() throws Exception {
        String text = JunitReport.format(FleetFixture.reports()) + "\n";

        assertEquals(golden("fleet-junit.xml", text), text);
        URL schemaFile = getClass().getResource("/junit.xsd");
        Validator validator = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(schemaFile).newValidator();
        validator.validate(new StreamSource(new StringReader(text)));
    }

    @Test
    void junitCountsMatchItsCases() throws Exception {
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(JunitReport.format(FleetFixture.reports()))));
        Element root = xml.getDocumentElement();
        NodeList suites = root.getElementsByTagName("testsuite");

        assertEquals(6, suites.getLength());
        int tests = 0;
        int failures = 0;
        int errors = 0;
        for (int i = 0; i < suites.getLength(); i++) {
            Element suite = (Element) suites.item(i);
            int suiteTests = suite.getElementsByTagName("testcase").getLength();
            int suiteFailures = suite.getElementsByTagName("failure").getLength();
            int suiteErrors = suite.getElementsByTagName("error").getLength();
            assertEquals(String.valueOf(suiteTests), suite.getAttribute("tests"), suite.getAttribute("name"));
            assertEquals(String.valueOf(suiteFailures), suite.getAttribute("failures"), suite.getAttribute("name"));
            assertEquals(String.valueOf(suiteErrors), suite.getAttribute("errors"), suite.getAttribute("name"));
            tests += suiteTests;
            failures += suiteFailures;
            errors += suiteErrors;
        }
        assertEquals(String.valueOf(tests), root.getAttribute("tests"));
        assertEquals(String.valueOf(failures), root.getAttribute("failures"));
        assertEquals(String.valueOf(errors), root.getAttribute("errors"));
        assertEquals(2, failures);
        assertEquals(2, errors);
    }

    @Test
    void junitFailureCarriesTheComment() throws Exception {
        Document xml = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(JunitReport.format(FleetFixture.reports()))));
        Element failure = (Element) xml.getElementsByTagName("failure").item(0);
        Element testcase = (Element) failure.getParentNode();

        assertEquals("lab-03", testcase.getAttribute("classname"));
        assertEquals("work (qvm.vm)", testcase.getAttribute("name"));
        assertEquals("qvm-prefs work netvm sys-vpn failed with exit code 1:", failure.getAttribute("message"));
        assertEquals("qvm-prefs work netvm sys-vpn failed with exit code 1:\nno such domain: 'sys-vpn'",
                failure.getTextContent());
        Element unreachable = (Element) xml.getElementsByTagName("error").item(0);
        assertEquals("unreachable", unreachable.getAttribute("type"));
        assertEquals("connect", ((Element) unreachable.getParentNode()).getAttribute("name"));
        Element compile = (Element) xml.getElementsByTagName("error").item(1);
        assertEquals("compile error", compile.getAttribute("type"));
        assertTrue(compile.getTextContent().contains("<here> & \"there\""), compile.getTextContent());
    }

    @Test
    void junitDropsControlCharacters() throws Exception {
        HostReport report = new HostReport("lab-07");
        report.states.put("qvm_|-a_|-a_|-vm", FleetFixture.state("a", "a", false, "bad \033[0;31mred\033[0;0m \u0001",
                Map.of(), "10:00:00.1", 1.0, 0));

        String text = JunitReport.format(List.of(report));

        assertFalse(text.contains("\033"), text);
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(text)));
    }

    @Test
    void hostReportSurvivesTheJobCacheForm() throws IOException {
        for (HostReport report : FleetFixture.reports()) {
            String stored = JSON.writeValueAsString(report.toMap());
            @SuppressWarnings("unchecked")
            HostReport read = HostReport.fromMap(JSON.readValue(stored, Map.class));

            assertEquals(new HighstateOutputter(Colors.NONE).format(report),
                    new HighstateOutputter(Colors.NONE).format(read), report.id);
            assertEquals(report.retcode(), read.retcode(), report.id);
            assertEquals(report.elapsed, read.elapsed, report.id);
            assertEquals(report.started, read.started, report.id);
        }
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
