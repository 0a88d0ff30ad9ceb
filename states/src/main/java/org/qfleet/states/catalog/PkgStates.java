package org.qfleet.states.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.qfleet.states.MessageValues;
import org.qfleet.states.plan.Expect;
import org.qfleet.states.plan.Probe;
import org.qfleet.states.plan.ShimAction;
import org.qfleet.states.plan.Step;

/**
 * Salt's {@code pkg} states for dom0 packages. The shim reads installed versions with
 * {@code rpm -q}, installs packages through the UpdateVM with {@code qubes-dom0-update} and
 * removes them with its {@code --action=remove}.
 */
final class PkgStates {

    private static final Pattern PACKAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    private PkgStates() {}

    /** pkg.installed: one package step that installs the packages rpm -q does not find. */
    static List<Step> installed(Invocation call) {
        call.checkKnown(Set.of("pkgs", "fromrepo", "refresh"), Set.of());
        return packageStep(call, "installed", call.string("fromrepo"));
    }

    /** pkg.removed: one package step that removes the packages rpm -q finds. */
    static List<Step> removed(Invocation call) {
        call.checkKnown(Set.of("pkgs"), Set.of());
        return packageStep(call, "removed", null);
    }

    private static List<Step> packageStep(Invocation call, String op, String fromrepo) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("op", op);
        spec.put("names", packages(call));
        spec.put("fromrepo", fromrepo);
        return List.of(Step.performed(null, call.name, new ShimAction("package", spec)));
    }

    /**
     * pkg.uptodate: {@code qubes-dom0-update --check-only} must report no updates, else every
     * package is upgraded.
     */
    static List<Step> uptodate(Invocation call) {
        call.checkKnown(Set.of("refresh", "fromrepo", "dist_upgrade"), Set.of());
        List<String> check = new ArrayList<>(List.of("qubes-dom0-update", "--check-only"));
        List<String> upgrade = new ArrayList<>(List.of("qubes-dom0-update", "-y"));
        String repo = call.string("fromrepo");
        if (repo != null) {
            check.add("--enablerepo=" + repo);
            upgrade.add("--enablerepo=" + repo);
        }
        // NOTE: this relies on qubes-dom0-update --check-only exiting non-zero when updates
        // are available, as dnf check-update does (exit 100); checked on the simulator only.
        return List.of(new Step(null, "dom0", null, Probe.exit(check), Expect.exit(0),
                List.of(upgrade), null, change("outdated", "up to date")));
    }

    private static Map<String, Object> change(String old, String updated) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("old", old);
        change.put("new", updated);
        return change;
    }

    /** Returns the package names of {@code name} or {@code pkgs}, each checked. */
    private static List<String> packages(Invocation call) {
        List<String> names = new ArrayList<>();
        Object pkgs = call.kwargs.get("pkgs");
        if (pkgs == null) {
            names.add(call.name);
        } else {
            for (Object entry : call.asList("pkgs", pkgs)) {
                if (entry instanceof Map<?, ?> pinned) {
                    call.error("version pins such as " + MessageValues.quote(pinned)
                            + " in field 'pkgs' are not supported;"
                            + " list the package name only");
                    continue;
                }
                names.add(ValueForms.pythonString(entry));
            }
        }
        for (String name : names) {
            if (!PACKAGE_NAME.matcher(name).matches()) {
                call.error("invalid package name " + MessageValues.quote(name)
                        + "; package names are letters, digits"
                        + " and . _ + -");
            }
        }
        if (call.kwargs.containsKey("refresh") && !(call.kwargs.get("refresh") instanceof Boolean)) {
            call.errorIn("refresh", "invalid value for field 'refresh': "
                    + MessageValues.quote(call.kwargs.get("refresh")) + "; it must be True or False");
        }
        return names;
    }
}
