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
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.io.nio2.Nio2ServiceFactoryFactory;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.common.util.threads.ThreadUtils;
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
 * DIR/client_key, client_key.pub   the only key the servers accept (Ed25519, any user name)
 * DIR/bin/                         the simulated tools
 * DIR/hosts/ID/state.json          the host's qubes (kept across restarts)
 * DIR/hosts/ID/ssh_host_ed25519_key
 * DIR/hosts/ID/home/               HOME and working directory of exec requests
 * DIR/roster, known_hosts, qfleet.yaml   a salt-ssh roster and a qfleet config for the fleet
 * </pre>
 *
 * <p>Usage: {@code try (SimulatedFleet fleet = SimulatedFleet.start(dir, 3)) { ... }}.
 */
public final class SimulatedFleet implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatedFleet.class);

    /** Tool names linked to the simulator program in {@code DIR/bin}. */
    static final List<String> TOOL_NAMES = List.of("qvm-check", "qvm-create", "qvm-prefs", "qubes-prefs",
            "qvm-features", "qvm-tags", "qvm-ls", "qvm-template", "hostname");

    private static final String TOOLS_RESOURCE = "qubes_sim.py";
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
        if (hosts < 1) {
            throw new IllegalArgumentException("hosts must be at least 1, got " + hosts);
        }
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        KeyPair clientKey = KeyFiles.loadOrCreate(root.resolve("client_key"), "qfleet-simulator-client");
        installTools(root.resolve("bin"));
        List<String> ids = hostIds(hosts);
        seedStates(root, ids, fresh);

        int cpus = Runtime.getRuntime().availableProcessors();
        CloseableExecutorService ioThreads = ThreadUtils.newFixedThreadPool("sim-ssh-io", Math.max(2, cpus));
        CloseableExecutorService execThreads = ThreadUtils.newCachedThreadPool("sim-exec");
        ScheduledExecutorService timers = ThreadUtils.newSingleThreadScheduledExecutor("sim-ssh-timer");
        List<SimulatedHost> started = new ArrayList<>();
        List<SshServer> servers = new ArrayList<>();
        SimulatedFleet fleet = new SimulatedFleet(root, started, servers, ioThreads, execThreads, timers);
        try {
            for (String id : ids) {
                SshServer server = newServer(root, id, clientKey.getPublic(), ioThreads, execThreads, timers);
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
        int width = Math.max(2, String.valueOf(count).length());
        for (int i = 1; i <= count; i++) {
            ids.add("lab-" + String.format("%0" + width + "d", i));
        }
        return ids;
    }

    private static Path hostDir(Path root, String id) {
        return root.resolve("hosts").resolve(id);
    }

    /** Copies the simulator program to {@code bin/} and links each tool name to it. */
    static void installTools(Path bin) throws IOException {
        Files.createDirectories(bin);
        Path program = bin.resolve(TOOLS_RESOURCE);
        try (InputStream in = SimulatedFleet.class.getResourceAsStream(TOOLS_RESOURCE)) {
            if (in == null) {
                throw new IOException("resource org/qfleet/simulator/" + TOOLS_RESOURCE
                        + " is missing from the class path; rebuild the simulator module");
            }
            Path temp = bin.resolve(TOOLS_RESOURCE + ".new");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.move(temp, program, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        List<String> links = new ArrayList<>(TOOL_NAMES);
        links.add("qubes-sim-seed");
        for (String name : links) {
            Path link = bin.resolve(name);
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of(TOOLS_RESOURCE));
        }
    }

    /** Writes a default Qubes state for each host that needs one (all of them when fresh). */
    private static void seedStates(Path root, List<String> ids, boolean fresh) throws IOException {
        String seed = null;
        for (String id : ids) {
            Path hostDir = hostDir(root, id);
            Files.createDirectories(hostDir.resolve("home"));
            Path stateFile = hostDir.resolve("state.json");
            if (fresh || !Files.exists(stateFile)) {
                if (seed == null) {
                    seed = runSeedTool(root, id);
                }
                HostState.writeSeed(stateFile, seed, id);
            }
        }
    }

    private static String runSeedTool(Path root, String id) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(root.resolve("bin/qubes-sim-seed").toString());
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
        env.put("HOME", hostDir.resolve("home").toString());
        env.put("LANG", "C.UTF-8");
        return env;
    }

    private static SshServer newServer(Path root, String id, PublicKey clientKey, CloseableExecutorService ioThreads,
            CloseableExecutorService execThreads, ScheduledExecutorService timers) throws IOException {
        Path hostDir = hostDir(root, id);
        KeyPair hostKey = KeyFiles.loadOrCreate(hostDir.resolve("ssh_host_ed25519_key"), "root@" + id);
        Map<String, String> env = execEnvironment(root, id);
        Path home = hostDir.resolve("home");

        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(clientKey, key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new ProcessCommand(id, command, env, home, execThreads));
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
                    .append("  user: qfleet\n")
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
