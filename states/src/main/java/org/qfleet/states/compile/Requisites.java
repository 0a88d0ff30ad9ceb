package org.qfleet.states.compile;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The requisite keywords of Salt's state system and how qfleet compiles them. */
final class Requisites {

    static final String REQUIRE = "require";
    static final String REQUIRE_ANY = "require_any";
    static final String WATCH = "watch";
    static final String WATCH_ANY = "watch_any";
    static final String PREREQ = "prereq";
    static final String PREREQUIRED = "prerequired";
    static final String LISTEN = "listen";
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

    /** The keywords qfleet compiles: all of {@link #ALL} but {@code onfail_stop}. */
    static final List<String> SUPPORTED = List.of(
            "require", "require_any", "require_in",
            "watch", "watch_any", "watch_in",
            "onchanges", "onchanges_any", "onchanges_in",
            "onfail", "onfail_any", "onfail_all", "onfail_in",
            "prereq", "prereq_in",
            "use", "use_in",
            "listen", "listen_in");

    /** Each {@code _in} form and the requisite it adds to the states it names. */
    static final Map<String, String> IN_FORMS = Map.of(
            "require_in", REQUIRE,
            "watch_in", WATCH,
            "onchanges_in", "onchanges",
            "onfail_in", "onfail",
            "prereq_in", PREREQ,
            "listen_in", LISTEN);

    /** The kinds resolved to target chunks and carried in the plan, in Salt's evaluation order. */
    static final List<String> RESOLVED = List.of(
            REQUIRE, REQUIRE_ANY, WATCH, WATCH_ANY, PREREQ, "onfail", "onfail_any", "onfail_all",
            "onchanges", "onchanges_any", LISTEN);

    /**
     * The kinds whose targets run before the chunk, in the order Salt's {@code call_chunk}
     * pulls them ahead. {@code prereq} stands for the requirements of its targets, which the
     * test run of a target pulls ahead. {@code prerequired}, the reverse of {@code prereq},
     * puts the state with the prereq before its target; {@code listen} orders nothing.
     */
    static final List<String> ORDERING = List.of(
            REQUIRE, REQUIRE_ANY, WATCH, WATCH_ANY, PREREQ, "onfail", "onfail_any", "onchanges",
            "onchanges_any", PREREQUIRED, "onfail_all");

    /**
     * State modules that define {@code mod_watch}. Salt runs a {@code watch} on any other
     * state as a {@code require}, and qfleet compiles it to one. The qvm states of
     * qubes-mgmt-salt-dom0-qvm ({@code _states/ext_state_qvm.py}) define none; qfleet's qvm
     * states restart their qube when it is running. Salt's cmd states run their command.
     */
    static final Set<String> WITH_MOD_WATCH = Set.of("test", "qvm", "cmd");

    private Requisites() {}
}
