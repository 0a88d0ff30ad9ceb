package org.qfleet.simulator;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code qfleet-sim} command: starts a simulated fleet in the background, stops it, and
 * shows a host's simulated state.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 invalid usage.
 */
@Command(name = "qfleet-sim", mixinStandardHelpOptions = true,
        description = "Runs simulated Qubes hosts behind SSH servers on 127.0.0.1.",
        subcommands = {SimMain.Start.class, SimMain.Stop.class, SimMain.Show.class, SimMain.Serve.class})
public final class SimMain implements Callable<Integer> {

    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;

    static final String PID_FILE = "sim.pid";
    static final String READY_FILE = "ready";
    static final String LOG_FILE = "sim.log";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    @Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // MINA logs every connection at INFO; the fleet's own INFO lines are enough in sim.log.
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "warn");
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new SimMain());
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            if (exception instanceof SimException || exception instanceof IOException) {
                cmd.getErr().println("qfleet-sim: " + exception.getMessage());
                return EXIT_FAILURE;
            }
            throw exception;
        });
        return commandLine;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: start, stop or show");
    }

    /** A failure with a message for the user; no stack trace is printed. */
    static final class SimException extends Exception {
        SimException(String message) {
            super(message);
        }
    }

    @Command(name = "start", description = "Starts a simulated fleet in the background and returns once it is ready.")
    static final class Start implements Callable<Integer> {

        @Option(names = "--hosts", required = true, description = "Number of simulated hosts (lab-01, lab-02, ...).")
        int hosts;

        @Option(names = "--dir", required = true, description = "Directory for the fleet's keys, states, roster and log.")
        Path dir;

        @Option(names = "--fresh", description = "Reset every host to a default Qubes installation.")
        boolean fresh;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (hosts < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--hosts must be at least 1, got " + hosts);
            }
            Path root = dir.toAbsolutePath().normalize();
            Files.createDirectories(root);
            Optional<ProcessHandle> running = runningFleet(root);
            if (running.isPresent()) {
                throw new SimException("a simulated fleet is already running in " + root + " (pid "
                        + running.get().pid() + "); stop it with: bin/qfleet-sim stop --dir " + dir);
            }
            Files.deleteIfExists(root.resolve(READY_FILE));

            List<String> command = new ArrayList<>();
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
                // A new session keeps the fleet alive when the starting terminal or process group goes away.
                command.add("/usr/bin/setsid");
            }
            command.add(javaExecutable());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(SimMain.class.getName());
            command.addAll(List.of("serve", "--hosts", String.valueOf(hosts), "--dir", root.toString()));
            if (fresh) {
                command.add("--fresh");
            }
            Path log = root.resolve(LOG_FILE);
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
            writeAtomically(root.resolve(PID_FILE), process.pid() + "\n");

            List<String> ready = awaitReady(root, process, log);
            PrintWriter out = spec.commandLine().getOut();
            for (String line : ready) {
                out.println(line);
            }
            out.println("Simulated fleet of " + ready.size() + " hosts running (pid " + process.pid()
                    + ", log " + log + ").");
            out.println("Use it with: bin/qfleet -c " + root.resolve("qfleet.yaml")
                    + " --file-root FORMULAS '*' state.apply");
            out.println("Stop it with: bin/qfleet-sim stop --dir " + dir);
            out.flush();
            return EXIT_OK;
        }

        private static List<String> awaitReady(Path root, Process process, Path log) throws Exception {
            Path readyFile = root.resolve(READY_FILE);
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (Files.exists(readyFile)) {
                    return Files.readAllLines(readyFile, StandardCharsets.UTF_8);
                }
                if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
                    Files.deleteIfExists(root.resolve(PID_FILE));
                    throw new SimException("the simulated fleet exited with code " + process.exitValue()
                            + " while starting; see " + log + ":\n" + tail(log));
                }
            }
            process.destroy();
            process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            Files.deleteIfExists(root.resolve(PID_FILE));
            throw new SimException("the simulated fleet was not ready after " + START_TIMEOUT.toSeconds()
                    + " s and was stopped; see " + log);
        }
    }

    @Command(name = "stop", description = "Stops the simulated fleet running in a directory.")
    static final class Stop implements Callable<Integer> {

        @Option(names = "--dir", required = true, description = "Directory the fleet was started with.")
        Path dir;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path root = dir.toAbsolutePath().normalize();
            PrintWriter out = spec.commandLine().getOut();
            Path pidFile = root.resolve(PID_FILE);
            Optional<Long> pid = readPid(pidFile);
            if (pid.isEmpty()) {
                out.println("No simulated fleet is running in " + root + " (no " + PID_FILE + ").");
                return EXIT_OK;
            }

            Optional<ProcessHandle> handle = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
            if (handle.isEmpty()) {
                Files.deleteIfExists(pidFile);
                Files.deleteIfExists(root.resolve(READY_FILE));
                out.println("No simulated fleet is running in " + root + " (pid " + pid.get()
                        + " has exited); removed the stale " + PID_FILE + ".");
                return EXIT_OK;
            }
            if (!isSimulator(handle.get())) {
                throw new SimException("pid " + pid.get() + " in " + pidFile + " is not a qfleet simulator (command: "
                        + commandLineOf(handle.get()) + "); delete " + pidFile + " if it is stale");
            }

            handle.get().destroy();
            try {
                handle.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new SimException("the simulated fleet (pid " + pid.get() + ") did not stop within "
                        + STOP_TIMEOUT.toSeconds() + " s of SIGTERM; kill it with: kill -9 " + pid.get());
            }

            Files.deleteIfExists(pidFile);
            Files.deleteIfExists(root.resolve(READY_FILE));
            out.println("Stopped the simulated fleet in " + root + " (pid " + pid.get() + ").");
            return EXIT_OK;
        }
    }

    @Command(name = "show", description = "Prints a simulated host's qubes, properties, features and tags as JSON.")
    static final class Show implements Callable<Integer> {

        @Option(names = "--dir", required = true, description = "Directory of the fleet.")
        Path dir;

        @Parameters(paramLabel = "HOST", description = "Host ID, e.g. lab-01.")
        String host;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path root = dir.toAbsolutePath().normalize();
            Path stateFile = SimulatedFleet.stateFile(root, host);
            if (host.contains("/") || !Files.isRegularFile(stateFile)) {
                List<String> known = knownHosts(root);
                throw new SimException("unknown host '" + host + "' in " + root + "; known hosts: "
                        + (known.isEmpty() ? "none (start a fleet with: bin/qfleet-sim start --hosts N --dir "
                        + dir + ")" : String.join(", ", known)));
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(HostState.showJson(stateFile));
            out.flush();
            return EXIT_OK;
        }

        private static List<String> knownHosts(Path root) throws IOException {
            Path hostsDir = root.resolve("hosts");
            if (!Files.isDirectory(hostsDir)) {
                return List.of();
            }
            try (Stream<Path> entries = Files.list(hostsDir)) {
                return entries.filter(path -> Files.isRegularFile(path.resolve("state.json")))
                        .map(path -> path.getFileName().toString())
                        .sorted()
                        .collect(Collectors.toList());
            }
        }
    }

    @Command(name = "serve", hidden = true,
            description = "Runs a simulated fleet in the foreground until SIGTERM (used by start).")
    static final class Serve implements Callable<Integer> {

        @Option(names = "--hosts", required = true)
        int hosts;

        @Option(names = "--dir", required = true)
        Path dir;

        @Option(names = "--fresh")
        boolean fresh;

        @Override
        public Integer call() throws Exception {
            Path root = dir.toAbsolutePath().normalize();
            SimulatedFleet fleet = SimulatedFleet.start(root, hosts, fresh);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.deleteIfExists(root.resolve(READY_FILE));
                } catch (IOException e) {
                    System.err.println("cannot delete " + root.resolve(READY_FILE) + ": " + e.getMessage());
                }
                fleet.close();
                stopped.countDown();
            }, "sim-shutdown"));
            StringBuilder ready = new StringBuilder();
            for (SimulatedHost host : fleet.hosts()) {
                ready.append(host.id()).append(" 127.0.0.1:").append(host.port()).append('\n');
            }
            writeAtomically(root.resolve(READY_FILE), ready.toString());
            System.err.println("simulated fleet ready: " + fleet.hosts().size() + " hosts in " + root);
            stopped.await();
            return EXIT_OK;
        }
    }

    static Optional<ProcessHandle> runningFleet(Path root) throws IOException {
        return readPid(root.resolve(PID_FILE))
                .flatMap(ProcessHandle::of)
                .filter(ProcessHandle::isAlive)
                .filter(SimMain::isSimulator);
    }

    private static Optional<Long> readPid(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        String text = Files.readString(pidFile).trim();
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IOException("invalid pid '" + text + "' in " + pidFile + "; delete the file if no fleet is running");
        }
    }

    private static boolean isSimulator(ProcessHandle handle) {
        return commandLineOf(handle).contains(SimMain.class.getName());
    }

    /** Returns the process's command line, read from /proc when the JDK cannot report it. */
    private static String commandLineOf(ProcessHandle handle) {
        Optional<String> fromJdk = handle.info().commandLine();
        if (fromJdk.isPresent()) {
            return fromJdk.get();
        }
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(handle.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
