package org.qfleet.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Lists the SLS names of a formula tree, which {@code include} globs such as {@code lib.*} match against. */
final class SlsNames {

    /** Folders deeper than this are not searched, so that a runaway tree cannot stall a run. */
    static final int MAX_DEPTH = 32;

    private SlsNames() {
    }

    /**
     * Returns the dotted names of every {@code .sls} file under the roots, sorted: {@code a/b.sls}
     * is {@code a.b} and {@code a/init.sls} is {@code a}.
     */
    static List<String> list(List<Path> roots) {
        TreeSet<String> names = new TreeSet<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root, MAX_DEPTH)) {
                files.filter(path -> path.getFileName().toString().endsWith(".sls") && Files.isRegularFile(path))
                        .map(path -> nameOf(root.relativize(path)))
                        .filter(name -> !name.isEmpty())
                        .forEach(names::add);
            } catch (IOException ex) {
                throw new UncheckedIOException("listing the SLS files under " + root + " failed", ex);
            }
        }
        return List.copyOf(names);
    }

    private static String nameOf(Path relative) {
        String text = relative.toString().replace(relative.getFileSystem().getSeparator(), "/");
        text = text.substring(0, text.length() - ".sls".length());
        if (text.equals("init")) {
            return "";
        }
        if (text.endsWith("/init")) {
            text = text.substring(0, text.length() - "/init".length());
        }
        return text.replace('/', '.');
    }
}
