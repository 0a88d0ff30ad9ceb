package org.example.qfleet;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.Probe;
import org.qfleet.states.plan.Step;
import org.qfleet.states.spi.StateCall;
import org.qfleet.states.spi.StateFunction;
import org.qfleet.states.spi.StateFunctionProvider;

/**
 * Adds {@code site.lockdown}: a qube with no network, marked with a tag so that a site's
 * policies can find it. Each step pairs a read-only probe with the command that fixes it.
 */
public final class SiteStates implements StateFunctionProvider {

    @Override
    public Map<String, StateFunction> functions() {
        return Map.of("site.lockdown", new Lockdown());
    }

    private static final class Lockdown implements StateFunction {

        @Override
        public List<Step> steps(StateCall call) {
            call.allowOnly(Set.of("tag"));
            String tag = call.string("tag");
            if (tag == null) {
                tag = "site-locked";
            }
            if (!tag.matches("[a-zA-Z0-9_-]+")) {
                call.error("invalid value for field 'tag': '" + tag + "'; a tag has letters, digits, '_' and '-'");
            }
            String qube = call.name();
            Step noNetwork = new Step("site.lockdown", "netvm", qube,
                    Probe.prefs(qube, "netvm", true), Expect.value(""),
                    List.of(List.of("qvm-prefs", qube, "netvm", "")), null, null);
            Step tagged = new Step("site.lockdown", "tag " + tag, qube,
                    Probe.lines(List.of("qvm-tags", qube, "list"), tag), Expect.present(true),
                    List.of(List.of("qvm-tags", qube, "add", tag)), null, null);
            return List.of(noNetwork, tagged);
        }

        @Override
        public String upToDateComment(String name) {
            return "Qube " + name + " is locked down already";
        }
    }
}
