package org.qfleet.shim;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The host-side runner of qfleet: a Python 3 program that is streamed to a Qubes host over one
 * SSH exec and runs one request there.
 *
 * <p>A caller runs {@link #bootstrapCommand()} as the exec command and writes
 * {@link #stdinFor(byte[])} to its standard input, then closes it. The shim writes one
 * JSON object per line on standard output and exits 0 (request handled), 2 (invalid request,
 * after an {@code error} line) or 1 (the shim crashed, with a trace on standard error).
 * {@code docs/plan-format.md} describes the requests and the lines.
 *
 * <pre>{@code
 * channel.exec(Shim.bootstrapCommand());
 * channel.stdin().write(Shim.stdinFor(planJson));
 * }</pre>
 */
public final class Shim {

    /** The version of the request format that this shim implements. */
    public static final int PROTOCOL = 1;

    private static final String RESOURCE = "qfleet_shim.py";

    private static final String BOOTSTRAP_COMMAND =
            "python3 -I -S -c 'import sys;n=int(sys.stdin.buffer.readline());"
                    + "exec(compile(sys.stdin.buffer.read(n),\"qfleet_shim.py\",\"exec\"))'";

    private static final byte[] SOURCE = loadSource();

    private Shim() {}

    /** Returns the bytes of the shim's Python source, read once from the class path. */
    public static byte[] source() {
        return SOURCE.clone();
    }

    /**
     * Returns the exec command that starts the shim: it reads a length line and that many bytes
     * of source from standard input and runs them. The command does not depend on the request.
     */
    public static String bootstrapCommand() {
        return BOOTSTRAP_COMMAND;
    }

    /**
     * Returns the exec command that starts the shim limited to the qubes that match
     * {@code manageGlobs}: each glob follows as {@code --manage 'GLOB'}. The shim then rejects a
     * request with a command that would change any other qube. The globs travel on the command
     * line, outside the request, so that a plan cannot widen them. An empty list gives
     * {@link #bootstrapCommand()}.
     */
    public static String bootstrapCommand(List<String> manageGlobs) {
        StringBuilder command = new StringBuilder(BOOTSTRAP_COMMAND);
        for (String glob : manageGlobs) {
            command.append(" --manage '").append(glob.replace("'", "'\\''")).append('\'');
        }
        return command.toString();
    }

    /**
     * Returns the exec command that starts the shim in session mode: after the source, it reads
     * one request per line and handles each in full, ending with its {@code done} line, before
     * it reads the next, until standard input ends. The manage globs follow as in
     * {@link #bootstrapCommand(List)}.
     */
    public static String sessionCommand(List<String> manageGlobs) {
        return bootstrapCommand(manageGlobs) + " --session";
    }

    /**
     * Returns the bytes that start a session: the source's length line and the source. Each
     * request follows as one line of compact JSON.
     */
    public static byte[] sessionPreamble() {
        return stdinFor(new byte[0]);
    }

    /**
     * Builds the complete standard input for {@link #bootstrapCommand()}: the source's length in
     * ASCII digits and a newline, the source, then the request.
     *
     * @param requestJson one JSON request in UTF-8
     * @return the bytes to write before closing the exec channel's standard input
     */
    public static byte[] stdinFor(byte[] requestJson) {
        byte[] header = (SOURCE.length + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] stdin = new byte[header.length + SOURCE.length + requestJson.length];
        System.arraycopy(header, 0, stdin, 0, header.length);
        System.arraycopy(SOURCE, 0, stdin, header.length, SOURCE.length);
        System.arraycopy(requestJson, 0, stdin, header.length + SOURCE.length, requestJson.length);
        return stdin;
    }

    /** Returns the SHA-256 of the shim's source as lower-case hex, for diagnostics. */
    public static String sha256() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(SOURCE);
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static byte[] loadSource() {
        try (InputStream in = Shim.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("class path resource org/qfleet/shim/" + RESOURCE
                        + " is missing: rebuild the qfleet-shim jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read class path resource org/qfleet/shim/" + RESOURCE, e);
        }
    }
}
