package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Observations from an Arrow IPC stream (the schema {@link ArrowSchemas} describes): a file that a
 * producer may still be appending to, followed as it grows, or standard input.
 *
 * <p>A row's input index is its position in the stream, 0, 1, ... over all record batches. A record
 * batch is read only once all its bytes are there, so a half-written batch is never seen: {@link #next}
 * returns null and a later call looks again. The stream {@link #ended ends} at its end-of-stream
 * marker, or, on standard input, where the bytes end; a file without the marker is followed forever.
 *
 * <p>A row that cannot be an observation comes back {@link InputRecord#refused refused}, with a reason
 * naming the source, the batch and row in it (both from 0), the input index, what was wrong and what
 * was expected, and the row as text; so does every row of a schema that does not fit and of a batch
 * that cannot be loaded (compressed, say). A file that is not an Arrow IPC stream, or a stream whose
 * framing breaks, is a {@link UserException}.
 *
 * <p>Dictionary batches are skipped: a dictionary-encoded column makes the schema unreadable anyway.
 */
public final class ArrowInputSource implements InputSource {

    private final String source;
    private final MessageSource messages;
    private final BufferAllocator allocator = new RootAllocator();
    /** The schema's columns, null until the schema message is read. */
    private ObservationColumns columns;
    /** The current batch's vectors, or null when the schema's columns cannot be held. */
    private VectorSchemaRoot root;
    /** Why the current batch cannot be loaded, or null. */
    private String batchProblem;
    /** The last input index {@link #startAfter} skips. */
    private long skipThrough = -1;
    /** The current record batch's number, from 0; -1 before the first. */
    private int batch = -1;
    /** The input index of the current batch's first row. */
    private long batchStart;
    private int batchRows;
    /** The current batch's next row to return. */
    private int batchRow;
    /** The input index of the first row after the batches read so far. */
    private long rowsSeen;
    private boolean unfinishedReported;

    private ArrowInputSource(MessageSource messages, String source) {
        this.messages = messages;
        this.source = source;
    }

    /**
     * Follows the stream in {@code file}, which may still be growing.
     *
     * @throws UserException if the file does not exist or does not start as an Arrow IPC stream
     */
    public static ArrowInputSource follow(Path file) {
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new UserException(source + ": " + (Files.exists(file) ? "not a regular file" : "no such file")
                    + "; expected an Arrow IPC stream of observations");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UserException(source + ": cannot open: " + e.getMessage(), e);
        }
        try {
            return new ArrowInputSource(new FileMessages(channel, source), source);
        } catch (UserException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** Reads the stream on standard input ({@link System#in} as it is now). */
    public static ArrowInputSource standardInput() {
        return fromStream(System.in, "standard input");
    }

    /** Reads the stream {@code in} as standard input is read (a thread reads ahead); {@code name} names it in errors. */
    public static ArrowInputSource fromStream(InputStream in, String name) {
        return new ArrowInputSource(new PipeMessages(in, name), name);
    }

    @Override
    public void startAfter(long lastIndex) {
        if (batch >= 0) {
            throw new IllegalStateException("startAfter after reading has begun");
        }
        skipThrough = lastIndex;
    }

    @Override
    public InputRecord next() {
        while (batchRow >= batchRows) {
            if (!readMessage()) {
                return unfinishedEnd();
            }
        }
        int row = batchRow++;
        long index = batchStart + row;
        String where = source + ", batch " + batch + " row " + row + " (input index " + index + "): ";
        if (batchProblem != null) {
            return InputRecord.refused(index, where + batchProblem, null);
        }
        if (columns.problem() != null) {
            return InputRecord.refused(index, where + columns.problem(), ObservationColumns.rowText(root, row));
        }
        try {
            return InputRecord.of(index, columns.observation(root, row));
        } catch (ObservationColumns.RefusedRow e) {
            return InputRecord.refused(index, where + e.getMessage(), ObservationColumns.rowText(root, row));
        }
    }

    @Override
    public boolean ended() {
        return messages.ended() && batchRow >= batchRows && (messages.unfinishedBytes() == 0 || unfinishedReported);
    }

    /** The rows of the current record batch not yet returned. */
    @Override
    public long backlog() {
        return batchRows - batchRow;
    }

    @Override
    public void close() {
        if (root != null) {
            root.close();
        }
        messages.close();
        allocator.close();
    }

    /** Reads the next message, if all there: the schema, a batch (loaded unless skipped whole), or a dictionary. */
    private boolean readMessage() {
        IpcMessage message = messages.next();
        if (message == null) {
            return false;
        }
        if (columns == null) {
            if (message.type() != MessageHeader.Schema) {
                throw new UserException(source + ": the stream starts with a " + message.typeName()
                        + " message; expected its schema");
            }
            useSchema(message.schema());
            return true;
        }
        switch (message.type()) {
            case MessageHeader.RecordBatch -> startBatch(message);
            case MessageHeader.DictionaryBatch -> {
                // Only a dictionary-encoded column needs it, and such a schema is refused.
            }
            default -> throw new UserException(source + ": at byte " + message.offset() + ": a " + message.typeName()
                    + " message; expected record batches of observations");
        }
        return true;
    }

    private void useSchema(Schema schema) {
        columns = ObservationColumns.of(schema);
        try {
            root = VectorSchemaRoot.create(schema, allocator);
        } catch (RuntimeException e) {
            columns = ObservationColumns.unreadable("cannot hold the schema's columns (" + e.getMessage()
                    + "); expected " + ArrowSchemas.describe(ArrowSchemas.observations()));
        }
    }

    private void startBatch(IpcMessage message) {
        long rows = message.rows();
        batch++;
        batchStart = rowsSeen;
        rowsSeen += rows;
        if (rowsSeen - 1 <= skipThrough) {
            batchRows = 0;
            batchRow = 0;
            return;
        }
        if (rows > Integer.MAX_VALUE) {
            throw new UserException(source + ": batch " + batch + " has " + rows + " rows; expected at most "
                    + Integer.MAX_VALUE);
        }
        batchRows = (int) rows;
        batchRow = (int) Math.max(0, skipThrough + 1 - batchStart);
        batchProblem = root == null ? columns.problem() : load(message);
    }

    /** Loads a record batch into {@link #root}; returns why it cannot be, or null. */
    private String load(IpcMessage message) {
        try (ArrowRecordBatch recordBatch = message.recordBatch(allocator)) {
            byte codec = recordBatch.getBodyCompression().getCodec();
            if (codec != CompressionUtil.CodecType.NO_COMPRESSION.getType()) {
                return "the batch is compressed (" + CompressionUtil.CodecType.fromCompressionType(codec)
                        + "); expected uncompressed record batches";
            }
            new VectorLoader(root).load(recordBatch);
            return null;
        } catch (IOException | RuntimeException e) {
            return "cannot load the batch (" + e.getMessage() + "); expected a record batch of the stream's schema";
        }
    }

    /** At the end of a pipe inside a message, that message refused once; otherwise null. */
    private InputRecord unfinishedEnd() {
        if (!messages.ended() || messages.unfinishedBytes() == 0 || unfinishedReported) {
            return null;
        }
        unfinishedReported = true;
        return InputRecord.refused(rowsSeen, source + ": the stream ends " + messages.unfinishedBytes()
                + " bytes into the message at byte " + messages.position() + "; expected the rest of the message, "
                + "or an end-of-stream marker", null);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Read-only: nothing is lost.
        }
    }
}
