package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.record.ForecastRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Forecasts as an Arrow IPC stream of {@link ArrowSchemas#forecasts()}, to a file or standard output:
 * each {@link #flush} writes what was appended since as one record batch (nothing when nothing was).
 *
 * <p>A file is continued across restarts. Opening an existing one reads it through, cuts off a
 * message that a killed writer left cut short (and an end-of-stream marker), and appends batches
 * after its last whole one, so the file stays one stream with one schema; {@link #lastInputIndex} is
 * then the input index of its last forecast. The file is locked while open, so that a second
 * consumer cannot write into it.
 *
 * <p>End-of-stream marker: {@link #close} writes one, so that a reader following the stream knows the
 * writer is done; a restart removes it before appending, so the marker is only ever at the end of the
 * file. A killed writer leaves none: readers take the end of the bytes as the end of the stream
 * (pyarrow and Arrow Java do), and a reader following the file waits for more.
 */
public final class ArrowForecastSink implements RecordSink<ForecastRecord> {

    private final BufferAllocator allocator;
    private final IpcStreamOutput output;
    /** What {@link #close} closes besides the allocator: the file, or nothing for a stream owned by the caller. */
    private final AutoCloseable resource;
    private final long lastInputIndex;
    private final List<ForecastRecord> pending = new ArrayList<>();

    private ArrowForecastSink(String target, BufferAllocator allocator, OutputStream out, AutoCloseable resource,
                              long lastInputIndex) {
        this.allocator = allocator;
        this.output = new IpcStreamOutput(out, target, ArrowSchemas.forecasts(), allocator);
        this.resource = resource;
        this.lastInputIndex = lastInputIndex;
    }

    /**
     * Opens {@code file} to continue it, or creates it with the schema message when it does not exist
     * or is empty.
     *
     * @throws UserException if the file is not a forecast stream (another schema, not Arrow at all, ...),
     *                       is locked by another writer, or cannot be read or written
     */
    public static ArrowForecastSink open(Path file) {
        String target = file.toString();
        BufferAllocator allocator = new RootAllocator();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            lock(channel, target);
            ForecastFileEnd end = ForecastFileEnd.scan(channel, target, allocator);
            channel.truncate(end.cut());
            channel.position(end.cut());
            ArrowForecastSink sink = new ArrowForecastSink(target, allocator, Channels.newOutputStream(channel),
                    channel, end.lastInputIndex());
            if (!end.hasSchema()) {
                sink.output.writeSchema();
            }
            return sink;
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            allocator.close();
            throw e instanceof UserException u ? u : new UserException(target + ": cannot open forecasts: " + e, e);
        }
    }

    /** Writes to standard output ({@link System#out} as it is now, which nothing else may write to). */
    public static ArrowForecastSink standardOutput() {
        return toStream(System.out, "standard output");
    }

    /**
     * Writes a new stream (schema first) to {@code out}, which {@link #close} flushes but does not close;
     * {@code name} names it in errors.
     */
    public static ArrowForecastSink toStream(OutputStream out, String name) {
        ArrowForecastSink sink = new ArrowForecastSink(name, new RootAllocator(), out, null, -1);
        sink.output.writeSchema();
        return sink;
    }

    @Override
    public long lastInputIndex() {
        return lastInputIndex;
    }

    @Override
    public void append(ForecastRecord record) {
        pending.add(record);
    }

    @Override
    public void flush() {
        if (!pending.isEmpty()) {
            output.writeBatch(pending, ForecastVectors::fill);
            pending.clear();
        }
    }

    /** Flushes, writes the end-of-stream marker and closes the file. */
    @Override
    public void close() {
        try {
            flush();
            output.writeEndOfStream();
        } finally {
            closeQuietly(resource);
            allocator.close();
        }
    }

    private static void lock(FileChannel channel, String target) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new UserException(target + ": is open for writing by another consumer; expected one writer per "
                    + "forecast file");
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception ignored) {
                // Closing after a failure, or after everything was written and flushed: nothing more to save.
            }
        }
    }
}
