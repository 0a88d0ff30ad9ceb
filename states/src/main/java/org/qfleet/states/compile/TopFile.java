package org.qfleet.states.compile;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Evaluates a {@code top.sls} mapping for one minion ID. */
final class TopFile {

    private static final List<String> MATCH_TYPES = List.of("glob", "list", "pcre");

    private TopFile() {}

    static List<String> select(Map<String, Object> top, String minionId, String saltenv)
            throws CompileException {
        Set<String> selected = new LinkedHashSet<>();
        if (top == null || !top.containsKey(saltenv)) {
            return List.of();
        }
        Object environment = top.get(saltenv);
        if (environment == null) {
            return List.of();
        }
        if (!(environment instanceof Map<?, ?> targets)) {
            throw new CompileException("top.sls: saltenv '" + saltenv
                    + "' must map targets to lists of SLS names, got: " + environment);
        }
        List<String> errors = new ArrayList<>();
        for (Map.Entry<?, ?> entry : targets.entrySet()) {
            String target = String.valueOf(entry.getKey());
            if (!(entry.getValue() instanceof List<?> items)) {
                errors.add("top.sls: target '" + target + "' in saltenv '" + saltenv
                        + "' must be a list of SLS names, got: " + entry.getValue());
                continue;
            }
            String matchType = "glob";
            List<String> slsNames = new ArrayList<>();
            for (Object item : items) {
                if (item instanceof String sls) {
                    slsNames.add(sls);
                } else if (item instanceof Map<?, ?> option && option.containsKey("match")) {
                    matchType = String.valueOf(option.get("match"));
                } else {
                    errors.add("top.sls: target '" + target + "' has an entry that is neither"
                            + " an SLS name nor a 'match' option: " + item);
                }
            }
            if (!MATCH_TYPES.contains(matchType)) {
                errors.add("top.sls: target '" + target + "' uses match type '" + matchType
                        + "', which is not supported; use one of " + String.join(", ", MATCH_TYPES));
                continue;
            }
            try {
                if (targetMatches(matchType, target, minionId)) {
                    selected.addAll(slsNames);
                }
            } catch (PatternSyntaxException e) {
                errors.add("top.sls: target '" + target + "' is not a valid regular expression: "
                        + e.getDescription());
            }
        }
        if (!errors.isEmpty()) {
            throw new CompileException(errors);
        }
        return List.copyOf(selected);
    }

    private static boolean targetMatches(String matchType, String target, String minionId) {
        switch (matchType) {
            case "list":
                for (String member : target.split("[,\\s]+")) {
                    if (member.equals(minionId)) {
                        return true;
                    }
                }
                return false;
            case "pcre":
                // Salt uses re.match, which anchors at the start of the ID only.
                return Pattern.compile(target).matcher(minionId).lookingAt();
            default:
                return Fnmatch.matches(minionId, target);
        }
    }
}
