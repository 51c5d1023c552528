package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * Where the whole part of an existing forecast file ends, and the input index its last forecast
 * answers: the file is read message by message from its start; it ends at the end of the last whole
 * record batch, before a message a killed writer left cut short or an end-of-stream marker.
 *
 * @param cut            the byte offset to cut the file at and append from; 0 for an empty file
 * @param hasSchema      whether the file's whole part starts with the schema message
 * @param lastInputIndex the last forecast's input index, or -1 when the file holds none
 */
record ForecastFileEnd(long cut, boolean hasSchema, long lastInputIndex) {

    /** Bytes past an end-of-stream marker that are looked at; more, and they are surely not a crash's leftovers. */
    private static final int MAX_TAIL = 1 << 20;

    /**
     * Reads {@code channel} (left open) from its start.
     *
     * @throws UserException if the file is not a forecast stream: not a stream, another schema, a
     *                       message other than a record batch, a batch that cannot be read, or
     *                       anything but zero bytes after an end-of-stream marker
     */
    static ForecastFileEnd scan(FileChannel channel, String source, BufferAllocator allocator) throws IOException {
        if (channel.size() == 0) {
            return new ForecastFileEnd(0, false, -1);
        }
        FileMessages messages = new FileMessages(channel, source);
        IpcMessage schema = messages.next();
        if (schema == null || schema.type() != MessageHeader.Schema) {
            throw new UserException(source + ": " + (schema == null ? "the stream has no whole schema message"
                    : "the stream starts with a " + schema.typeName() + " message") + "; expected an Arrow IPC stream "
                    + "of forecasts (" + ArrowSchemas.describe(ArrowSchemas.forecasts()) + ")");
        }
        if (!ArrowSchemas.sameShape(schema.schema(), ArrowSchemas.forecasts())) {
            throw new UserException(source + ": holds columns " + ArrowSchemas.describe(schema.schema())
                    + "; expected forecasts: " + ArrowSchemas.describe(ArrowSchemas.forecasts()));
        }
        IpcMessage lastWithRows = null;
        for (IpcMessage m = messages.next(); m != null; m = messages.next()) {
            if (m.type() != MessageHeader.RecordBatch) {
                throw new UserException(source + ": at byte " + m.offset() + ": a " + m.typeName()
                        + " message; expected record batches of forecasts");
            }
            if (m.rows() > 0) {
                lastWithRows = m;
            }
        }
        long cut = messages.position();
        if (messages.ended()) {
            requireNothingAfterEnd(messages, cut, source);
        }
        return new ForecastFileEnd(cut, true, lastWithRows == null ? -1 : lastInputIndex(lastWithRows, source,
                allocator));
    }

    /** Refuses bytes other than zeros after the end-of-stream marker at {@code end} (a second stream, say). */
    private static void requireNothingAfterEnd(FileMessages messages, long end, String source) {
        long size = messages.size();
        byte[] tail = new byte[(int) Math.min(size - end, MAX_TAIL)];
        messages.read(end, tail, size);
        // The marker is FF FF FF FF 00 00 00 00 or, written before Arrow 0.15 (or a disk's zeros), 00 00 00 00.
        int marker = tail[0] == (byte) 0xFF ? IpcFraming.PREFIX : 4;
        boolean zeros = size - end <= MAX_TAIL;
        for (int i = marker; i < tail.length && zeros; i++) {
            zeros = tail[i] == 0;
        }
        if (!zeros) {
            throw new UserException(source + ": has " + (size - end - marker) + " bytes after its end-of-stream marker"
                    + " at byte " + end + "; expected nothing after it (one stream, which this sink continues)");
        }
    }

    private static long lastInputIndex(IpcMessage batch, String source, BufferAllocator allocator) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(ArrowSchemas.forecasts(), allocator);
             ArrowRecordBatch recordBatch = batch.recordBatch(allocator)) {
            new VectorLoader(root).load(recordBatch);
            return ForecastVectors.inputIndex(root, root.getRowCount() - 1);
        } catch (IOException | RuntimeException e) {
            throw new UserException(source + ": the record batch at byte " + batch.offset() + " cannot be read ("
                    + e.getMessage() + "); expected a batch of forecasts", e);
        }
    }
}
