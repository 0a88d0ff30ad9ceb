package org.qfleet.states.compile;

import java.util.List;
import java.util.Set;

/** The requisite keywords of Salt's state system, and the ones qfleet compiles so far. */
final class Requisites {

    static final String REQUIRE = "require";
    static final String REQUIRE_IN = "require_in";
    static final String WATCH = "watch";
    static final String WATCH_IN = "watch_in";
    static final String USE = "use";
    static final String USE_IN = "use_in";

    /** Every requisite keyword Salt 3006 accepts in a state's arguments. */
    static final Set<String> ALL = Set.of(
            "require", "require_any", "require_in",
            "watch", "watch_any", "watch_in",
            "onchanges", "onchanges_any", "onchanges_in",
            "onfail", "onfail_any", "onfail_all", "onfail_stop", "onfail_in",
            "prereq", "prereq_in",
            "use", "use_in",
            "listen", "listen_in");

    static final List<String> SUPPORTED = List.of(REQUIRE, REQUIRE_IN, WATCH, WATCH_IN, USE, USE_IN);

    /**
     * State modules that define no {@code mod_watch}. Salt runs a {@code watch} on such a state
     * as a {@code require}, so qfleet compiles it to one. The qvm states of
     * qubes-mgmt-salt-dom0-qvm ({@code _states/ext_state_qvm.py}) define none.
     */
    static final Set<String> WITHOUT_MOD_WATCH = Set.of("qvm");

    private Requisites() {}
}
