package dev.chimera.timeseries.model;

import dev.chimera.core.decoder.DecoderState;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** One series: the last L raw points per channel in a ring, and its channels' decoder states. */
final class SeriesState {
    private final int channels;
    private final TsSettings settings;
    private final Rollout rollout;
    private final int d;
    final String id;
    final double[][] ring;        // (channels, L + S) raw values, ring-indexed by point count % (L + S): the
                                  // lookback before the last boundary and the points since
    long observed;                // points observed
    long lastTimestamp;
    int pending;                  // points since the last segment boundary
    int segmentsSinceBuild;       // segments completed since the last prefill
    long buildBoundary;           // observed count at the last prefill (its lookback ends there)
    InstanceNorm[] norms;         // (channels) statistics of the last prefill's lookback
    DecoderState[] states;        // (channels), null before the first prefill
    float[][] hidden;             // (channels, d) the last hidden state
    DecoderState freshTemplate;

    SeriesState(String id, int channels, TsSettings settings, Rollout rollout, int d) {
        this.id = id;
        this.channels = channels;
        this.settings = settings;
        this.rollout = rollout;
        this.d = d;
        this.ring = new double[channels][settings.lookback() + settings.segment()];
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

    void write(DataOutputStream out) throws IOException {
        out.writeInt(channels);
        out.writeInt(settings.lookback());
        out.writeLong(observed);
        out.writeLong(lastTimestamp);
        out.writeInt(pending);
        out.writeInt(segmentsSinceBuild);
        out.writeLong(buildBoundary);
        for (double[] r : ring) {
            for (double v : r) {
                out.writeDouble(v);
            }
        }
        out.writeBoolean(states != null);
        if (states != null) {
            for (int c = 0; c < channels; c++) {
                out.writeDouble(norms[c].mean());
                out.writeDouble(norms[c].std());
                byte[] b = states[c].toBytes();
                out.writeInt(b.length);
                out.write(b);
                for (float h : hidden[c]) {
                    out.writeFloat(h);
                }
            }
        }
    }

    void read(DataInputStream in) throws IOException {
        if (in.readInt() != channels || in.readInt() != settings.lookback()) {
            throw new IOException("snapshot of another channel count or lookback");
        }
        observed = in.readLong();
        lastTimestamp = in.readLong();
        pending = in.readInt();
        segmentsSinceBuild = in.readInt();
        buildBoundary = in.readLong();
        for (double[] r : ring) {
            for (int t = 0; t < r.length; t++) {
                r[t] = in.readDouble();
            }
        }
        if (in.readBoolean()) {
            int saved = segmentsSinceBuild;
            long savedBoundary = buildBoundary;
            states = null;
            norms = new InstanceNorm[channels];
                states = new DecoderState[channels];
            hidden = new float[channels][d];
            freshTemplate = rollout.newState();
            for (int c = 0; c < channels; c++) {
                norms[c] = new InstanceNorm(in.readDouble(), in.readDouble());
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                states[c] = rollout.newState();
                states[c].readBytes(b);
                for (int j = 0; j < d; j++) {
                    hidden[c][j] = in.readFloat();
                }
            }
            segmentsSinceBuild = saved;
            buildBoundary = savedBoundary;
        }
    }
}
