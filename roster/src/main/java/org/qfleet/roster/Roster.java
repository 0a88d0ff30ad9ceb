package org.qfleet.roster;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;

/**
 * A salt-ssh flat roster: a YAML mapping from host IDs to a host name or to a mapping of settings, rendered with Jinja
 * first. Example:
 *
 * <pre>
 * lab-01: 10.0.0.11
 * lab-02:
 *   host: 10.0.0.12
 *   port: 2222
 *   priv: keys/lab_ed25519
 *   manage: ['work-*', 'sys-usb']
 * </pre>
 */
public final class Roster {

    private final Path file;
    private final List<RosterEntry> entries;

    private Roster(Path file, List<RosterEntry> entries) {
        this.file = file;
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads the file as UTF-8, renders it with Jinja (plain Jinjava, with no variables defined), then parses and
     * validates the YAML.
     *
     * @throws RosterException when the file is missing or unreadable, when Jinja fails, or listing every invalid
     *                         entry of the roster
     */
    public static Roster load(Path file) throws RosterException {
        Objects.requireNonNull(file, "file");
        String template;
        try {
            template = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RosterException("Roster file " + file.toAbsolutePath() + " not found. Check the path, or create"
                    + " the file with one line per host, such as: lab-01: 10.0.0.11", e);
        } catch (CharacterCodingException e) {
            throw new RosterException("Roster file " + file.toAbsolutePath() + " is not valid UTF-8. Save it as UTF-8.",
                    e);
        } catch (IOException e) {
            throw new RosterException("Roster file " + file.toAbsolutePath() + " is unreadable: " + e
                    + ". Check its permissions.", e);
        }
        String yamlText = render(template, file);
        return new Roster(file, new RosterParser(file, !yamlText.equals(template)).parse(yamlText));
    }

    /**
     * Parses and validates roster YAML that needs no Jinja rendering. {@code file} names the source in messages and
     * is the folder that relative {@code priv} paths are resolved against.
     */
    public static Roster parse(String yamlText, Path file) throws RosterException {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(file, "file");
        return new Roster(file, new RosterParser(file, false).parse(yamlText));
    }

    private static String render(String template, Path file) throws RosterException {
        RenderResult result = new Jinjava().renderForResult(template, Map.of());
        List<String> problems = new ArrayList<>();
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                problems.add(file + ", line " + error.getLineno() + ": Jinja error: " + error.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new RosterException("Roster " + file + " failed to render with Jinja. Fix the template:", problems);
        }
        return result.getOutput();
    }

    /** Returns the entries in file order. */
    public List<RosterEntry> entries() {
        return entries;
    }

    public Path file() {
        return file;
    }
}
