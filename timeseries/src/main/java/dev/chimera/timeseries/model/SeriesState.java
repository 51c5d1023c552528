package dev.chimera.timeseries.model;

import dev.chimera.core.decoder.DecoderState;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One series: the last L raw points per channel in a ring, and its channels' decoder states. */
final class SeriesState {
    private final int channels;
    private final TsSettings settings;
    private final Rollout rollout;
    private final int d;
    final String id;
    final double[][] ring;        // (channels, L + (refresh + 1) S) raw values, ring-indexed by point count: the
                                  // lookback of the last build and every point since
    long observed;                // points observed
    long lastTimestamp;
    int pending;                  // points since the last segment boundary
    int segmentsSinceBuild;       // segments completed since the last prefill
    long buildBoundary;           // observed count at the last prefill (its lookback ends there)
    InstanceNorm[] norms;         // (channels) statistics of the last prefill's lookback
    DecoderState[] states;        // (channels), null before the first prefill
    float[][] hidden;             // (channels, d) the last hidden state
    DecoderState freshTemplate;
    boolean needsReplay;          // restored from bytes: its decoder states are still to be replayed

    SeriesState(String id, int channels, TsSettings settings, Rollout rollout, int d) {
        this.id = id;
        this.channels = channels;
        this.settings = settings;
        this.rollout = rollout;
        this.d = d;
        this.ring = new double[channels][ringLength(settings)];
    }

    /** Points a ring holds: the lookback of a build and the most points observed before the next build. */
    static int ringLength(TsSettings settings) {
        return settings.lookback() + (settings.refresh() + 1) * settings.segment();
    }

    void append(long timestamp, double[] values) {
        int at = (int) (observed % ring[0].length);
        for (int c = 0; c < channels; c++) {
            ring[c][at] = values[c];
        }
        observed++;
        lastTimestamp = timestamp;
        pending++;
    }

    /** Makes states on first use and takes the statistics of the L points that end at this boundary. */
    void build() {
        if (states == null) {
            states = new DecoderState[channels];
            hidden = new float[channels][d];
            freshTemplate = rollout.newState();
            for (int c = 0; c < channels; c++) {
                states[c] = rollout.newState();
            }
        }
        norms = new InstanceNorm[channels];
        buildBoundary = observed;
        segmentsSinceBuild = 0;
        for (int c = 0; c < channels; c++) {
            double[] raw = lastPoints(c);
            norms[c] = InstanceNorm.of(raw, 0, raw.length);
        }
    }

    /** The L raw points before the last segment boundary, oldest first. */
    double[] lastPoints(int c) {
        int l = settings.lookback();
        int size = ring[c].length;
        double[] raw = new double[l];
        long end = observed - pending;
        for (int t = 0; t < l; t++) {
            raw[t] = ring[c][(int) ((end - l + t) % size + size) % size];
        }
        return raw;
    }

    /** The lookback ending at the last boundary, normalised by the last build's statistics. */
    float[] boundaryLookback(int c) {
        double[] raw = lastPoints(c);
        float[] out = new float[raw.length];
        for (int t = 0; t < raw.length; t++) {
            out[t] = Double.isNaN(raw[t]) ? 0f : norms[c].normalise(raw[t]);
        }
        return out;
    }

    /** The timestamp of the first point after the last boundary. */
    long boundaryTime() {
        return lastTimestamp - (long) (pending - 1) * settings.stepSeconds();
    }

    /** Where a series stands: what {@link #moveToBoundary} changes and {@link #moveBack} puts back. */
    record Position(long observed, int pending, long lastTimestamp, int segmentsSinceBuild) {
    }

    Position position() {
        return new Position(observed, pending, lastTimestamp, segmentsSinceBuild);
    }

    /**
     * Makes the series look as it did just after its point number {@code boundary} (a segment boundary
     * at or after its last build): what a replay of its state needs to prefill and step as it once did.
     */
    void moveToBoundary(long boundary, Position real) {
        observed = boundary;
        pending = 0;
        lastTimestamp = real.lastTimestamp() - (real.observed() - boundary) * settings.stepSeconds();
    }

    void moveBack(Position real) {
        observed = real.observed();
        pending = real.pending();
        lastTimestamp = real.lastTimestamp();
        segmentsSinceBuild = real.segmentsSinceBuild();
    }

    /**
     * The state as bytes: counters and the ring of raw values, which holds the last build's lookback
     * and every point since, so the decoder states are not written: {@link Forecaster} replays them
     * (the same prefill and steps, the same bits) when it restores a series.
     */
    void write(DataOutputStream out, byte[] scratch) throws IOException {
        out.writeInt(channels);
        out.writeInt(settings.lookback());
        out.writeInt(ring[0].length);
        out.writeLong(observed);
        out.writeLong(lastTimestamp);
        out.writeInt(pending);
        out.writeInt(segmentsSinceBuild);
        out.writeLong(buildBoundary);
        out.writeBoolean(states != null || needsReplay);
        ByteBuffer bytes = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN); // the machine's: a plain copy
        for (double[] r : ring) {
            bytes.clear();
            bytes.asDoubleBuffer().put(r);
            out.write(scratch, 0, r.length * Double.BYTES);
        }
    }

    /** Reads what {@link #write} wrote; a series that had decoder states is marked {@link #needsReplay}. */
    void read(DataInputStream in, byte[] scratch) throws IOException {
        if (in.readInt() != channels || in.readInt() != settings.lookback() || in.readInt() != ring[0].length) {
            throw new IOException("snapshot of another channel count, lookback or refresh");
        }
        observed = in.readLong();
        lastTimestamp = in.readLong();
        pending = in.readInt();
        segmentsSinceBuild = in.readInt();
        buildBoundary = in.readLong();
        needsReplay = in.readBoolean();
        states = null;
        for (double[] r : ring) {
            in.readFully(scratch, 0, r.length * Double.BYTES);
            ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(r);
        }
    }
}
