package dev.chimera.streaming.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.streaming.record.Observation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;

/** Test inputs and checks shared by the Arrow I/O tests. */
final class ArrowTestFiles {

    /** Doubles whose bits a lossy path would change: signed zeros, NaN payloads, subnormals, infinities. */
    static final double[] AWKWARD = {
        -0.0, 0.0, Double.longBitsToDouble(0x7ff8_0000_dead_beefL), Double.longBitsToDouble(0x7ff0_0000_0000_0001L),
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, -3.0e-310};

    private ArrowTestFiles() {
    }

    /** {@code n} observations of a few series, of one to three channels, some with append times. */
    static List<Observation> observations(int n) {
        List<Observation> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] values = new double[1 + i % 3];
            for (int c = 0; c < values.length; c++) {
                values[c] = AWKWARD[(i + c) % AWKWARD.length];
            }
            list.add(new Observation(i % 2 == 0 ? "série-ü" : "OT", 1_467_331_200L + 3600L * i, values,
                    i % 4 == 0 ? 0 : 1_700_000_000_000_000L + i));
        }
        return list;
    }

    /**
     * A whole observation stream in memory, one batch per group; {@code boundaries} gets the offset
     * where each message ends (schema, each batch, the end-of-stream marker).
     */
    static byte[] observationStream(List<List<Observation>> batches, List<Integer> boundaries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ArrowObservationWriter writer = ArrowObservationWriter.toStream(bytes, "memory")) {
            boundaries.add(bytes.size());
            for (List<Observation> batch : batches) {
                batch.forEach(writer::append);
                writer.flush();
                boundaries.add(bytes.size());
            }
        }
        boundaries.add(bytes.size());
        return bytes.toByteArray();
    }

    /** A stream of {@code schema} with one batch per filler, each filling the root and setting its row count. */
    @SafeVarargs
    static byte[] stream(Schema schema, Consumer<VectorSchemaRoot>... batches) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
             ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(bytes))) {
            writer.start();
            for (Consumer<VectorSchemaRoot> fill : batches) {
                root.allocateNew();
                fill.accept(root);
                writer.writeBatch();
            }
            writer.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Checks that {@code message} is one line and names {@code what}. */
    static void assertOneLineNaming(String message, String what) {
        assertFalse(message.contains("\n"), message);
        assertTrue(message.contains(what), "'" + message + "' does not name " + what);
    }

    /** Checks that two observation lists are equal, every double bit for bit (NaN payloads included). */
    static void assertSameObservations(List<Observation> expected, List<Observation> actual) {
        assertEquals(expected.size(), actual.size(), "observations");
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "observation " + i);
            assertBits(expected.get(i).values(), actual.get(i).values(), "observation " + i);
        }
    }

    /** Checks that two forecast lists are equal, every double bit for bit (NaN payloads included). */
    static void assertSameForecasts(List<ForecastRecord> expected, List<ForecastRecord> actual) {
        assertEquals(expected.size(), actual.size(), "forecasts");
        for (int i = 0; i < expected.size(); i++) {
            ForecastRecord e = expected.get(i);
            ForecastRecord a = actual.get(i);
            assertEquals(e, a, "forecast " + i);
            assertBits(e.point(), a.point(), "forecast " + i + " point");
            assertBits(e.levels(), a.levels(), "forecast " + i + " levels");
            for (int q = 0; q < e.quantiles().length; q++) {
                assertBits(e.quantiles()[q], a.quantiles()[q], "forecast " + i + " quantile " + q);
            }
        }
    }

    private static void assertBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    what + " value " + i + ": " + expected[i] + " read back as " + actual[i]);
        }
    }
}
