package org.qfleet.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelListener;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.shell.ProcessShellFactory;

/**
 * A real MINA SSH server on 127.0.0.1 with an Ed25519 host key, public-key authentication against an
 * authorized_keys file, and exec requests run as {@code /bin/sh -c COMMAND} processes.
 */
final class TestSshServer implements AutoCloseable {

    final SshServer server;
    final KeyPair hostKey;
    /** Counts the server's open channels, so tests can check that the client closed one. */
    final AtomicInteger openChannels = new AtomicInteger();
    private final ChannelListener channelCounter = new ChannelListener() {
        @Override
        public void channelOpenSuccess(Channel channel) {
            openChannels.incrementAndGet();
        }

        @Override
        public void channelClosed(Channel channel, Throwable reason) {
            openChannels.decrementAndGet();
        }
    };

    private TestSshServer(SshServer server, KeyPair hostKey) {
        this.server = server;
        this.hostKey = hostKey;
    }

    static TestSshServer start(Path authorizedKeys) throws IOException, GeneralSecurityException {
        return start(authorizedKeys, newHostKey());
    }

    static TestSshServer start(Path authorizedKeys, KeyPair hostKey) throws IOException {
        return start(authorizedKeys, hostKey, server -> { });
    }

    /**
     * Starts a server after {@code customize} has changed its setup, for example to add password authentication or
     * another command factory.
     */
    static TestSshServer start(Path authorizedKeys, KeyPair hostKey, java.util.function.Consumer<SshServer> customize)
            throws IOException {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(authorizedKeys));
        server.setCommandFactory((channel, command) ->
                new ProcessShellFactory(command, "/bin/sh", "-c", command).createShell(channel));
        customize.accept(server);
        TestSshServer testServer = new TestSshServer(server, hostKey);
        server.addChannelListener(testServer.channelCounter);
        server.start();
        return testServer;
    }

    static KeyPair newHostKey() throws GeneralSecurityException {
        return SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA).generateKeyPair();
    }

    int port() {
        return server.getPort();
    }

    /** Returns the host key's fingerprint as OpenSSH's own ssh-keygen prints it. */
    String hostKeyFingerprint(Path folder) throws IOException, InterruptedException {
        Path publicKeyFile = Files.createTempFile(folder, "host", ".pub");
        Files.writeString(publicKeyFile, PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
        String output = run(folder, "ssh-keygen", "-l", "-f", publicKeyFile.toString());
        // Output: "256 SHA256:xxxx no comment (ED25519)"
        return output.split(" ")[1];
    }

    /** Returns a known_hosts line for this server's key. */
    String knownHostsLine() {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    /** Creates an unencrypted key pair with ssh-keygen and returns the private key file. */
    static Path sshKeygen(Path folder, String name, String... options) throws IOException, InterruptedException {
        Path key = folder.resolve(name);
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-N", "", "-C", name, "-f", key.toString()));
        command.addAll(List.of(options));
        run(folder, command.toArray(String[]::new));
        return key;
    }

    /** Appends the public half of a key made by {@link #sshKeygen} to an authorized_keys file. */
    static void authorize(Path authorizedKeys, Path privateKey) throws IOException {
        String publicKey = Files.readString(Path.of(privateKey + ".pub"), StandardCharsets.UTF_8);
        Files.writeString(authorizedKeys, publicKey, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /** Runs a local tool, fails on a non-zero exit or after 30 s, and returns its output. */
    static String run(Path folder, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + process.exitValue() + ": " + output);
        }
        return output;
    }

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
}
