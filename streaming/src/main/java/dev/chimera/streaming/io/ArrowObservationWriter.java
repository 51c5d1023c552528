package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.record.Observation;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Writes observations as an Arrow IPC stream of {@link ArrowSchemas#observations()} (values as a
 * list; an append time of 0 as a null {@code appended}), what {@link ArrowInputSource} reads: test
 * inputs, or a replay to a file or a pipe. Each {@link #flush} writes what was appended since as one
 * record batch, whole with one write, so that a consumer following the file sees it at once.
 */
public final class ArrowObservationWriter implements AutoCloseable {

    private final BufferAllocator allocator = new RootAllocator();
    private final String name;
    private final IpcStreamOutput output;
    /** The file {@link #close} closes, or null for a stream owned by the caller. */
    private final OutputStream ownedStream;
    private final List<Observation> pending = new ArrayList<>();

    private ArrowObservationWriter(OutputStream out, String name, boolean owned) {
        this.name = name;
        this.output = new IpcStreamOutput(out, name, ArrowSchemas.observations(), allocator);
        this.ownedStream = owned ? out : null;
        output.writeSchema();
    }

    /**
     * Creates {@code file}, or replaces what it held, and writes the schema message.
     *
     * @throws UserException if it cannot be written
     */
    public static ArrowObservationWriter create(Path file) {
        try {
            return new ArrowObservationWriter(Files.newOutputStream(file), file.toString(), true);
        } catch (IOException e) {
            throw new UserException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** Writes the schema message to {@code out}, which {@link #close} does not close; {@code name} names it in errors. */
    public static ArrowObservationWriter toStream(OutputStream out, String name) {
        return new ArrowObservationWriter(out, name, false);
    }

    /** Appends an observation to the next batch. */
    public void append(Observation observation) {
        pending.add(observation);
    }

    /** Writes the observations appended since the last flush as one record batch; nothing when there are none. */
    public void flush() {
        if (!pending.isEmpty()) {
            output.writeBatch(pending, ArrowObservationWriter::fill);
            pending.clear();
        }
    }

    /** Flushes and ends the stream with its end-of-stream marker. */
    @Override
    public void close() {
        try {
            flush();
            output.writeEndOfStream();
            if (ownedStream != null) {
                ownedStream.close();
            }
        } catch (IOException e) {
            throw new UserException(name + ": cannot close: " + e.getMessage(), e);
        } finally {
            allocator.close();
        }
    }

    private static void fill(VectorSchemaRoot root, List<Observation> observations) {
        VarCharVector series = (VarCharVector) root.getVector("series");
        BigIntVector timestamp = (BigIntVector) root.getVector("timestamp");
        ListVector values = (ListVector) root.getVector("values");
        Float8Vector items = (Float8Vector) values.getDataVector();
        BigIntVector appended = (BigIntVector) root.getVector("appended");
        for (int row = 0; row < observations.size(); row++) {
            Observation o = observations.get(row);
            series.setSafe(row, o.series().getBytes(StandardCharsets.UTF_8));
            timestamp.setSafe(row, o.timestamp());
            int first = values.startNewValue(row);
            for (int c = 0; c < o.values().length; c++) {
                items.setSafe(first + c, o.values()[c]);
            }
            values.endValue(row, o.values().length);
            if (o.appendedMicros() == 0) {
                appended.setNull(row);
            } else {
                appended.setSafe(row, o.appendedMicros());
            }
        }
    }
}
