package org.qfleet.states.plan;

/**
 * The observation under which a probe holds, written as the one-key JSON object of the plan:
 * {@code {"exit": 0}}, {@code {"value": "400"}}, {@code {"value": null}} (a feature that must be
 * absent), {@code {"default": true}} or {@code {"present": true}}.
 */
public record Expect(String key, Object value) {

    public static Expect exit(int code) {
        return new Expect("exit", code);
    }

    public static Expect value(String value) {
        return new Expect("value", value);
    }

    public static Expect absent() {
        return new Expect("value", null);
    }

    public static Expect atDefault() {
        return new Expect("default", true);
    }

    public static Expect present(boolean present) {
        return new Expect("present", present);
    }
}
