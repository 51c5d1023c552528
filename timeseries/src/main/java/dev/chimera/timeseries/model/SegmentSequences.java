package dev.chimera.timeseries.model;

import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.DataSource;
import java.util.Random;

/**
 * Training and validation sequences for next-segment prediction with teacher forcing (AutoTimes):
 * a sequence of {@code context} segment tokens of one channel (channel independence: every column
 * is its own sequence, one shared model), normalised by the statistics of its first L points (the
 * lookback a forecast prefills), each position's target the following segment. With the linear
 * skip the target is the residual of the skip's prediction from the L points ending at that
 * position; for the Fourier head it is divided by the range and clipped into [-1, 1].
 *
 * <p>A sequence is named by its channel and origin o, the first point after its lookback: it reads
 * rows [o - L, o + (context - L/S + 1) S), and the skip of its first position reads back to
 * o - 2L + S. Only sequences whose rows all lie in [from, to) of the series and hold no missing
 * value are drawn. Batch {@code index} is a pure function of the index and the seed.
 */
public final class SegmentSequences implements DataSource {
    private final double[][] values;   // (channels, rows) raw
    private final long[] timestamps;   // (rows) epoch seconds
    private final TsSettings settings;
    private final LinearSkip skip;     // null: the decoder predicts the values themselves
    private final int batch;
    private final long seed;
    private final int[] channels;      // candidate sequences: channel and origin
    private final int[] origins;
    private final String description;

    // Reused per batch: (batch, context, S + F) inputs and (batch * context, S) targets.
    private final float[] inputRows;
    private final float[] targets;
    private final float[] scratch;     // normalised rows of one sequence, skip window included

    /**
     * Sequences of the rows [from, to) of the series, e.g. [0, trainEnd) for training or
     * [trainEnd - reach, validationEnd) for validation, where {@link #reachBefore} says how far a
     * sequence reads before its origin.
     */
    public SegmentSequences(double[][] values, long[] timestamps, int from, int to, TsSettings settings,
                            LinearSkip skip, int batch, long seed, String part) {
        this.values = values;
        this.timestamps = timestamps;
        this.settings = settings;
        this.skip = skip;
        this.batch = batch;
        this.seed = seed;
        int before = reachBefore(settings, skip != null);
        int after = reachAfter(settings);
        int count = 0;
        int[] ch = new int[values.length * Math.max(0, to - from)];
        int[] or = new int[ch.length];
        for (int c = 0; c < values.length; c++) {
            int[] missing = missingPrefix(values[c]);
            for (int o = from + before; o + after <= to; o++) {
                if (missing[o + after] - missing[o - before] == 0) {
                    ch[count] = c;
                    or[count] = o;
                    count++;
                }
            }
        }
        this.channels = java.util.Arrays.copyOf(ch, count);
        this.origins = java.util.Arrays.copyOf(or, count);
        this.description = String.format(java.util.Locale.ROOT, "%s: %,d sequences of %d segments of %d points "
                + "(%d channels), batch %d", part, count, settings.context(), settings.segment(), values.length, batch);
        this.inputRows = new float[batch * settings.context() * settings.tokenWidth()];
        this.targets = new float[batch * settings.context() * settings.segment()];
        this.scratch = new float[before + after];
    }

    /** Rows a sequence reads before its origin: the lookback, and with the skip the first position's window. */
    public static int reachBefore(TsSettings s, boolean skip) {
        return skip ? 2 * s.lookback() - s.segment() : s.lookback();
    }

    /** Rows a sequence reads from its origin on: the positions after the prefill and the last target. */
    public static int reachAfter(TsSettings s) {
        return (s.context() - s.prefillSegments() + 1) * s.segment();
    }

    public int size() {
        return origins.length;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public Batch batch(long index) {
        if (origins.length == 0) {
            throw new IllegalStateException(description + ": no sequence to draw");
        }
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + index);
        for (int b = 0; b < batch; b++) {
            int pick = random.nextInt(origins.length);
            fill(b, channels[pick], origins[pick]);
        }
        return batchOfFilled();
    }

    /** The {@code index}-th of the fixed batches that cover the candidates evenly: for evaluation. */
    public Batch evenBatch(int index, int batches) {
        long total = (long) batches * batch;
        for (int b = 0; b < batch; b++) {
            long k = (index * (long) batch + b) * origins.length / total;
            fill(b, channels[(int) k], origins[(int) k]);
        }
        return batchOfFilled();
    }

    private Batch batchOfFilled() {
        int t = settings.context();
        Tensor x = Tensor.of(inputRows.clone(), batch, t, settings.tokenWidth());
        return new Batch(Inputs.values(x), Targets.values(targets.clone(), null));
    }

    /** Sequence b of the batch: channel c, origin o. */
    private void fill(int b, int c, int o) {
        int s = settings.segment();
        int l = settings.lookback();
        int before = scratch.length - reachAfter(settings);
        int first = o - before;
        InstanceNorm norm = InstanceNorm.of(values[c], o - l, o);
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = norm.normalise(values[c][first + i]);
        }
        int t = settings.context();
        int width = settings.tokenWidth();
        float[] predicted = new float[s];
        for (int p = 0; p < t; p++) {
            int start = before - l + p * s;           // this token's first point in scratch
            int row = (b * t + p) * width;
            System.arraycopy(scratch, start, inputRows, row, s);
            CalendarFeatures.of(timestamps[first + start], inputRows, row + s);
            int target = (b * t + p) * s;
            int next = start + s;
            if (skip != null) {
                skip.apply(scratch, next - l, predicted, 0);
            }
            for (int j = 0; j < s; j++) {
                float residual = scratch[next + j] - (skip == null ? 0f : predicted[j]);
                targets[target + j] = settings.fourier()
                        ? (float) Math.max(-1, Math.min(1, residual / settings.range())) : residual;
            }
        }
    }

    /** missing[i] = number of NaN among values[0, i). */
    private static int[] missingPrefix(double[] values) {
        int[] m = new int[values.length + 1];
        for (int i = 0; i < values.length; i++) {
            m[i + 1] = m[i] + (Double.isNaN(values[i]) ? 1 : 0);
        }
        return m;
    }
}
