package dev.chimera.streaming.record;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.openhft.chronicle.wire.ValueIn;
import net.openhft.chronicle.wire.ValueOut;

/**
 * Arrays of doubles as Chronicle Wire sequences of fixed 8-byte IEEE 754 values. The wire's
 * ordinary {@code float64} compresses (a whole number is written as an integer, so -0.0 comes back
 * as 0.0); fixed values keep every bit, NaN payloads included.
 */
final class WireArrays {

    private WireArrays() {
    }

    /** Writes {@code values} as a sequence of fixed doubles. */
    static void write(ValueOut out, double[] values) {
        out.sequence(values, (a, v) -> {
            for (double d : a) {
                v.fixedFloat64(d);
            }
        });
    }

    /** Writes each row as a sequence of fixed doubles, inside one sequence. */
    static void writeRows(ValueOut out, double[][] rows) {
        out.sequence(rows, (a, v) -> {
            for (double[] row : a) {
                write(v, row);
            }
        });
    }

    /** Reads a sequence {@link #write} wrote. */
    static double[] read(ValueIn in) {
        Doubles values = new Doubles();
        if (!in.sequence(values, (buffer, v) -> {
            while (v.hasNextSequenceItem()) {
                buffer.add(v.float64());
            }
        })) {
            throw new RecordFormatException("a null where a sequence of numbers was expected");
        }
        return values.toArray();
    }

    /** Reads a sequence of sequences {@link #writeRows} wrote. */
    static double[][] readRows(ValueIn in) {
        List<double[]> rows = new ArrayList<>();
        if (!in.sequence(rows, (list, v) -> {
            while (v.hasNextSequenceItem()) {
                list.add(read(v));
            }
        })) {
            throw new RecordFormatException("a null where a sequence of rows was expected");
        }
        return rows.toArray(new double[0][]);
    }

    /** A growing array of doubles, so a sequence reads without boxing. */
    private static final class Doubles {
        private double[] values = new double[16];
        private int size;

        void add(double d) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = d;
        }

        double[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
