package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;

/**
 * How the messages of an Arrow IPC stream are framed, read without Arrow's reader so that a message
 * not yet all written can be told from a whole one. Each message is
 * <pre>
 *   FF FF FF FF    continuation marker
 *   int32 LE       metadata length M (a multiple of 8 as Arrow writers pad it)
 *   M bytes        flatbuffer Message: type, body length B, schema or batch metadata
 *   B bytes        body: the batch's buffers
 * </pre>
 * and the stream ends with the end-of-stream marker {@code FF FF FF FF 00 00 00 00} (or the pre-0.15
 * marker {@code 00 00 00 00}), or where its bytes end. Pre-0.15 streams, whose messages lack the
 * continuation marker, are not read.
 */
final class IpcFraming {

    /** What {@link #metadataLength} returns when the bytes given end before the message's prefix does. */
    static final int INCOMPLETE = -1;
    /** What {@link #metadataLength} returns for an end-of-stream marker. */
    static final int END = 0;
    /** Bytes of the prefix before the metadata: continuation marker and length. */
    static final int PREFIX = 8;

    private static final int CONTINUATION = 0xFFFFFFFF;
    /** The largest body read: a message is held in one Java array. */
    private static final long MAX_BODY = Integer.MAX_VALUE - 8;

    private IpcFraming() {
    }

    /**
     * The metadata length of the message at {@code offset} whose first {@code count} bytes (up to 8)
     * are in {@code head}: {@link #END} for an end-of-stream marker, {@link #INCOMPLETE} when the
     * prefix is not all there.
     *
     * @throws UserException if the bytes are not a message's prefix (at offset 0: not an IPC stream)
     */
    static int metadataLength(byte[] head, int count, String source, long offset) {
        if (count < 4) {
            // At the stream's start, tell a file that is not a stream from its first byte on.
            for (int i = 0; i < count && offset == 0; i++) {
                if (head[i] != (byte) 0xFF) {
                    throw notAMessage(head, count, source, offset);
                }
            }
            return INCOMPLETE;
        }
        int marker = intAt(head, 0);
        if (marker == 0 && offset > 0) {
            return END;
        }
        if (marker != CONTINUATION) {
            throw notAMessage(head, count, source, offset);
        }
        if (count < PREFIX) {
            return INCOMPLETE;
        }
        int length = intAt(head, 4);
        if (length < 0) {
            throw new UserException(source + ": at byte " + offset + ": a message with metadata length " + length
                    + "; expected a length of at least 0 (a corrupt stream)");
        }
        return length;
    }

    /**
     * The flatbuffer header of the message at {@code offset}, read from its metadata bytes.
     *
     * @throws UserException if they are not a Message header of Arrow's metadata version 4 or 5
     */
    static Message header(byte[] metadata, String source, long offset) {
        Message message;
        short version;
        byte type;
        long bodyLength;
        try {
            // A flatbuffer is read lazily: reading its fields is where garbage shows.
            message = Message.getRootAsMessage(ByteBuffer.wrap(metadata));
            version = message.version();
            type = message.headerType();
            bodyLength = message.bodyLength();
        } catch (RuntimeException e) {
            throw new UserException(source + ": at byte " + offset + ": unreadable message metadata (" + e
                    + "); expected an Arrow IPC message (a corrupt stream)", e);
        }
        if (version != MetadataVersion.V4 && version != MetadataVersion.V5) {
            throw new UserException(source + ": at byte " + offset + ": a message of metadata version " + version
                    + "; expected 3 or 4 (V4 or V5: Arrow 0.15 or later)");
        }
        if (type <= MessageHeader.NONE || type > MessageHeader.SparseTensor) {
            throw new UserException(source + ": at byte " + offset + ": a message of unknown type " + type
                    + "; expected a schema or a record batch (a corrupt stream)");
        }
        if (bodyLength < 0 || bodyLength > MAX_BODY) {
            throw new UserException(source + ": at byte " + offset + ": a message body of " + bodyLength
                    + " bytes; expected 0 to " + MAX_BODY + " bytes per message (write smaller record batches)");
        }
        return message;
    }

    private static int intAt(byte[] bytes, int at) {
        return ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static UserException notAMessage(byte[] head, int count, String source, long offset) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(count, 4); i++) {
            hex.append(i == 0 ? "" : " ").append(String.format("%02X", head[i]));
        }
        if (offset == 0) {
            String hint = count >= 4 && head[0] == 'A' && head[1] == 'R' && head[2] == 'R' && head[3] == 'O'
                    ? " (an Arrow IPC file, the random-access format: write the streaming format, as "
                    + "pyarrow.ipc.new_stream does)" : "";
            return new UserException(source + ": not an Arrow IPC stream: it starts with bytes " + hex + hint
                    + "; expected FF FF FF FF, the start of a stream's schema message");
        }
        return new UserException(source + ": at byte " + offset + ": found bytes " + hex + " where a message starts;"
                + " expected FF FF FF FF or an end-of-stream marker (a corrupt stream)");
    }
}
