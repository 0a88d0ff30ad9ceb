package org.qfleet.transport;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Splits a byte stream into UTF-8 lines and hands each one to a consumer as soon as its newline arrives.
 *
 * <p>MINA writes to it from its I/O thread, so the consumer runs there and must return quickly. An exception
 * from the consumer is kept for the caller and later lines are dropped, because throwing it would close the channel.
 */
final class LineOutputStream extends OutputStream {

    private final Consumer<String> consumer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private RuntimeException consumerFailure;

    LineOutputStream(Consumer<String> consumer) {
        this.consumer = consumer;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            pending.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (bytes[i] == '\n') {
                pending.write(bytes, start, i - start);
                emit();
                start = i + 1;
            }
        }
        pending.write(bytes, start, end - start);
    }

    /** Delivers a last line that has no newline. */
    synchronized void finish() {
        if (pending.size() > 0) {
            emit();
        }
    }

    /** Returns the first exception the consumer threw, or null. */
    synchronized RuntimeException consumerFailure() {
        return consumerFailure;
    }

    private void emit() {
        String line = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (consumerFailure != null) {
            return;
        }
        try {
            consumer.accept(line);
        } catch (RuntimeException e) {
            consumerFailure = e;
        }
    }
}
