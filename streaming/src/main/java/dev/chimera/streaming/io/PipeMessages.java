package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flatbuf.Message;

/**
 * The messages of an Arrow IPC stream read from a pipe (standard input): a daemon thread reads
 * whole messages with blocking reads and hands them over through a short queue, so that
 * {@link #next} waits at most {@link #WAIT_MILLIS} and a writer far ahead of the reader is held back
 * by the pipe. The stream ends at its end-of-stream marker or where the pipe's bytes end.
 */
final class PipeMessages implements MessageSource {

    /** The longest {@link #next} waits for a message. */
    static final long WAIT_MILLIS = 2;
    /** Messages read ahead of the consumer. */
    private static final int READ_AHEAD = 4;

    /** What the reading thread hands over: a message, the end of the stream, or why it cannot go on. */
    private record Item(IpcMessage message, long unfinishedBytes, UserException failure) {
    }

    private final BlockingQueue<Item> items = new ArrayBlockingQueue<>(READ_AHEAD);
    private final Thread reader;
    private boolean ended;
    private long unfinishedBytes;
    private long position;

    PipeMessages(InputStream in, String source) {
        reader = new Thread(() -> readAll(in, source), "arrow-ipc-reader " + source);
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public IpcMessage next() {
        if (ended) {
            return null;
        }
        Item item;
        try {
            item = items.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (item == null) {
            return null;
        }
        if (item.failure() != null) {
            ended = true;
            throw new UserException(item.failure().getMessage(), item.failure());
        }
        if (item.message() == null) {
            ended = true;
            unfinishedBytes = item.unfinishedBytes();
            return null;
        }
        position = item.message().end();
        return item.message();
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public long unfinishedBytes() {
        return unfinishedBytes;
    }

    @Override
    public long position() {
        return position;
    }

    /**
     * Stops handing over messages. A reading thread blocked on the pipe stays so until the pipe has
     * bytes or ends (it is a daemon: it does not keep the process alive).
     */
    @Override
    public void close() {
        reader.interrupt();
    }

    /** The reading thread: whole messages until the end of the stream, an unreadable message or {@link #close}. */
    private void readAll(InputStream in, String source) {
        try {
            long offset = 0;
            while (true) {
                byte[] head = in.readNBytes(IpcFraming.PREFIX);
                int metadataLength = IpcFraming.metadataLength(head, head.length, source, offset);
                if (metadataLength == IpcFraming.END || metadataLength == IpcFraming.INCOMPLETE) {
                    // INCOMPLETE here is the pipe's end: inside a message's prefix, or (0 bytes) between messages.
                    items.put(new Item(null, metadataLength == IpcFraming.END ? 0 : head.length, null));
                    return;
                }
                byte[] metadata = in.readNBytes(metadataLength);
                if (metadata.length < metadataLength) {
                    items.put(new Item(null, IpcFraming.PREFIX + metadata.length, null));
                    return;
                }
                Message header = IpcFraming.header(metadata, source, offset);
                byte[] body = in.readNBytes((int) header.bodyLength());
                long end = offset + IpcFraming.PREFIX + metadataLength + body.length;
                if (body.length < header.bodyLength()) {
                    items.put(new Item(null, end - offset, null));
                    return;
                }
                items.put(new Item(new IpcMessage(offset, end, header, body), 0, null));
                offset = end;
            }
        } catch (UserException e) {
            handOver(e);
        } catch (IOException e) {
            handOver(new UserException(source + ": cannot read: " + e.getMessage(), e));
        } catch (InterruptedException e) {
            // Closed: nobody takes messages any more.
        }
    }

    private void handOver(UserException failure) {
        try {
            items.put(new Item(null, 0, failure));
        } catch (InterruptedException e) {
            // Closed: nobody takes the failure any more.
        }
    }
}
