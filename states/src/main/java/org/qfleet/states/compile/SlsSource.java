package org.qfleet.states.compile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.qfleet.states.StateException;

/** Supplies the high data of one SLS file, already rendered, to the compiler. */
public interface SlsSource {

    /**
     * Renders the SLS file {@code sls} (dotted name, such as {@code qvm.sys-whonix}) and returns
     * its top-level mapping with the keys in file order.
     */
    Map<String, Object> render(String sls) throws StateException;

    /** Returns whether an SLS file of that dotted name exists in the file roots. */
    boolean exists(String sls);

    /**
     * Returns whether {@code sls} renders from a package's {@code init.sls}, which counts as one
     * more level for relative includes such as {@code ..common}. The default assumes so when
     * {@code <sls>.init} exists, which is wrong only when both {@code foo.sls} and
     * {@code foo/init.sls} exist, where Salt renders {@code foo.sls}.
     */
    default boolean isPackageInit(String sls) {
        return exists(sls + ".init");
    }

    /**
     * Returns every SLS name in the file roots, sorted, which {@code include} globs such as
     * {@code lib.*} match against. The default returns null: the source cannot list its files,
     * and a glob in {@code include} is a compile error.
     */
    default List<String> names() {
        return null;
    }

    /**
     * Returns the file roots searched for SLS files, for messages about a missing SLS. The
     * default returns an empty list, for sources that are not backed by file roots.
     */
    default List<Path> fileRoots() {
        return List.of();
    }
}
