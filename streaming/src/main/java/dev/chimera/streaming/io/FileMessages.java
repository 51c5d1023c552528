package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.arrow.flatbuf.Message;

/**
 * The messages of an Arrow IPC stream in a file that a writer may still be appending to. Each call
 * looks at the file's current size: a message is read only when all its bytes (prefix, metadata and
 * body) are there; otherwise nothing is consumed, and the next call looks again from the same offset.
 * The stream ends at its end-of-stream marker, never at the end of the file.
 */
final class FileMessages implements MessageSource {

    private final FileChannel channel;
    private final String source;
    private long position;
    private boolean ended;

    /**
     * Reads the messages of {@code channel} from its start; the channel is closed by {@link #close}.
     *
     * @throws UserException if the file's first bytes are not those of an IPC stream
     */
    FileMessages(FileChannel channel, String source) {
        this.channel = channel;
        this.source = source;
        // Refuses a file that is not a stream now, rather than at the first read.
        byte[] head = new byte[IpcFraming.PREFIX];
        IpcFraming.metadataLength(head, read(0, head, size()), source, 0);
    }

    @Override
    public IpcMessage next() {
        if (ended) {
            return null;
        }
        long size = size();
        if (size < position) {
            throw new UserException(source + ": shrank to " + size + " bytes while being read at byte " + position
                    + "; expected a file that is only appended to");
        }
        byte[] head = new byte[IpcFraming.PREFIX];
        int metadataLength = IpcFraming.metadataLength(head, read(position, head, size), source, position);
        if (metadataLength == IpcFraming.END) {
            ended = true;
            return null;
        }
        long metadataEnd = position + IpcFraming.PREFIX + metadataLength;
        if (metadataLength == IpcFraming.INCOMPLETE || size < metadataEnd) {
            return null;
        }
        byte[] metadata = new byte[metadataLength];
        read(position + IpcFraming.PREFIX, metadata, size);
        Message header = IpcFraming.header(metadata, source, position);
        long end = metadataEnd + header.bodyLength();
        if (size < end) {
            return null;
        }
        byte[] body = new byte[(int) header.bodyLength()];
        read(metadataEnd, body, size);
        IpcMessage message = new IpcMessage(position, end, header, body);
        position = end;
        return message;
    }

    @Override
    public boolean ended() {
        return ended;
    }

    @Override
    public long unfinishedBytes() {
        return 0;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UserException(source + ": cannot close: " + e.getMessage(), e);
        }
    }

    /** The file's current size. */
    long size() {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new UserException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads bytes from {@code offset} into {@code into}, as many as fit below {@code size}; returns the count. */
    int read(long offset, byte[] into, long size) {
        int count = (int) Math.max(0, Math.min(into.length, size - offset));
        ByteBuffer buffer = ByteBuffer.wrap(into, 0, count);
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new UserException(source + ": ended at byte " + (offset + buffer.position())
                            + " while " + size + " bytes were expected; expected a file that is only appended to");
                }
            }
        } catch (IOException e) {
            throw new UserException(source + ": cannot read at byte " + offset + ": " + e.getMessage(), e);
        }
        return count;
    }
}
