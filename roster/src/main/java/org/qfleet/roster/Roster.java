package org.qfleet.roster;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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

    private final String source;
    private final List<RosterEntry> entries;
    private final List<String> notices;

    private Roster(String source, List<RosterEntry> entries, List<String> notices) {
        this.source = source;
        this.entries = List.copyOf(entries);
        this.notices = List.copyOf(notices);
    }

    /** Loads the file with no {@code roster_defaults}; see {@link #load(Path, RosterDefaults)}. */
    public static Roster load(Path file) throws RosterException {
        return load(file, RosterDefaults.none());
    }

    /**
     * Reads the file as UTF-8, renders it with Jinja (plain Jinjava, with no variables defined), then parses and
     * validates the YAML, with every entry starting from its own copy of the defaults.
     *
     * @throws RosterException when the file is missing or unreadable, when Jinja fails, or listing every invalid
     *                         entry of the roster
     */
    public static Roster load(Path file, RosterDefaults defaults) throws RosterException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(defaults, "defaults");
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
            if (Files.isDirectory(file)) {
                throw new RosterException("Roster file " + file.toAbsolutePath() + " is a folder, not a file."
                        + " Point roster_file or --roster-file at the roster itself.", e);
            }
            throw new RosterException("Roster file " + file.toAbsolutePath() + " is unreadable: " + e
                    + ". Check its permissions.", e);
        }
        String yamlText = RosterJinja.render(template, file);
        String lineSuffix = yamlText.equals(template) ? "" : " of the Jinja output";
        RosterParser parser = new RosterParser(file.toString(), folderOf(file), lineSuffix, defaults);
        return new Roster(file.toString(), parser.parse(yamlText), notices(defaults, parser));
    }

    /**
     * Parses and validates roster YAML that needs no Jinja rendering. {@code file} names the source in messages, and
     * its folder is the one that relative {@code priv} paths are resolved against.
     */
    public static Roster parse(String yamlText, Path file) throws RosterException {
        Objects.requireNonNull(file, "file");
        return parse(yamlText, file.toString(), folderOf(file), RosterDefaults.none());
    }

    /**
     * Parses and validates roster YAML or JSON that needs no Jinja rendering, such as a roster fetched over HTTP.
     *
     * @param source     the file or URL that names the roster in messages
     * @param baseFolder the folder that relative {@code priv} paths are resolved against
     */
    public static Roster parse(String yamlText, String source, Path baseFolder, RosterDefaults defaults)
            throws RosterException {
        return parse(yamlText, source, baseFolder, "", defaults);
    }

    /** Parses as {@link #parse(String, String, Path, RosterDefaults)} does, with {@code lineSuffix} after line numbers. */
    static Roster parse(String yamlText, String source, Path baseFolder, String lineSuffix, RosterDefaults defaults)
            throws RosterException {
        Objects.requireNonNull(yamlText, "yamlText");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(defaults, "defaults");
        RosterParser parser = new RosterParser(source, baseFolder, lineSuffix, defaults);
        return new Roster(source, parser.parse(yamlText), notices(defaults, parser));
    }

    private static Path folderOf(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        return folder == null ? Path.of("").toAbsolutePath() : folder;
    }

    private static List<String> notices(RosterDefaults defaults, RosterParser parser) {
        List<String> notices = new ArrayList<>(defaults.notices());
        notices.addAll(parser.notices());
        return notices;
    }

    /** Returns the entries in file order. */
    public List<RosterEntry> entries() {
        return entries;
    }

    /** Returns a roster with the same source and notices and the given entries. */
    Roster withEntries(List<RosterEntry> replacements) {
        return new Roster(source, replacements, notices);
    }

    /** Returns the file or URL that the roster was read from. */
    public String source() {
        return source;
    }

    /** Returns one line per roster key that qfleet accepted but ignores, for the user to read. */
    public List<String> notices() {
        return notices;
    }
}
