package org.qfleet.roster;

/** The kinds of target expression, as salt-ssh's target flags name them, plus the compound form that it lacks. */
public enum TargetType {
    /** Shell-style pattern over host IDs, the default. */
    GLOB("glob"),
    /** Regular expression over host IDs, anchored at the start only, as Python's {@code re.match}. */
    PCRE("pcre"),
    /** Host IDs separated by commas or whitespace. */
    LIST("list"),
    /** {@code key:glob} over each host's grains. */
    GRAIN("grain"),
    /** The name of a nodegroup from the configuration. */
    NODEGROUP("nodegroup"),
    /** Words joined by {@code and}, {@code or}, {@code not} and parentheses, with {@code G@}, {@code E@}, ... prefixes. */
    COMPOUND("compound");

    private final String label;

    TargetType(String label) {
        this.label = label;
    }

    /** Returns the lower-case name that messages use, such as {@code pcre}. */
    public String label() {
        return label;
    }
}
