package org.qfleet.states.compile;

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
}
