package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes the messages of an Arrow IPC stream of one schema: the schema message, record batches of
 * records, the end-of-stream marker. Each message is built in memory and written with one write,
 * then flushed, so that a reader following the output sees a message whole or not at all (a process
 * killed while writing leaves at most one message cut short) and never waits on a buffer.
 */
final class IpcStreamOutput {

    /** What writes a message into a channel. */
    private interface MessageWriter {
        void writeTo(WriteChannel channel) throws IOException;
    }

    private final OutputStream out;
    private final String target;
    private final Schema schema;
    private final BufferAllocator allocator;

    /**
     * Writes messages of {@code schema} to {@code out}, which must be at a message boundary (a
     * multiple of 8 bytes into the stream, as every message is 8-byte aligned).
     */
    IpcStreamOutput(OutputStream out, String target, Schema schema, BufferAllocator allocator) {
        this.out = out;
        this.target = target;
        this.schema = schema;
        this.allocator = allocator;
    }

    /** Writes the schema message, which starts a stream. */
    void writeSchema() {
        write(channel -> MessageSerializer.serialize(channel, schema, IpcOption.DEFAULT));
    }

    /** Writes {@code records} as one record batch, its vectors filled by {@code fill}. */
    <R> void writeBatch(List<R> records, BiConsumer<VectorSchemaRoot, List<R>> fill) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            root.allocateNew();
            fill.accept(root, records);
            root.setRowCount(records.size());
            try (ArrowRecordBatch batch = new VectorUnloader(root).getRecordBatch()) {
                write(channel -> MessageSerializer.serialize(channel, batch, IpcOption.DEFAULT));
            }
        }
    }

    /** Writes the end-of-stream marker. */
    void writeEndOfStream() {
        write(channel -> ArrowStreamWriter.writeEndOfStream(channel, IpcOption.DEFAULT));
    }

    private void write(MessageWriter message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            message.writeTo(new WriteChannel(Channels.newChannel(bytes)));
            bytes.writeTo(out);
            out.flush();
        } catch (IOException e) {
            throw new UserException(target + ": cannot write: " + e.getMessage(), e);
        }
        if (out instanceof PrintStream print && print.checkError()) {
            throw new UserException(target + ": cannot write (closed by its reader?)");
        }
    }
}
