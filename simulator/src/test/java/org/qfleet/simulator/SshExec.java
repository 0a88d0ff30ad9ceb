package org.qfleet.simulator;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/** A MINA SSH client for one simulated fleet that runs exec requests and collects their output. */
final class SshExec implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final SshClient client;
    private final KeyPair identity;

    SshExec(SimulatedFleet fleet) throws Exception {
        client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE,
                fleet.knownHostsFile()));
        client.start();
        try (InputStream in = Files.newInputStream(fleet.clientKey())) {
            identity = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("client_key"), in,
                    FilePasswordProvider.EMPTY).iterator().next();
        }
    }

    /** Output of one exec request; exitStatus is null when the connection dropped first. */
    record Result(Integer exitStatus, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitStatus + "\nstdout:\n" + stdout + "stderr:\n" + stderr;
        }
    }

    ClientSession connect(SimulatedHost host) throws IOException {
        ClientSession session = client.connect("qfleet", "127.0.0.1", host.port()).verify(TIMEOUT).getSession();
        session.addPublicKeyIdentity(identity);
        session.auth().verify(TIMEOUT);
        return session;
    }

    /** Runs one command on the host over a new connection, waiting up to {@code wait} for it to end. */
    Result run(SimulatedHost host, String command, byte[] stdin, Duration wait) throws IOException {
        try (ClientSession session = connect(host)) {
            return exec(session, command, stdin, wait);
        }
    }

    Result run(SimulatedHost host, String command) throws IOException {
        return run(host, command, new byte[0], TIMEOUT);
    }

    static Result exec(ClientSession session, String command, byte[] stdin, Duration wait) throws IOException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try (ChannelExec channel = session.createExecChannel(command)) {
            channel.setIn(new ByteArrayInputStream(stdin));
            channel.setOut(stdout);
            channel.setErr(stderr);
            channel.open().verify(TIMEOUT);
            channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), wait);
            return new Result(channel.getExitStatus(), stdout.toString(StandardCharsets.UTF_8),
                    stderr.toString(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() throws IOException {
        client.stop();
        client.close();
    }
}
