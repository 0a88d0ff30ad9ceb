package org.qfleet.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces every occurrence of a set of secret strings with {@link #MASK}, in text and in the
 * maps and lists of a state result. It finds only literal occurrences, so a secret that a state
 * encoded, escaped or split before returning it is not masked.
 */
final class SecretRedactor {

    /** The text that replaces a secret. Its length is fixed, so it reveals nothing about the secret's length. */
    static final String MASK = "********";

    /** Matches any secret, the longest first, so that a secret containing another is masked whole. */
    private final Pattern secrets;

    /** Prepares to mask the non-empty strings of {@code values}. */
    SecretRedactor(Collection<String> values) {
        List<String> sorted = values.stream()
                .filter(value -> !value.isEmpty())
                .distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        this.secrets = sorted.isEmpty() ? null
                : Pattern.compile(String.join("|", sorted.stream().map(Pattern::quote).toList()));
    }

    /** Returns whether there is nothing to mask. */
    boolean isEmpty() {
        return secrets == null;
    }

    /** Returns the text with every secret replaced by {@link #MASK}; null stays null. */
    String redact(String text) {
        if (secrets == null || text == null) {
            return text;
        }
        return secrets.matcher(text).replaceAll(Matcher.quoteReplacement(MASK));
    }

    /**
     * Returns a copy of a JSON-like value (maps, lists, strings, numbers, booleans, null) with
     * every secret masked in its strings and map keys. A number whose decimal text contains a
     * secret becomes the masked text. Other values are returned as they are.
     */
    Object redactValue(Object value) {
        if (secrets == null) {
            return value;
        }
        if (value instanceof String text) {
            return redact(text);
        }
        if (value instanceof Number number) {
            String text = String.valueOf(number);
            String masked = redact(text);
            return masked.equals(text) ? number : masked;
        }
        if (value instanceof Map<?, ?> map) {
            return redactMap(map);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            for (Object item : list) {
                copy.add(redactValue(item));
            }
            return copy;
        }
        return value;
    }

    /** Returns a copy of the map, in the same order, with every secret masked in its keys and values. */
    Map<String, Object> redactMap(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            copy.put(redact(String.valueOf(entry.getKey())), redactValue(entry.getValue()));
        }
        return copy;
    }
}
