package org.qfleet.transport;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * A client of a local ssh-agent over its Unix domain socket, with the JDK's own socket support.
 *
 * <p>MINA's own agent client ({@code org.apache.sshd.agent.unix}) needs the Tomcat native library, which qfleet does
 * not ship, so this class speaks the agent protocol itself: a 4-byte big-endian length, then the message.
 */
final class UnixSocketAgent extends AbstractAgentProxy {

    /** The longest reply accepted, as OpenSSH's own client limits it (256 KiB). */
    private static final int MAX_REPLY_BYTES = 256 * 1024;

    private final Path socket;
    private SocketChannel channel;

    UnixSocketAgent(Path socket) {
        super(null);
        this.socket = socket;
    }

    @Override
    protected synchronized Buffer request(Buffer buffer) throws IOException {
        if (channel == null) {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        }
        channel.write(ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available()));
        ByteBuffer header = readFully(4);
        int length = header.getInt(0);
        if (length < 1 || length > MAX_REPLY_BYTES) {
            throw new IOException("ssh-agent at " + socket + " sent an invalid reply length " + length);
        }
        return new ByteArrayBuffer(readFully(length).array());
    }

    private ByteBuffer readFully(int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(length);
        while (bytes.hasRemaining()) {
            if (channel.read(bytes) < 0) {
                throw new EOFException("ssh-agent at " + socket + " closed the connection mid-reply");
            }
        }
        return bytes;
    }

    @Override
    public boolean isOpen() {
        return channel == null || channel.isOpen();
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    /** Creates one agent connection per authentication, to the socket, for client sessions only. */
    static SshAgentFactory factory(Path socket, java.util.function.Predicate<Session> useAgent) {
        return new SshAgentFactory() {
            @Override
            public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
                return List.of();
            }

            @Override
            public SshAgent createClient(Session session, FactoryManager manager) {
                return useAgent.test(session) ? new UnixSocketAgent(socket) : null;
            }

            @Override
            public SshAgentServer createServer(ConnectionService service) {
                throw new UnsupportedOperationException("qfleet does not forward the ssh-agent to hosts");
            }
        };
    }
}
