package org.qfleet.states.catalog;

import java.util.Optional;
import java.util.regex.Pattern;

/** Qubes' rules for qube names, checked on the master before a plan is sent. */
final class QubeNames {

    /** qubesd rejects names of 32 characters or more. */
    static final int MAX_LENGTH = 31;

    private static final Pattern VALID = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.-]*");

    private QubeNames() {}

    /** Returns why {@code name} is not a valid qube name, in qubesd's words, or empty when it is. */
    static Optional<String> problem(String name) {
        if (name.length() > MAX_LENGTH) {
            return Optional.of("VM name must be shorter than 32 characters");
        }
        if (name.isEmpty()) {
            return Optional.of("VM name is empty");
        }
        char first = name.charAt(0);
        if (Character.isDigit(first) || first == '-' || first == '_' || first == '.') {
            return Optional.of("VM name cannot start with hyphen, underscore, dot or numbers");
        }
        if (!VALID.matcher(name).matches()) {
            return Optional.of("VM name contains illegal characters"
                    + " (a name is a letter followed by letters, digits, '_', '.' and '-')");
        }
        if (name.equals("Domain-0")) {
            return Optional.of("VM name cannot be 'Domain-0'");
        }
        if (name.equals("none") || name.equals("default")) {
            return Optional.of("VM name cannot be 'none' nor 'default'");
        }
        if (name.endsWith("-dm")) {
            return Optional.of("VM name cannot end with -dm");
        }
        return Optional.empty();
    }
}
