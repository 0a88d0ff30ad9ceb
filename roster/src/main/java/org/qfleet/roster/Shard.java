package org.qfleet.roster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of {@code count} parts of a fleet, numbered from 1, so that {@code count} CI jobs given shards 1/N to N/N cover
 * every targeted host exactly once. A host's part depends only on its ID and {@code count}: the first 8 bytes of the
 * SHA-256 digest of the UTF-8 ID, read as an unsigned big-endian number, modulo {@code count}, plus 1. Adding or
 * removing other hosts therefore never moves a host to another part.
 *
 * @param index the part, from 1 to {@code count}
 * @param count the number of parts, at least 1
 */
public record Shard(int index, int count) {

    private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\d{1,9})\\s*");

    public Shard {
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + ": expected I/N with 1 <= I <= N");
        }
    }

    /**
     * Parses {@code I/N}, such as {@code 2/4}.
     *
     * @throws IllegalArgumentException naming the text when it is not of that form or I is not from 1 to N
     */
    public static Shard parse(String text) {
        Objects.requireNonNull(text, "text");
        Matcher matcher = FORM.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("invalid shard '" + text + "': expected I/N, such as 2/4 for the"
                    + " second of four parts");
        }
        int index = Integer.parseInt(matcher.group(1));
        int count = Integer.parseInt(matcher.group(2));
        if (count < 1 || index < 1 || index > count) {
            throw new IllegalArgumentException("invalid shard '" + text + "': I must be from 1 to N, and N at least"
                    + " 1, such as 1/" + Math.max(count, 1));
        }
        return new Shard(index, count);
    }

    /** Returns the part, from 1 to {@code count}, that the host with this ID belongs to. */
    public static int partOf(String id, int count) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
        long prefix = ByteBuffer.wrap(sha256.digest(id.getBytes(StandardCharsets.UTF_8))).getLong();
        return (int) Long.remainderUnsigned(prefix, count) + 1;
    }

    /** Returns the entries that belong to this part, in their given order. */
    public List<RosterEntry> select(List<RosterEntry> entries) {
        return entries.stream().filter(entry -> partOf(entry.id(), count) == index).toList();
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
