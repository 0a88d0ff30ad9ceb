package org.qfleet.states.compile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.qfleet.states.StateException;
import org.yaml.snakeyaml.Yaml;

/**
 * An SLS source over plain YAML, for compiler tests: either files under a root directory,
 * {@code a.b} being {@code a/b.sls} or {@code a/b/init.sls}, or texts given in the test.
 */
final class YamlSlsSource implements SlsSource {

    private final Path root;
    private final Map<String, String> texts;

    private YamlSlsSource(Path root, Map<String, String> texts) {
        this.root = root;
        this.texts = texts;
    }

    static YamlSlsSource directory(Path root) {
        return new YamlSlsSource(root, Map.of());
    }

    /** Takes SLS names and YAML texts in turn: {@code of("a", "x: ...", "b", "...")}. */
    static YamlSlsSource of(String... namesAndTexts) {
        Map<String, String> texts = new LinkedHashMap<>();
        for (int i = 0; i < namesAndTexts.length; i += 2) {
            texts.put(namesAndTexts[i], namesAndTexts[i + 1]);
        }
        return new YamlSlsSource(null, texts);
    }

    @Override
    public Map<String, Object> render(String sls) throws StateException {
        String text = texts.get(sls);
        if (text == null) {
            try {
                text = Files.readString(file(sls));
            } catch (IOException e) {
                throw new StateException("cannot read " + sls + ": " + e.getMessage());
            }
        }
        Map<String, Object> data = new Yaml().load(text);
        return data == null ? Map.of() : data;
    }

    @Override
    public boolean exists(String sls) {
        return texts.containsKey(sls) || root != null && Files.isRegularFile(file(sls));
    }

    @Override
    public List<String> names() {
        List<String> names = new ArrayList<>(texts.keySet());
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(file -> file.toString().endsWith(".sls")).forEach(file -> {
                    String relative = root.relativize(file).toString();
                    String dotted = relative.substring(0, relative.length() - ".sls".length())
                            .replace('/', '.');
                    names.add(dotted.endsWith(".init") ? dotted.substring(0, dotted.length() - 5) : dotted);
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        names.sort(null);
        return names;
    }

    private Path file(String sls) {
        Path base = root.resolve(sls.replace('.', '/'));
        Path plain = base.resolveSibling(base.getFileName() + ".sls");
        return Files.isRegularFile(plain) ? plain : base.resolve("init.sls");
    }
}
