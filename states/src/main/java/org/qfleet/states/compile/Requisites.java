package org.qfleet.states.compile;

import java.util.List;
import java.util.Set;

/** The requisite keywords of Salt's state system, and the ones qfleet compiles so far. */
final class Requisites {

    static final String REQUIRE = "require";
    static final String REQUIRE_IN = "require_in";

    /** Every requisite keyword Salt 3006 to 3008 accepts in a state's arguments. */
    static final Set<String> ALL = Set.of(
            "require", "require_any", "require_in",
            "watch", "watch_any", "watch_in",
            "onchanges", "onchanges_any", "onchanges_in",
            "onfail", "onfail_any", "onfail_all", "onfail_stop", "onfail_in",
            "prereq", "prereq_in",
            "use", "use_in",
            "listen", "listen_in");

    static final List<String> SUPPORTED = List.of(REQUIRE, REQUIRE_IN);

    private Requisites() {}
}
