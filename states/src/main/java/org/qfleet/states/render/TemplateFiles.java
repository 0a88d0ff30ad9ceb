package org.qfleet.states.render;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Template files read once and kept with the text prepared from them, because a fleet run
 * renders the same SLS and imports the same {@code map.jinja} files many times for each host.
 * An entry is used again while the file's modification time and size are unchanged.
 * NOTE: a file rewritten with the same size within one modification-time tick of the file
 * system is not noticed; a qfleet run does not expect its formulas to change under it.
 */
final class TemplateFiles {

    /** The maximum number of files kept. The cache starts over when it is full. */
    private static final int MAX_CACHED_FILES = 4096;

    private record Entry(FileTime modified, long size, Charset charset, String text) {}

    /** Prepared texts by the file and the preparation that made them. */
    private static final Map<Key, Entry> CACHE = new ConcurrentHashMap<>();

    private record Key(Path file, UnaryOperator<String> preparation) {}

    private TemplateFiles() {}

    /**
     * Returns a file's text after {@code preparation}, reading the file only when it changed
     * since the last call with the same preparation. The preparation must be a pure function
     * kept in a constant, so that it is the same object on every call.
     */
    static String read(Path file, Charset charset, UnaryOperator<String> preparation) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Key key = new Key(file, preparation);
        Entry cached = CACHE.get(key);
        if (cached != null && cached.modified().equals(attributes.lastModifiedTime())
                && cached.size() == attributes.size() && cached.charset().equals(charset)) {
            return cached.text();
        }
        String text = preparation.apply(Files.readString(file, charset));
        if (CACHE.size() >= MAX_CACHED_FILES) {
            CACHE.clear();
        }
        CACHE.put(key, new Entry(attributes.lastModifiedTime(), attributes.size(), charset, text));
        return text;
    }
}
