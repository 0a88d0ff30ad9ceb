package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks that cached template files, parsed templates and parsed YAML never change what renders. */
class TemplateCacheTest {

    @TempDir
    Path root;

    private Object render(String sls) throws Exception {
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("id", "lab-01");
        RenderContext context = new RenderContext("lab-01", grains, new LinkedHashMap<>(),
                new LocalHost(Set.of(), root), "base");
        return new SaltRenderer(new FileRoots(List.of(root))).renderSls(sls, context).get("out");
    }

    private void write(String name, String text, Instant modified) throws Exception {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    @Test
    void changedSlsRendersAgain() throws Exception {
        write("a.sls", "out: first\n", Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals("first", render("a"));
        write("a.sls", "out: second\n", Instant.parse("2026-01-01T00:00:05Z"));
        assertEquals("second", render("a"));
    }

    @Test
    void changedImportRendersAgain() throws Exception {
        write("a.sls", "{% from 'map.jinja' import label %}out: {{ label }}\n", Instant.parse("2026-01-01T00:00:00Z"));
        write("map.jinja", "{% set label = 'red' %}", Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals("red", render("a"));
        write("map.jinja", "{% set label = 'blue' %}", Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals("blue", render("a"), "same time stamp, other size");
    }

    @Test
    void loadedYamlChangesStayInOneRendering() throws Exception {
        write("a.sls", "{% load_yaml as defaults %}\nlabels: [red]\n{% endload %}"
                + "{% do defaults['labels'].append('blue') %}out: {{ defaults['labels'] }}\n",
                Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals(List.of("red", "blue"), render("a"));
        assertEquals(List.of("red", "blue"), render("a"), "the second rendering loads the defaults afresh");
    }

    @Test
    void importedYamlChangesStayInOneRendering() throws Exception {
        write("defaults.yaml", "labels: [red]\n", Instant.parse("2026-01-01T00:00:00Z"));
        write("a.sls", "{% import_yaml 'defaults.yaml' as defaults %}"
                + "{% do defaults['labels'].append('blue') %}out: {{ defaults['labels'] }}\n",
                Instant.parse("2026-01-01T00:00:00Z"));
        assertEquals(List.of("red", "blue"), render("a"));
        assertEquals(List.of("red", "blue"), render("a"));
    }
}
