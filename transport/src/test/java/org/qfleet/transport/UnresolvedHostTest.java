package org.qfleet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The message of a connect whose host name does not resolve, which is what a typo in the roster gives. */
class UnresolvedHostTest {

    private static final SshTarget TARGET = new SshTarget("lab-01", "127.0.0.l", 2222, "qfleet", List.of(),
            Duration.ofSeconds(5));

    /** Returns the exception NIO throws for a connect to an unresolved address, which needs no DNS. */
    private static UnresolvedAddressException unresolvedConnect() throws Exception {
        try (SocketChannel channel = SocketChannel.open()) {
            return assertThrows(UnresolvedAddressException.class,
                    () -> channel.connect(InetSocketAddress.createUnresolved("127.0.0.l", 2222)));
        }
    }

    @Test
    void unresolvedAddressNamesHostAndEntry() throws Exception {
        TransportException failure = SshTransport.unreachable(TARGET, "127.0.0.l",
                new IOException("connect failed", unresolvedConnect()));

        assertEquals(TransportException.Kind.UNREACHABLE, failure.kind());
        assertEquals("host lab-01 (qfleet@127.0.0.l:2222): host name '127.0.0.l' could not be resolved. Check the"
                + " host field of roster entry 'lab-01' (or HostName in the ssh config) for a typo, and that DNS or"
                + " /etc/hosts resolves the name.", failure.getMessage());
        assertFalse(failure.getMessage().contains("UnresolvedAddressException"), failure.getMessage());
    }

    @Test
    void unknownHostNamesDialedAddress() {
        TransportException failure = SshTransport.unreachable(TARGET, "lab-01.example.invalid",
                new UnknownHostException("lab-01.example.invalid"));

        assertTrue(failure.getMessage().contains("host name 'lab-01.example.invalid' could not be resolved."),
                failure.getMessage());
    }
}
