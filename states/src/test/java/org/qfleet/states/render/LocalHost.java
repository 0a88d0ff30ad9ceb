package org.qfleet.states.render;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A host for render tests: qubes come from a fixed set of names and shell commands run in a
 * real {@code /bin/sh} on this machine. It records every command it runs.
 */
final class LocalHost implements HostQueries {

    private static final long COMMAND_TIMEOUT_SECONDS = 10;

    private final Set<String> qubes;
    private final Path binDirectory;
    final List<String> commands = new ArrayList<>();

    /** @param binDirectory put first on PATH for the commands, so that fixture tools replace real ones */
    LocalHost(Set<String> qubes, Path binDirectory) {
        this.qubes = qubes;
        this.binDirectory = binDirectory;
    }

    @Override
    public boolean qubeExists(String name) {
        return qubes.contains(name);
    }

    @Override
    public String shell(String command) throws RenderException {
        commands.add(command);
        try {
            ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command);
            builder.environment().put("PATH", binDirectory + ":" + System.getenv("PATH"));
            builder.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new RenderException("command timed out after " + COMMAND_TIMEOUT_SECONDS + " s: " + command);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new RenderException("command exited with status " + process.exitValue() + ": " + command);
            }
            return output.endsWith("\n") ? output.substring(0, output.length() - 1) : output;
        } catch (IOException e) {
            throw new RenderException("cannot run /bin/sh: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RenderException("interrupted while running: " + command);
        }
    }
}
