package dev.chimera.streaming.consumer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One series as the consumer sees it before the forecaster: its channel count (fixed by its first
 * observation), its last timestamp and last values. {@link #admit} decides what an observation
 * becomes: the points to observe (itself, after any interpolated gap), late, a restart of the series,
 * or a dead letter with its reason.
 */
final class SeriesGate {
    final String id;
    final int channels;
    private long lastTimestamp;
    private double[] lastValues;

    /** What {@link #admit} made of an observation. */
    record Admission(Kind kind, List<double[]> points, long firstTimestamp, String reason) {
        enum Kind { OBSERVE, RESTART, LATE, DEAD }

        static Admission dead(String reason) {
            return new Admission(Kind.DEAD, List.of(), 0, reason);
        }
    }

    SeriesGate(String id, int channels) {
        this.id = id;
        this.channels = channels;
    }

    /** Whether a series' first observation can start it; the reason it cannot, or null. */
    static String firstProblem(String id, double[] values, boolean holdMissing) {
        return valueProblem(id, values, null, holdMissing);
    }

    /**
     * Why {@code values} cannot be observed, or null: an infinity, or a NaN unless {@code holdMissing}
     * and there is a {@code last} value to hold (null for a series' first observation).
     */
    private static String valueProblem(String id, double[] values, double[] last, boolean holdMissing) {
        for (int c = 0; c < values.length; c++) {
            if (Double.isInfinite(values[c])) {
                return "series " + id + ": value " + (c + 1) + " is " + values[c] + "; expected a finite number";
            }
            if (Double.isNaN(values[c]) && !(holdMissing && last != null)) {
                return "series " + id + ": value " + (c + 1) + " is NaN" + (holdMissing
                        ? " in its first observation (--on-missing hold has no earlier value to hold)"
                        : "; --on-missing error refuses missing values (hold takes the channel's last value)");
            }
        }
        return null;
    }

    /** Starts the series with its first observation (checked by {@link #firstProblem}). */
    void start(long timestamp, double[] values) {
        lastTimestamp = timestamp;
        lastValues = values.clone();
    }

    /** What an observation after the first becomes, given the model's grid {@code step} in seconds. */
    Admission admit(long timestamp, double[] values, long step, ConsumerSettings settings) {
        if (values.length != channels) {
            return Admission.dead(String.format(Locale.ROOT, "series %s: %d values; expected %d, as in its first "
                    + "observation", id, values.length, channels));
        }
        long delta = timestamp - lastTimestamp;
        if (delta <= 0) {
            long lateness = -delta;
            return lateness <= settings.maxLatenessSeconds()
                    ? new Admission(Admission.Kind.LATE, List.of(), 0, null)
                    : Admission.dead(String.format(Locale.ROOT, "series %s: timestamp %d is %d s behind its last (%d); "
                    + "--max-lateness allows %d s", id, timestamp, lateness, lastTimestamp, settings.maxLatenessSeconds()));
        }
        if (delta % step != 0) {
            return Admission.dead(String.format(Locale.ROOT, "series %s: timestamp %d is %d s after its last (%d), "
                    + "not a whole number of the model's %d s steps", id, timestamp, delta, lastTimestamp, step));
        }
        String problem = valueProblem(id, values, lastValues, settings.holdMissing());
        if (problem != null) {
            return Admission.dead(problem);
        }
        double[] held = values.clone();
        for (int c = 0; c < channels; c++) {
            if (Double.isNaN(held[c])) {
                held[c] = lastValues[c]; // --on-missing hold
            }
        }
        long missing = delta / step - 1;
        if (missing > settings.maxGapSteps()) {
            start(timestamp, held);
            return new Admission(Admission.Kind.RESTART, List.of(held), timestamp, null);
        }
        List<double[]> points = new ArrayList<>();
        for (long g = 1; g <= missing; g++) {
            double[] filled = new double[channels];
            double w = (double) g / (missing + 1);
            for (int c = 0; c < channels; c++) {
                filled[c] = lastValues[c] + w * (held[c] - lastValues[c]);
            }
            points.add(filled);
        }
        points.add(held);
        long first = lastTimestamp + step;
        start(timestamp, held);
        return new Admission(Admission.Kind.OBSERVE, points, first, null);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeUTF(id);
        out.writeInt(channels);
        out.writeLong(lastTimestamp);
        for (double v : lastValues) {
            out.writeDouble(v);
        }
    }

    static SeriesGate read(DataInputStream in) throws IOException {
        SeriesGate gate = new SeriesGate(in.readUTF(), in.readInt());
        gate.lastTimestamp = in.readLong();
        gate.lastValues = new double[gate.channels];
        for (int c = 0; c < gate.channels; c++) {
            gate.lastValues[c] = in.readDouble();
        }
        return gate;
    }
}
