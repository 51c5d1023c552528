package dev.chimera.streaming.io;

import java.io.IOException;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One whole message of an Arrow IPC stream: where it lies in the stream, its flatbuffer header
 * (type, body length, and the schema or batch metadata) and its body bytes.
 *
 * @param offset the stream's byte offset of the message's first byte (its continuation marker)
 * @param end    the offset just past the message's body: where the next message starts
 * @param header the message's metadata
 * @param body   the message's body, {@code header.bodyLength()} bytes
 */
record IpcMessage(long offset, long end, Message header, byte[] body) {

    /** The message type, one of {@link MessageHeader}'s constants. */
    byte type() {
        return header.headerType();
    }

    /** The message type's name, as {@code RecordBatch}. */
    String typeName() {
        return MessageHeader.name(type());
    }

    /** The schema a schema message holds. */
    Schema schema() {
        return MessageSerializer.deserializeSchema(header);
    }

    /** The number of rows of a record batch message, told by its header alone. */
    long rows() {
        return ((RecordBatch) header.header(new RecordBatch())).length();
    }

    /**
     * The record batch a record batch message holds, its buffers in memory of {@code allocator}; the
     * caller closes it.
     *
     * @throws IOException if the header does not describe a batch this Arrow version can hold
     */
    ArrowRecordBatch recordBatch(BufferAllocator allocator) throws IOException {
        ArrowBuf buffer = allocator.buffer(body.length);
        buffer.setBytes(0, body);
        try {
            // Takes over the buffer: the batch holds slices of it, and closing the batch frees it.
            return MessageSerializer.deserializeRecordBatch(header, buffer);
        } catch (IOException | RuntimeException e) {
            buffer.close();
            throw e;
        }
    }
}
