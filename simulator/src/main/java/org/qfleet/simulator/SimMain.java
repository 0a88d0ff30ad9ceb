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
 * The {@code qfleet-sim} command: starts a simulated fleet in the background or runs it in the
 * foreground, stops it, shows a host's simulated state, injects faults and imports host profiles.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 invalid usage.
 */
@Command(name = "qfleet-sim", mixinStandardHelpOptions = true,
        description = "Runs simulated Qubes hosts behind SSH servers on 127.0.0.1.",
        subcommands = {SimMain.Start.class, SimMain.Stop.class, SimMain.Show.class, SimMain.Run.class,
                SimMain.Fault.class, SimMain.Import.class})
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
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: start, run, stop, show, fault or import");
    }

    /** A failure with a message for the user; no stack trace is printed. */
    static final class SimException extends Exception {
        SimException(String message) {
            super(message);
        }
    }

    /** Options shared by {@code start} and {@code run}. */
    static final class FleetMixin {

        @Option(names = "--hosts", required = true, description = "Number of simulated hosts (lab-01, lab-02, ...).")
        int hosts;

        @Option(names = "--dir", required = true, description = "Directory for the fleet's keys, states, roster and log.")
        Path dir;

        @Option(names = "--fresh", description = "Reset every host to the profile, not only hosts without a state.")
        boolean fresh;

        @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "fresh",
                description = "State of new hosts: fresh (a default Qubes 4.2 install, the default), empty (dom0 only),"
                        + " or a profile file written by qfleet-sim import.")
        String profile;

        @Option(names = "--hardware", paramLabel = "FILE",
                description = "JSON file of hardware facts (memory_mb, cpus, pci_devices, kernel_cmdline, xen_cmdline,"
                        + " qubes_release, hostname, and per-host overrides under hosts) applied to every host.")
        Path hardware;

        @Option(names = "--port-base", paramLabel = "PORT", defaultValue = "0",
                description = "SSH port of the first host; the others follow. Default 0: free ports.")
        int portBase;

        @Option(names = "--fault", paramLabel = "HOST:KIND[:ARG]",
                description = "Inject a fault (repeatable): fail[:TOOL], hang[:TOOL], slow:SECONDS[:TOOL],"
                        + " auth-refused, drop-after:BYTES, no-python3.")
        List<String> faults = new ArrayList<>();

        FleetOptions options() {
            Path hardwareFile = hardware == null ? null : hardware.toAbsolutePath().normalize();
            String profileName = profile.equals("fresh") || profile.equals("empty")
                    ? profile : Path.of(profile).toAbsolutePath().normalize().toString();
            return new FleetOptions(fresh, profileName, hardwareFile, portBase, faults);
        }

        /** Returns the arguments that pass these options on to {@code run}. */
        List<String> arguments(Path root) {
            FleetOptions options = options();
            List<String> args = new ArrayList<>(List.of("--hosts", String.valueOf(hosts), "--dir", root.toString(),
                    "--profile", options.profile(), "--port-base", String.valueOf(portBase)));
            if (fresh) {
                args.add("--fresh");
            }
            if (options.hardwareFile() != null) {
                args.addAll(List.of("--hardware", options.hardwareFile().toString()));
            }
            for (String fault : faults) {
                args.addAll(List.of("--fault", fault));
            }
            return args;
        }
    }

    @Command(name = "start", mixinStandardHelpOptions = true, description = "Starts a simulated fleet in the background and returns once it is ready.")
    static final class Start implements Callable<Integer> {

        @CommandLine.Mixin
        FleetMixin fleet;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (fleet.hosts < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--hosts must be at least 1, got " + fleet.hosts);
            }
            checkOptions(spec, fleet);
            Path root = fleet.dir.toAbsolutePath().normalize();
            Files.createDirectories(root);
            Optional<ProcessHandle> running = runningFleet(root);
            if (running.isPresent()) {
                throw new SimException("a simulated fleet is already running in " + root + " (pid "
                        + running.get().pid() + "); stop it with: bin/qfleet-sim stop --dir " + fleet.dir);
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
            command.add("run");
            command.addAll(fleet.arguments(root));
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
            out.println("Roster: " + root.resolve("roster"));
            out.println("Use it with: bin/qfleet -c " + root.resolve("qfleet.yaml")
                    + " --file-root FORMULAS '*' state.apply");
            out.println("Stop it with: bin/qfleet-sim stop --dir " + fleet.dir);
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

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stops the simulated fleet running in a directory.")
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

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Prints a simulated host's qubes, properties, features and tags as JSON.")
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

    @Command(name = "run", aliases = "serve", mixinStandardHelpOptions = true,
            description = "Runs a simulated fleet in the foreground until SIGTERM or SIGINT (for CI).")
    static final class Run implements Callable<Integer> {

        @CommandLine.Mixin
        FleetMixin fleet;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (fleet.hosts < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--hosts must be at least 1, got " + fleet.hosts);
            }
            checkOptions(spec, fleet);
            Path root = fleet.dir.toAbsolutePath().normalize();
            SimulatedFleet started = SimulatedFleet.start(root, fleet.hosts, fleet.options());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.deleteIfExists(root.resolve(READY_FILE));
                } catch (IOException e) {
                    System.err.println("cannot delete " + root.resolve(READY_FILE) + ": " + e.getMessage());
                }
                started.close();
                stopped.countDown();
            }, "sim-shutdown"));
            StringBuilder ready = new StringBuilder();
            for (SimulatedHost host : started.hosts()) {
                ready.append(host.id()).append(" 127.0.0.1:").append(host.port()).append('\n');
            }
            writeAtomically(root.resolve(READY_FILE), ready.toString());
            PrintWriter out = spec.commandLine().getOut();
            out.print(ready);
            out.println("Roster: " + started.rosterFile());
            out.flush();
            System.err.println("simulated fleet ready: " + started.hosts().size() + " hosts in " + root);
            stopped.await();
            return EXIT_OK;
        }
    }

    /** Rejects invalid fault specs and port ranges before a fleet starts, as usage errors. */
    private static void checkOptions(CommandLine.Model.CommandSpec spec, FleetMixin fleet) {
        try {
            fleet.options();
            if (fleet.portBase > 0 && fleet.portBase + fleet.hosts - 1 > 65535) {
                throw new IllegalArgumentException("--port-base " + fleet.portBase + " leaves no room for "
                        + fleet.hosts + " hosts below port 65536");
            }
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= fleet.hosts; i++) {
                ids.add(SimulatedFleet.hostId(i, fleet.hosts));
            }
            SimulatedFleet.faultsByHost(fleet.faults, ids);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Command(name = "fault", mixinStandardHelpOptions = true, description = "Sets a running or stopped fleet's faults on one host.",
            footer = {"Kinds: fail[:TOOL], hang[:TOOL], slow:SECONDS[:TOOL], auth-refused, drop-after:BYTES,"
                    + " no-python3; none clears the host's faults. TOOL is a shell pattern (default *).",
                    "Example: qfleet-sim fault --dir sim lab-02 slow 2.5 qvm-prefs"})
    static final class Fault implements Callable<Integer> {

        @Option(names = "--dir", required = true, description = "Directory of the fleet.")
        Path dir;

        @Option(names = "--add", description = "Add to the host's faults instead of replacing them.")
        boolean add;

        @Parameters(index = "0", paramLabel = "HOST", description = "Host ID, e.g. lab-01.")
        String host;

        @Parameters(index = "1", paramLabel = "KIND", description = "Fault kind, or none.")
        String kind;

        @Parameters(index = "2..*", paramLabel = "ARG", description = "The kind's arguments.")
        List<String> args = new ArrayList<>();

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path root = dir.toAbsolutePath().normalize();
            Path hostDir = SimulatedFleet.stateFile(root, host).getParent();
            if (host.contains("/") || !Files.isDirectory(hostDir)) {
                throw new SimException("unknown host '" + host + "' in " + root + "; start the fleet first");
            }
            Path file = hostDir.resolve(Faults.FILE_NAME);
            List<String> specs = new ArrayList<>();
            if (add) {
                specs.addAll(Faults.specs(file));
            }
            if (!kind.equals("none")) {
                String fault = args.isEmpty() ? kind : kind + ":" + String.join(":", args);
                try {
                    Faults.parse(fault);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
                specs.add(fault);
            }
            Faults.write(file, specs);
            PrintWriter out = spec.commandLine().getOut();
            out.println(specs.isEmpty() ? "Cleared the faults of " + host + "."
                    : "Faults of " + host + ": " + String.join(", ", specs));
            out.flush();
            return EXIT_OK;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = "Builds a host profile from a real dom0's tool output.",
            footer = {"DIR holds files captured in a real dom0:",
                    "  qvm-ls.txt          qvm-ls --raw-data --fields NAME,CLASS,LABEL,STATE",
                    "  qubes-prefs.txt     qubes-prefs (optional)",
                    "  prefs/VM.txt        qvm-prefs VM, for each qube (optional)",
                    "  features/VM.txt     qvm-features VM (optional)",
                    "  tags/VM.txt         qvm-tags VM (optional)",
                    "Start a twin with: qfleet-sim start --profile FILE ..."})
    static final class Import implements Callable<Integer> {

        @Option(names = {"--output", "-o"}, required = true, paramLabel = "FILE", description = "Profile file to write.")
        Path output;

        @Option(names = "--fields", paramLabel = "FIELDS", defaultValue = "name,class,label,state",
                description = "The --fields that qvm-ls.txt was captured with (default: ${DEFAULT-VALUE}).")
        String fields;

        @Parameters(paramLabel = "DIR", description = "Directory of captured output.")
        Path input;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Path tools = Files.createTempDirectory("qfleet-sim-import");
            try {
                SimulatedFleet.installTools(tools.resolve("bin"));
                Process process = new ProcessBuilder(tools.resolve("bin/qubes-sim-import").toString(),
                        "--fields", fields, "--output", output.toAbsolutePath().toString(),
                        input.toAbsolutePath().toString())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectErrorStream(true)
                        .start();
                String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new SimException("import timed out after " + START_TIMEOUT.toSeconds() + " s");
                }
                PrintWriter out = process.exitValue() == 0 ? spec.commandLine().getOut() : spec.commandLine().getErr();
                out.print(text);
                out.flush();
                return process.exitValue() == 0 ? EXIT_OK : EXIT_FAILURE;
            } finally {
                deleteTree(tools);
            }
        }
    }

    private static void deleteTree(Path top) throws IOException {
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
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
