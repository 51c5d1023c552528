package dev.chimera.streaming.io;

import dev.chimera.runtime.UserException;
import dev.chimera.streaming.record.ForecastRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * Reads back the forecasts of a stream {@link ArrowForecastSink} wrote, for tests and tools. It uses
 * Arrow's own stream reader, so what it reads any Arrow reader reads: the stream ends at its
 * end-of-stream marker or at the end of its bytes, and a message cut short is an error.
 */
public final class ArrowForecastReader {

    private ArrowForecastReader() {
    }

    /**
     * Every forecast in {@code file}, in order.
     *
     * @throws UserException if the file is missing, not a forecast stream, or ends inside a message
     */
    public static List<ForecastRecord> readAll(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return readAll(in, file.toString());
        } catch (IOException e) {
            throw new UserException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Every forecast in the stream {@code in} (not closed), in order; {@code name} names it in errors. */
    public static List<ForecastRecord> readAll(InputStream in, String name) {
        List<ForecastRecord> forecasts = new ArrayList<>();
        try (BufferAllocator allocator = new RootAllocator();
             ArrowStreamReader reader = new ArrowStreamReader(in, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            if (!ArrowSchemas.sameShape(root.getSchema(), ArrowSchemas.forecasts())) {
                throw new UserException(name + ": holds columns " + ArrowSchemas.describe(root.getSchema())
                        + "; expected forecasts: " + ArrowSchemas.describe(ArrowSchemas.forecasts()));
            }
            while (reader.loadNextBatch()) {
                for (int row = 0; row < root.getRowCount(); row++) {
                    forecasts.add(read(root, row, forecasts.size(), name));
                }
            }
        } catch (IOException e) {
            throw new UserException(name + ": not a readable Arrow IPC stream after " + forecasts.size()
                    + " forecasts: " + e.getMessage(), e);
        }
        return forecasts;
    }

    private static ForecastRecord read(VectorSchemaRoot root, int row, int index, String name) {
        try {
            return ForecastVectors.read(root, row);
        } catch (RuntimeException e) {
            throw new UserException(name + ": forecast " + index + " (from 0) cannot be read: " + e.getMessage()
                    + "; expected a forecast whose fields are not null and agree", e);
        }
    }
}
