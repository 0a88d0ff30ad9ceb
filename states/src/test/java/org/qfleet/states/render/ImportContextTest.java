package org.qfleet.states.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks what an imported template sees. As in Jinja2, an import without {@code with context}
 * sees only the globals, which in Salt include the render context ({@code grains},
 * {@code pillar}, {@code salt}, {@code opts}, {@code sls} and the path variables), and not
 * the variables that the importing template set. {@code with context} adds those. Jinja2
 * 3.1.6 gave the same results for the same templates, with the Salt variables as globals.
 */
class ImportContextTest {

    @TempDir
    Path root;

    private String render(String sls) throws Exception {
        Map<String, Object> grains = new LinkedHashMap<>();
        grains.put("id", "lab-01");
        grains.put("os", "Qubes");
        Map<String, Object> pillar = new LinkedHashMap<>();
        pillar.put("label", "red");
        RenderContext context = new RenderContext("lab-01", grains, pillar,
                new LocalHost(Set.of(), root), "base");
        SaltRenderer renderer = new SaltRenderer(new FileRoots(List.of(root)));
        return String.valueOf(renderer.renderSls(sls, context).get("out"));
    }

    private void write(String name, String text) throws Exception {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void importWithoutContextHidesImporterVariables() throws Exception {
        write("lib.jinja", "{% set seen = local is defined %}");
        write("a.sls", "{% set local = 1 %}{% import 'lib.jinja' as lib %}out: '{{ lib.seen }}'\n");
        assertEquals("False", render("a"));
    }

    @Test
    void importWithContextSeesImporterVariables() throws Exception {
        write("lib.jinja", "{% set seen = local is defined %}");
        write("a.sls", "{% set local = 1 %}{% import 'lib.jinja' as lib with context %}out: '{{ lib.seen }}'\n");
        assertEquals("True", render("a"));
    }

    @Test
    void importWithoutContextKeepsSaltGlobals() throws Exception {
        write("lib.jinja", "{% set seen = grains.os ~ ' ' ~ pillar.label ~ ' ' ~ salt['pillar.get']('label')"
                + " ~ ' ' ~ opts.id ~ ' ' ~ saltenv ~ ' ' ~ sls %}");
        write("a.sls", "{% import 'lib.jinja' as lib %}out: '{{ lib.seen }}'\n");
        assertEquals("Qubes red red lab-01 base a", render("a"));
    }

    @Test
    void explicitWithoutContextHidesImporterVariables() throws Exception {
        write("lib.jinja", "{% set seen = local is defined %}");
        write("a.sls", "{% set local = 1 %}{% import 'lib.jinja' as lib without context %}out: '{{ lib.seen }}'\n");
        assertEquals("False", render("a"));
    }

    @Test
    void fromImportWithoutContextHidesImporterVariables() throws Exception {
        write("lib.jinja", "{% macro show() %}{{ local is defined }}{% endmacro %}"
                + "{% set seen = local is defined %}");
        write("a.sls", "{% set local = 1 %}{% from 'lib.jinja' import show, seen %}"
                + "out: '{{ show() }} {{ seen }}'\n");
        assertEquals("False False", render("a"));
    }

    @Test
    void fromImportWithContextSeesImporterVariables() throws Exception {
        write("lib.jinja", "{% macro show() %}{{ local is defined }}{% endmacro %}"
                + "{% set seen = local is defined %}");
        write("a.sls", "{% set local = 1 %}{% from 'lib.jinja' import show, seen with context %}"
                + "out: '{{ show() }} {{ seen }}'\n");
        assertEquals("True True", render("a"));
    }

    @Test
    void importedMacroUsesGrainsWithoutContext() throws Exception {
        write("lib.jinja", "{% macro os() %}{{ grains['os'] }}-{{ salt['grains.get']('id') }}{% endmacro %}");
        write("a.sls", "{% from 'lib.jinja' import os %}out: '{{ os() }}'\n");
        assertEquals("Qubes-lab-01", render("a"));
    }

    @Test
    void importWithoutContextFailsOnImporterVariable() throws Exception {
        write("lib.jinja", "{% set copied = local %}");
        write("a.sls", "{% set local = 1 %}{% import 'lib.jinja' as lib %}out: '{{ lib.copied }}'\n");
        RenderException error = assertThrows(RenderException.class, () -> render("a"));
        assertTrue(error.getMessage().contains("local"), error.getMessage());
    }

    @Test
    void callBlockSeesCallerVariables() throws Exception {
        write("lib.jinja", "{% macro wrap() %}<{{ caller() }}>{% endmacro %}");
        write("a.sls", "{% set local = 'x' %}{% import 'lib.jinja' as lib %}"
                + "out: '{% call lib.wrap() %}{{ local }}{% endcall %}'\n");
        assertEquals("<x>", render("a"));
    }

    @Test
    void relativeImportInsideImport() throws Exception {
        write("pkg/lib.jinja", "{% from './names.jinja' import name %}{% set seen = name %}");
        write("pkg/names.jinja", "{% set name = 'sys-' ~ grains['os'] %}");
        write("a.sls", "{% import 'pkg/lib.jinja' as lib %}out: '{{ lib.seen }}'\n");
        assertEquals("sys-Qubes", render("a"));
    }
}
