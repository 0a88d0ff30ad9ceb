package org.qfleet.states.render;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The file roots of one Salt environment. A relative path is looked up in each root in
 * order and the first root that contains it wins, as Salt's {@code file_roots} do.
 */
public final class FileRoots {

    private final List<Path> roots;

    public FileRoots(List<Path> roots) {
        this.roots = roots.stream().map(root -> root.toAbsolutePath().normalize()).toList();
    }

    public List<Path> roots() {
        return roots;
    }

    /**
     * Finds a regular file by its path relative to the roots. Returns empty for an absolute
     * path, for a path that climbs above a root and for a path that no root contains.
     */
    public Optional<Path> find(String relativePath) {
        if (!isSafeRelative(relativePath)) {
            return Optional.empty();
        }
        for (Path root : roots) {
            Path candidate = root.resolve(relativePath).normalize();
            if (candidate.startsWith(root) && Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Returns whether a path is relative and stays below the root once normalized. */
    static boolean isSafeRelative(String relativePath) {
        if (relativePath == null || relativePath.isEmpty() || relativePath.indexOf('\0') >= 0) {
            return false;
        }
        if (relativePath.startsWith("/") || relativePath.startsWith("\\")) {
            return false;
        }
        Path path = Path.of(relativePath);
        if (path.isAbsolute()) {
            return false;
        }
        Path normalized = path.normalize();
        return !normalized.startsWith("..") && !normalized.toString().isEmpty();
    }

    @Override
    public String toString() {
        return roots.toString();
    }
}
