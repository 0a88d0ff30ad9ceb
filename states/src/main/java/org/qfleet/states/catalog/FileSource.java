package org.qfleet.states.catalog;

import java.util.List;
import java.util.Map;
import org.qfleet.states.StateException;
import org.qfleet.states.render.FileRoots;
import org.qfleet.states.render.RenderContext;
import org.qfleet.states.render.SaltRenderer;

/**
 * The master's side of {@code file.managed}: the files of the file roots that a
 * {@code source: salt://...} names, rendered with the host's context when the state says
 * {@code template: jinja}, and the host's pillar for {@code contents_pillar}.
 */
public interface FileSource {

    /** A source for a catalog without file roots: every {@code salt://} source is an error. */
    FileSource NONE = new FileSource() {
        @Override
        public String read(String relativePath, boolean jinja) throws StateException {
            throw new StateException("no file roots are configured, so salt://" + relativePath
                    + " cannot be read; set file roots in the configuration or with --file-root");
        }

        @Override
        public boolean exists(String relativePath) {
            return false;
        }

        @Override
        public Object pillar(String key) {
            return null;
        }
    };

    /**
     * Returns the text of a file of the file roots, rendered through Jinja when {@code jinja}.
     *
     * @param relativePath the path after {@code salt://}
     * @throws StateException when the file is missing or does not render
     */
    String read(String relativePath, boolean jinja) throws StateException;

    /** Returns whether a file of the file roots exists at this path. */
    boolean exists(String relativePath);

    /** Returns the pillar value at a colon-separated key such as {@code a:b}, or null. */
    Object pillar(String key);

    /** Returns the source of one host: the file roots and the host's render context. */
    static FileSource of(FileRoots roots, RenderContext context) {
        SaltRenderer renderer = new SaltRenderer(roots);
        return new FileSource() {
            @Override
            public String read(String relativePath, boolean jinja) throws StateException {
                if (jinja) {
                    return renderer.renderText(relativePath, context);
                }
                var file = roots.find(relativePath).orElseThrow(() -> new StateException("file '"
                        + relativePath + "' not found in file roots " + roots));
                try {
                    return java.nio.file.Files.readString(file);
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    throw new StateException("cannot read " + file + ": " + e.getMessage()
                            + "; file.managed sends text files only");
                }
            }

            @Override
            public boolean exists(String relativePath) {
                return roots.find(relativePath).isPresent();
            }

            @Override
            public Object pillar(String key) {
                Object value = context.pillar();
                for (String part : List.of(key.split(":"))) {
                    if (!(value instanceof Map<?, ?> map) || !map.containsKey(part)) {
                        return null;
                    }
                    value = map.get(part);
                }
                return value;
            }
        };
    }
}
