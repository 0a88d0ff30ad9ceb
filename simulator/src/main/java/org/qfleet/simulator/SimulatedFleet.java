package org.qfleet.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of simulated Qubes hosts: one SSH server per host on 127.0.0.1, all in this JVM.
 *
 * <p>Each exec request runs {@code /bin/sh -c <command>} as a real process whose {@code PATH}
 * starts with the simulated qvm-* tools, so a client sees a Qubes dom0. Everything lives under
 * one directory:
 *
 * <pre>
 * DIR/client_key, client_key.pub   the only key the servers accept (Ed25519, for user qfleet only)
 * DIR/bin/                         the simulated tools
 * DIR/hosts/ID/state.json          the host's qubes and hardware facts (kept across restarts)
 * DIR/hosts/ID/faults.json         injected faults (see {@link Faults}), replaced at each start
 * DIR/hosts/ID/root/               QUBES_SIM_ROOT: etc/qubes-release, etc/hostname, proc/cmdline
 * DIR/hosts/ID/ssh_host_ed25519_key
 * DIR/hosts/ID/home/               HOME and working directory of exec requests
 * DIR/roster, known_hosts, qfleet.yaml   a salt-ssh roster and a qfleet config for the fleet
 * </pre>
 *
 * <p>Usage: {@code try (SimulatedFleet fleet = SimulatedFleet.start(dir, 3)) { ... }}.
 */
public final class SimulatedFleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedFleet.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The only user name the simulated hosts let log in, and the one the generated roster names.
     * A host rejects any other user, as OpenSSH rejects a user that does not exist.
     */
    public static final String LOGIN_USER = "qfleet";

    /** Set on a session once its rejected user is logged, because a client may offer several keys. */
    private static final AttributeRepository.AttributeKey<Boolean> REJECTED_USER_LOGGED =
            new AttributeRepository.AttributeKey<>();

    /** Tool names linked to the simulator program in {@code DIR/bin}. */
    static final List<String> TOOL_NAMES = List.of("qvm-check", "qvm-create", "qvm-prefs", "qubes-prefs",
            "qvm-features", "qvm-tags", "qvm-ls", "qvm-template", "qvm-start", "qvm-shutdown", "qvm-kill",
            "qvm-pause", "qvm-unpause", "qvm-remove", "qvm-clone", "qvm-service", "qvm-firewall", "qvm-volume",
            "qvm-pci", "qvm-device", "qvm-run", "qubes-dom0-update", "qubes-vm-update", "rpm", "lspci", "xl",
            "hostname");

    /** Helper names linked to the simulator program that users do not run on a real host. */
    static final List<String> HELPER_NAMES = List.of("qubes-sim-seed", "qubes-sim-import");

    private static final String TOOLS_RESOURCE = "qubes_sim.py";

    /** Python modules that the simulator program imports; they are copied next to it. */
    private static final List<String> TOOL_MODULES = List.of("qsim_state.py", "qsim_model.py", "qsim_cli.py",
            "qsim_qubes.py", "qsim_power.py", "qsim_config.py", "qsim_host.py", "qsim_faults.py", "qsim_devices.py", "qsim_ls.py",
            "qsim_updates.py");
    private static final String SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SEED_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final List<SimulatedHost> hosts;
    private final List<SshServer> servers;
    private final CloseableExecutorService ioThreads;
    private final CloseableExecutorService execThreads;
    private final ScheduledExecutorService timers;

    private SimulatedFleet(Path dir, List<SimulatedHost> hosts, List<SshServer> servers,
            CloseableExecutorService ioThreads, CloseableExecutorService execThreads,
            ScheduledExecutorService timers) {
        this.dir = dir;
        this.hosts = Collections.unmodifiableList(hosts);
        this.servers = servers;
        this.ioThreads = ioThreads;
        this.execThreads = execThreads;
        this.timers = timers;
    }

    /**
     * Starts {@code hosts} simulated hosts named {@code lab-01}, {@code lab-02}, ... and returns
     * once every server accepts connections. Existing host states in {@code dir} are kept.
     */
    public static SimulatedFleet start(Path dir, int hosts) throws IOException {
        return start(dir, hosts, false);
    }

    /**
     * Starts {@code hosts} simulated hosts; with {@code fresh} every host's state is reset to a
     * default Qubes installation, otherwise only hosts without a state file get one.
     */
    public static SimulatedFleet start(Path dir, int hosts, boolean fresh) throws IOException {
        return start(dir, hosts, FleetOptions.defaults().withFresh(fresh));
    }

    /**
     * Starts {@code hosts} simulated hosts with a profile, hardware facts, fixed ports or faults.
     *
     * @throws IOException when a file is invalid (the message names it) or a server cannot start
     * @throws IllegalArgumentException when an option is invalid (the message names it)
     */
    public static SimulatedFleet start(Path dir, int hosts, FleetOptions options) throws IOException {
        if (hosts < 1) {
            throw new IllegalArgumentException("hosts must be at least 1, got " + hosts);
        }
        if (options.portBase() > 0 && options.portBase() + hosts - 1 > 65535) {
            throw new IllegalArgumentException("port base " + options.portBase() + " leaves no room for " + hosts
                    + " hosts below port 65536; use a lower --port-base");
        }
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        KeyPair clientKey = KeyFiles.loadOrCreate(root.resolve("client_key"), "qfleet-simulator-client");
        installTools(root.resolve("bin"));
        List<String> ids = hostIds(hosts);
        Map<String, List<String>> faults = faultsByHost(options.faults(), ids);
        seedStates(root, ids, options);
        for (String id : ids) {
            Faults.write(hostDir(root, id).resolve(Faults.FILE_NAME), faults.getOrDefault(id, List.of()));
        }

        int cpus = Runtime.getRuntime().availableProcessors();
        CloseableExecutorService ioThreads = ThreadUtils.newFixedThreadPool("sim-ssh-io", Math.max(2, cpus));
        CloseableExecutorService execThreads = ThreadUtils.newCachedThreadPool("sim-exec");
        ScheduledExecutorService timers = ThreadUtils.newSingleThreadScheduledExecutor("sim-ssh-timer");
        List<SimulatedHost> started = new ArrayList<>();
        List<SshServer> servers = new ArrayList<>();
        SimulatedFleet fleet = new SimulatedFleet(root, started, servers, ioThreads, execThreads, timers);
        try {
            for (int i = 0; i < ids.size(); i++) {
                String id = ids.get(i);
                int port = options.portBase() == 0 ? 0 : options.portBase() + i;
                SshServer server = newServer(root, id, port, clientKey.getPublic(), ioThreads, execThreads, timers);
                servers.add(server);
                server.start();
                started.add(new SimulatedHost(id, server.getPort(), hostDir(root, id).resolve("state.json")));
                LOG.info("start({}) listening on 127.0.0.1:{}", id, server.getPort());
            }
            fleet.writeClientFiles();
            for (SimulatedHost host : started) {
                awaitAccepting(host);
            }
            return fleet;
        } catch (IOException | RuntimeException e) {
            fleet.close();
            throw e;
        }
    }

    /** Groups {@code HOST:KIND[:ARG]} specs by host, checking each host ID and fault. */
    static Map<String, List<String>> faultsByHost(List<String> specs, List<String> ids) {
        Map<String, List<String>> byHost = new LinkedHashMap<>();
        for (String spec : specs) {
            int colon = spec.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("invalid fault '" + spec + "'; write HOST:KIND[:ARG], e.g. lab-01:fail:qvm-prefs");
            }
            String host = spec.substring(0, colon);
            if (!ids.contains(host)) {
                throw new IllegalArgumentException("fault '" + spec + "' names unknown host '" + host + "'; hosts are "
                        + ids.get(0) + " to " + ids.get(ids.size() - 1));
            }
            String fault = spec.substring(colon + 1);
            Faults.parse(fault);
            byHost.computeIfAbsent(host, key -> new ArrayList<>()).add(fault);
        }
        return byHost;
    }

    /** Returns the hosts in ID order. */
    public List<SimulatedHost> hosts() {
        return hosts;
    }

    /** Returns the fleet's directory (absolute). */
    public Path dir() {
        return dir;
    }

    /** Returns the salt-ssh flat roster listing every host. */
    public Path rosterFile() {
        return dir.resolve("roster");
    }

    /** Returns the OpenSSH known_hosts file with every host's key. */
    public Path knownHostsFile() {
        return dir.resolve("known_hosts");
    }

    /** Returns the client's private key (OpenSSH format, unencrypted, mode 0600). */
    public Path clientKey() {
        return dir.resolve("client_key");
    }

    /** Returns the qfleet config file that points at the roster and known_hosts. */
    public Path configFile() {
        return dir.resolve("qfleet.yaml");
    }

    /** Stops every server, waiting up to 10 s in all, and kills the processes still running. */
    @Override
    public void close() {
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (SshServer server : servers) {
            try {
                long remaining = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                server.close(false).await(remaining);
            } catch (IOException e) {
                LOG.warn("stop({}) failed: {}", server.getPort(), e.toString());
            }
        }
        execThreads.shutdownNow();
        ioThreads.shutdownNow();
        timers.shutdownNow();
        LOG.info("stop() {} hosts stopped", servers.size());
    }

    private static List<String> hostIds(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(hostId(i, count));
        }
        return ids;
    }

    /** Returns the ID of host {@code number} (from 1) of a fleet of {@code count} hosts. */
    static String hostId(int number, int count) {
        int width = Math.max(2, String.valueOf(count).length());
        return "lab-" + String.format("%0" + width + "d", number);
    }

    private static Path hostDir(Path root, String id) {
        return root.resolve("hosts").resolve(id);
    }

    /** Copies the simulator program and its modules to {@code bin/} and links each tool name to it. */
    static void installTools(Path bin) throws IOException {
        Files.createDirectories(bin);
        for (String module : TOOL_MODULES) {
            copyResource(module, bin.resolve(module), "rw-r--r--");
        }
        copyResource(TOOLS_RESOURCE, bin.resolve(TOOLS_RESOURCE), "rwxr-xr-x");
        List<String> links = new ArrayList<>(TOOL_NAMES);
        links.addAll(HELPER_NAMES);
        for (String name : links) {
            Path link = bin.resolve(name);
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(TOOLS_RESOURCE));
        }
    }

    private static void copyResource(String resource, Path target, String permissions) throws IOException {
        try (InputStream in = SimulatedFleet.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource org/qfleet/simulator/" + resource
                        + " is missing from the class path; rebuild the simulator module");
            }
            Path temp = target.resolveSibling(target.getFileName() + ".new");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * Prepares each host's state: the profile for hosts without a state file (every host when
     * fresh), the hardware file's facts, and the files under the host's root directory.
     */
    private static void seedStates(Path root, List<String> ids, FleetOptions options) throws IOException {
        String seed = runSeedTool(root, ids.get(0), options.builtInProfile() ? options.profile() : "fresh");
        if (!options.builtInProfile()) {
            seed = readProfile(Path.of(options.profile()), seed);
        }
        JsonNode hardware = null;
        if (options.hardwareFile() != null) {
            try {
                hardware = JSON.readTree(options.hardwareFile().toFile());
            } catch (IOException e) {
                throw new IOException("cannot read hardware file " + options.hardwareFile() + ": " + e.getMessage(), e);
            }
        }
        for (String id : ids) {
            Path hostDir = hostDir(root, id);
            Files.createDirectories(hostDir.resolve("home"));
            Path stateFile = hostDir.resolve("state.json");
            ObjectNode facts = hardware == null ? null : HostState.hardwareFor(options.hardwareFile(), hardware, id);
            HostState.prepare(stateFile, id, seed, options.fresh(), facts);
            HostState.writeRootFiles(stateFile, hostDir.resolve("root"));
            writeMissingPython(hostDir.resolve("fault-bin"));
        }
    }

    /**
     * Reads a profile file and returns it as seed JSON; hardware facts, dom0 packages and qvm-run
     * rules that the profile lacks come from {@code defaultSeed}.
     */
    private static String readProfile(Path file, String defaultSeed) throws IOException {
        JsonNode profile;
        try {
            profile = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException("cannot read profile " + file + ": " + e.getMessage()
                    + "; use fresh, empty or a file written by qfleet-sim import", e);
        }
        if (!profile.isObject() || !profile.path("vms").path("dom0").isObject()) {
            throw new IOException("profile " + file + " has no vms.dom0 entry; write profiles with qfleet-sim import");
        }
        ObjectNode merged = (ObjectNode) JSON.readTree(defaultSeed);
        merged.setAll((ObjectNode) profile);
        return JSON.writeValueAsString(merged);
    }

    /**
     * Writes the {@code python3} that the no-python3 fault puts first on PATH: it fails as dash
     * does for a command that is not installed.
     */
    private static void writeMissingPython(Path faultBin) throws IOException {
        Files.createDirectories(faultBin);
        Path python = faultBin.resolve("python3");
        Files.writeString(python, "#!/bin/sh\n# A stand-in for a missing python3 (qfleet-sim fault no-python3).\n"
                + "echo \"/bin/sh: 1: python3: not found\" >&2\nexit 127\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String runSeedTool(Path root, String id, String profile) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/qubes-sim-seed").toString(), "--profile", profile);
        builder.environment().putAll(execEnvironment(root, id));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = builder.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(out);
            if (!process.waitFor(SEED_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("qubes-sim-seed timed out after " + SEED_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while seeding host states", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("qubes-sim-seed failed with exit code " + process.exitValue()
                    + "; check that /usr/bin/python3 (3.8 or later) is installed");
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static Map<String, String> execEnvironment(Path root, String id) {
        Path hostDir = hostDir(root, id);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", root.resolve("bin") + ":" + SYSTEM_PATH);
        env.put("QUBES_SIM_STATE", hostDir.resolve("state.json").toString());
        env.put("QUBES_SIM_HOST", id);
        env.put("QUBES_SIM_FAULTS", hostDir.resolve(Faults.FILE_NAME).toString());
        env.put("QUBES_SIM_ROOT", hostDir.resolve("root").toString());
        env.put("HOME", hostDir.resolve("home").toString());
        env.put("LANG", "C.UTF-8");
        return env;
    }

    /** How long a client may take from connecting to logging in. */
    static final Duration LOGIN_GRACE = Duration.ofMinutes(15);

    private static SshServer newServer(Path root, String id, int port, PublicKey clientKey,
            CloseableExecutorService ioThreads, CloseableExecutorService execThreads, ScheduledExecutorService timers)
            throws IOException {
        Path hostDir = hostDir(root, id);
        KeyPair hostKey = KeyFiles.loadOrCreate(hostDir.resolve("ssh_host_ed25519_key"), "root@" + id);
        Map<String, String> env = execEnvironment(root, id);
        Map<String, String> envWithoutPython = new LinkedHashMap<>(env);
        envWithoutPython.put("PATH", hostDir.resolve("fault-bin") + ":" + env.get("PATH"));
        Path home = hostDir.resolve("home");
        Path faultFile = hostDir.resolve(Faults.FILE_NAME);

        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(port);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPublickeyAuthenticator((user, key, session) -> {
            if (!LOGIN_USER.equals(user)) {
                if (session.setAttribute(REJECTED_USER_LOGGED, Boolean.TRUE) == null) {
                    LOG.warn("auth({}) rejected user '{}' from {}: the simulated hosts accept only user {}", id, user,
                            session.getClientAddress(), LOGIN_USER);
                }
                return false;
            }
            if (Faults.readOrNone(faultFile).has("auth-refused")) {
                LOG.info("auth({}) rejected user {}: fault auth-refused is set", id, user);
                return false;
            }
            return KeyUtils.compareKeys(clientKey, key);
        });
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        // Every simulated host's handshake queues for the same few CPUs. A fleet of a thousand
        // hosts that all connect at once thus needs far longer than the 2 minutes that MINA's
        // default, like OpenSSH's LoginGraceTime, allows one real host to log in.
        CoreModuleProperties.AUTH_TIMEOUT.set(server, LOGIN_GRACE);
        server.setCommandFactory((channel, command) -> {
            Faults faults = Faults.readOrNone(faultFile);
            Map<String, String> commandEnv = faults.has("no-python3") ? envWithoutPython : env;
            return new ProcessCommand(id, command, commandEnv, home, execThreads, faults.dropAfterBytes());
        });
        // Share I/O threads and timers across the fleet: MINA's defaults give every server its own pools.
        // NOTE: the JDK still starts one internal thread per server for its AsynchronousChannelGroup,
        // so an idle fleet of N hosts holds about N + 4 threads.
        server.setIoServiceFactoryFactory(new Nio2ServiceFactoryFactory(() -> ThreadUtils.noClose(ioThreads)));
        server.setScheduledExecutorService(timers, false);
        return server;
    }

    /** Writes the roster, known_hosts and qfleet.yaml for the running hosts. */
    private void writeClientFiles() throws IOException {
        StringBuilder roster = new StringBuilder("# Simulated Qubes hosts written by qfleet-sim; ports change on restart.\n");
        StringBuilder knownHosts = new StringBuilder();
        for (SimulatedHost host : hosts) {
            roster.append(host.id()).append(":\n")
                    .append("  host: 127.0.0.1\n")
                    .append("  port: ").append(host.port()).append('\n')
                    .append("  user: ").append(LOGIN_USER).append('\n')
                    .append("  priv: ").append(clientKey()).append('\n');
            KeyPair hostKey = KeyFiles.loadOrCreate(hostDir(dir, host.id()).resolve("ssh_host_ed25519_key"),
                    "root@" + host.id());
            knownHosts.append("[127.0.0.1]:").append(host.port()).append(' ')
                    .append(KeyFiles.publicKeyLine(hostKey.getPublic())).append('\n');
        }
        writeAtomically(rosterFile(), roster.toString());
        writeAtomically(knownHostsFile(), knownHosts.toString());
        writeAtomically(configFile(), "# qfleet config for the simulated fleet; paths are relative to this file.\n"
                + "roster_file: roster\n"
                + "known_hosts: known_hosts\n");
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(temp, text);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitAccepting(SimulatedHost host) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", host.port()), (int) READY_TIMEOUT.toMillis());
        } catch (IOException e) {
            throw new IOException("simulated host " + host.id() + " does not accept connections on 127.0.0.1:"
                    + host.port() + ": " + e.getMessage(), e);
        }
    }

    /** Returns the state file path of host {@code id} in fleet directory {@code dir}. */
    static Path stateFile(Path dir, String id) {
        return hostDir(dir.toAbsolutePath().normalize(), id).resolve("state.json");
    }
}
