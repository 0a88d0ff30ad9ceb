package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.sshd.server.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class AuthenticationTest {

    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(20);
    private static final String PASSPHRASE = "sentinel-passphrase-7Qx9";
    private static final String PASSWORD = "sentinel-password-K3v2";

    @TempDir
    Path folder;

    private Path authorizedKeys;
    private Path knownHosts;
    private TestSshServer server;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        authorizedKeys = folder.resolve("authorized_keys");
        Files.writeString(authorizedKeys, "");
        server = TestSshServer.start(authorizedKeys, TestSshServer.newHostKey(), sshd -> {
            sshd.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE, UserAuthPasswordFactory.INSTANCE));
            sshd.setPasswordAuthenticator((user, password, session) -> PASSWORD.equals(password));
        });
        knownHosts = folder.resolve("known_hosts");
        Files.writeString(knownHosts, server.knownHostsLine() + "\n");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        server.close();
    }

    /** One key type and file format, as ssh-keygen writes it. */
    private record KeyCase(String name, String... options) {
    }

    @Test
    void everyKeyTypeAndFormatAuthenticates() throws Exception {
        List<KeyCase> cases = List.of(
                new KeyCase("ed25519_openssh", "-t", "ed25519"),
                new KeyCase("ecdsa_openssh", "-t", "ecdsa", "-b", "256"),
                new KeyCase("ecdsa_pem", "-t", "ecdsa", "-b", "384", "-m", "PEM"),
                new KeyCase("rsa_openssh", "-t", "rsa", "-b", "2048"),
                new KeyCase("rsa_pem", "-t", "rsa", "-b", "2048", "-m", "PEM"),
                new KeyCase("rsa_pkcs8", "-t", "rsa", "-b", "2048", "-m", "PKCS8"));
        SshTransport transport = transport(SshSettings.defaults(knownHosts));
        for (KeyCase keyCase : cases) {
            Path key = TestSshServer.sshKeygen(folder, keyCase.name(), keyCase.options());
            TestSshServer.authorize(authorizedKeys, key);

            try (SshSession session = transport.connect(target(List.of(key)))) {
                assertEquals(List.of(keyCase.name()), echo(session, keyCase.name()), keyCase.name());
            }
        }
    }

    @Test
    void encryptedKeysUseEachPassphraseSource() throws Exception {
        Path openssh = encryptedKey("enc_ed25519", "-t", "ed25519");
        Path pem = encryptedKey("enc_rsa_pem", "-t", "rsa", "-b", "2048", "-m", "PEM");

        try (SshSession session = transport(SshSettings.defaults(knownHosts))
                .connect(target(List.of(openssh)).withKeyPassphrase(PASSPHRASE))) {
            assertEquals(List.of("roster"), echo(session, "roster"));
        }
        SshSettings fromEnvironment = SshSettings.defaults(knownHosts)
                .withEnvironment(Map.of(SshSettings.PASSPHRASE_VARIABLE, PASSPHRASE));
        try (SshSession session = transport(fromEnvironment).connect(target(List.of(pem)))) {
            assertEquals(List.of("environment"), echo(session, "environment"));
        }
        AtomicInteger prompts = new AtomicInteger();
        SshSettings prompted = SshSettings.defaults(knownHosts).withPrompt(message -> {
            prompts.incrementAndGet();
            return PASSPHRASE.toCharArray();
        });
        SshTransport promptingTransport = transport(prompted);
        for (int i = 0; i < 3; i++) {
            try (SshSession session = promptingTransport.connect(target(List.of(openssh)))) {
                assertEquals(List.of("prompt"), echo(session, "prompt"));
            }
        }
        assertEquals(1, prompts.get(), "the prompt must appear once per key file and run");
    }

    @Test
    void encryptedKeyWithoutPassphraseSaysHow() throws Exception {
        Path key = encryptedKey("enc_no_source", "-t", "ed25519");

        TransportException e = assertThrows(TransportException.class,
                () -> transport(SshSettings.defaults(knownHosts)).connect(target(List.of(key))));

        assertEquals(TransportException.Kind.KEY_UNREADABLE, e.kind());
        assertTrue(e.getMessage().contains(key.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("priv_passwd"), e.getMessage());
        assertTrue(e.getMessage().contains(SshSettings.PASSPHRASE_VARIABLE), e.getMessage());
        assertEquals(TransportException.RETCODE_REJECTED, e.retcode());
    }

    @Test
    void wrongPassphraseIsRejected() throws Exception {
        Path key = encryptedKey("enc_wrong", "-t", "ed25519");

        TransportException e = assertThrows(TransportException.class, () -> transport(SshSettings.defaults(knownHosts))
                .connect(target(List.of(key)).withKeyPassphrase("not-the-passphrase")));

        assertEquals(TransportException.Kind.KEY_UNREADABLE, e.kind());
        assertTrue(e.getMessage().contains("priv_passwd"), e.getMessage());
        assertFalse(e.getMessage().contains("not-the-passphrase"), e.getMessage());
    }

    @Test
    void wrongPassphraseFailsAfterGoodOne() throws Exception {
        Path key = encryptedKey("enc_shared", "-t", "ed25519");
        SshTransport transport = transport(SshSettings.defaults(knownHosts));
        try (SshSession session = transport.connect(target(List.of(key)).withKeyPassphrase(PASSPHRASE))) {
            assertEquals(List.of("first"), echo(session, "first"));
        }

        TransportException e = assertThrows(TransportException.class,
                () -> transport.connect(target(List.of(key)).withKeyPassphrase("another-passphrase")));

        assertEquals(TransportException.Kind.KEY_UNREADABLE, e.kind());
    }

    @Test
    void passwordAuthenticates() throws Exception {
        try (SshSession session = transport(SshSettings.defaults(knownHosts))
                .connect(target(List.of()).withPassword(PASSWORD))) {
            assertEquals(List.of("password"), echo(session, "password"));
        }

        TransportException e = assertThrows(TransportException.class, () -> transport(SshSettings.defaults(knownHosts))
                .connect(target(List.of()).withPassword("wrong-password-value")));

        assertEquals(TransportException.Kind.AUTH_FAILED, e.kind());
        assertTrue(e.getMessage().contains("root@127.0.0.1:" + server.port()), e.getMessage());
        assertTrue(e.getMessage().contains("password from the roster"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-password-value"), e.getMessage());
    }

    @Test
    void noCredentialsIsAClearError() {
        TransportException e = assertThrows(TransportException.class,
                () -> transport(SshSettings.defaults(knownHosts)).connect(target(List.of())));

        assertEquals(TransportException.Kind.KEY_UNREADABLE, e.kind());
        assertTrue(e.getMessage().contains("no way to authenticate"), e.getMessage());
    }

    @Test
    void agentKeyAuthenticates() throws Exception {
        Path key = encryptedKey("agent_ed25519", "-t", "ed25519");
        Path socket = folder.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
                .redirectErrorStream(true).redirectOutput(folder.resolve("agent.log").toFile()).start();
        toClose.add(() -> {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        });
        waitForFile(socket);
        sshAdd(socket, key);
        SshSettings settings = SshSettings.defaults(knownHosts).withEnvironment(Map.of("SSH_AUTH_SOCK",
                socket.toString()));

        try (SshSession session = transport(settings).connect(target(List.of()))) {
            assertEquals(List.of("agent"), echo(session, "agent"));
        }

        SshTarget identitiesOnly = new SshTarget("lab-01", "127.0.0.1", server.port(), "root", List.of(),
                TestSshServer.CONNECT_TIMEOUT, true, null, null, List.of(), null, null, null);
        TransportException e = assertThrows(TransportException.class,
                () -> transport(settings).connect(identitiesOnly));
        assertEquals(TransportException.Kind.KEY_UNREADABLE, e.kind(), "IdentitiesOnly must keep agent keys out");
    }

    @Test
    void secretsAppearInNoOutputOrMessage() throws Exception {
        Path key = encryptedKey("secret_ed25519", "-t", "ed25519");
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        PrintStream originalOut = System.out;
        List<String> messages = new ArrayList<>();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(capture);
        System.setOut(capture);
        try {
            SshTarget good = target(List.of(key)).withKeyPassphrase(PASSPHRASE).withPassword(PASSWORD);
            SshTransport transport = transport(SshSettings.defaults(knownHosts));
            messages.add(good.toString());
            messages.add(HostSpec.of("lab-01", "h").toString());
            try (SshSession session = transport.connect(good)) {
                echo(session, "ok");
            }
            collectFailure(messages, () -> transport.connect(target(List.of()).withPassword(PASSWORD + "x")));
            collectFailure(messages, () -> transport.connect(target(List.of(key)).withKeyPassphrase(PASSPHRASE + "x")));
            collectFailure(messages, () -> transport(SshSettings.defaults(folder.resolve("empty_known_hosts")))
                    .connect(good));
        } finally {
            System.setErr(originalErr);
            System.setOut(originalOut);
        }
        String output = captured.toString(StandardCharsets.UTF_8) + String.join("\n", messages);

        assertFalse(output.contains(PASSPHRASE), "the passphrase leaked:\n" + output);
        assertFalse(output.contains(PASSWORD), "the password leaked:\n" + output);
        assertTrue(messages.size() >= 5, messages.toString());
    }

    private interface Failing {
        void run() throws Exception;
    }

    private static void collectFailure(List<String> messages, Failing action) throws Exception {
        try {
            action.run();
            messages.add("no failure");
        } catch (TransportException e) {
            messages.add(e.getMessage());
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                messages.add(String.valueOf(cause.getMessage()));
            }
        }
    }

    private Path encryptedKey(String name, String... options) throws Exception {
        List<String> all = new ArrayList<>(List.of(options));
        Path key = folder.resolve(name);
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-N", PASSPHRASE, "-C", name, "-f",
                key.toString()));
        command.addAll(all);
        TestSshServer.run(folder, command.toArray(String[]::new));
        TestSshServer.authorize(authorizedKeys, key);
        return key;
    }

    private void sshAdd(Path socket, Path key) throws Exception {
        // ssh-add reads the passphrase through SSH_ASKPASS when it has no terminal.
        Path askpass = folder.resolve("askpass.sh");
        Files.writeString(askpass, "#!/bin/sh\necho '" + PASSPHRASE + "'\n");
        askpass.toFile().setExecutable(true);
        ProcessBuilder builder = new ProcessBuilder("setsid", "-w", "ssh-add", key.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().put("SSH_AUTH_SOCK", socket.toString());
        builder.environment().put("SSH_ASKPASS", askpass.toString());
        builder.environment().put("SSH_ASKPASS_REQUIRE", "force");
        builder.environment().put("DISPLAY", "none");
        Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "ssh-add did not finish");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "ssh-add failed: " + output);
    }

    private static void waitForFile(Path file) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IOException(file + " did not appear within 10 s");
            }
            Thread.sleep(50);
        }
    }

    private List<String> echo(SshSession session, String word) throws TransportException {
        List<String> lines = new ArrayList<>();
        ExecResult result = session.exec("echo " + word, null, lines::add, EXEC_TIMEOUT);
        assertEquals(0, result.exitStatus(), result.stderr());
        return lines;
    }

    private SshTarget target(List<Path> keys) {
        return new SshTarget("lab-01", "127.0.0.1", server.port(), "root", keys, TestSshServer.CONNECT_TIMEOUT);
    }

    private SshTransport transport(SshSettings settings) {
        SshTransport transport = new SshTransport(settings);
        toClose.add(transport);
        return transport;
    }
}
