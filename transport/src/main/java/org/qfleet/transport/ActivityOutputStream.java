package org.qfleet.transport;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;

/** Passes bytes on and stores the {@link System#nanoTime()} of the last write, for the idle output limit. */
final class ActivityOutputStream extends FilterOutputStream {

    private final AtomicLong lastWrite;

    ActivityOutputStream(OutputStream out, AtomicLong lastWrite) {
        super(out);
        this.lastWrite = lastWrite;
    }

    @Override
    public void write(int b) throws IOException {
        lastWrite.set(System.nanoTime());
        out.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        lastWrite.set(System.nanoTime());
        out.write(bytes, offset, length);
    }
}
