package dev.chimera.timeseries.model;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.DoubleStream;

/**
 * Forecasting with a {@link TsModel} in buffers made once for up to maxBatch sequences: prefill a
 * lookback's segments into decoder states, step one completed segment, and roll a forecast of any
 * horizon (predict a segment from the last hidden state, append it, step, repeat: AutoTimes' one
 * model for every horizon). All values are in per-instance-normalised units; whoever holds the
 * series' {@link InstanceNorm} undoes it.
 *
 * <p>A roll never touches the states it starts from (it steps copies), so the {@link Forecaster}
 * can forecast from a series' state and go on observing.
 */
public final class Rollout {
    private final TsSettings settings;
    private final LinearSkip skip;
    private final Backend backend;
    private final Decoder.Inference inference;
    private final int maxBatch;
    private final int d;
    private final int outSize;
    private final Tensor prefillTokens;  // host (maxBatch, K, S + F)
    private final Tensor stepTokens;     // host (maxBatch, 1, S + F)
    private final Tensor hiddenIn;       // (maxBatch, d) on the backend: hidden rows a roll starts from
    private final float[] hostHidden;    // (maxBatch * d)
    private final float[] hostOut;       // (maxBatch * head output row)
    private final float[][] contexts;    // (maxBatch, L) the rolling windows the skip reads
    private final float[] skipped;       // (S)
    private final ReadLevels readLevels = new ReadLevels();
    private final DecoderState[] scratch;
    private final DecoderState fresh;    // a state at position 0: what forecast() resets states to

    Rollout(TsModel model, int maxBatch) {
        this.settings = model.settings();
        this.skip = model.skip();
        Decoder decoder = model.decoder();
        this.backend = decoder.backend();
        this.maxBatch = maxBatch;
        this.d = decoder.config().dModel();
        this.inference = decoder.inference(maxBatch, settings.prefillSegments());
        int width = settings.tokenWidth();
        this.prefillTokens = Tensor.zeros(maxBatch, settings.prefillSegments(), width);
        this.stepTokens = Tensor.zeros(maxBatch, 1, width);
        this.hiddenIn = backend.allocate(maxBatch, d);
        this.hostHidden = new float[maxBatch * d];
        int size = 1;
        for (int s : decoder.head().outputShape()) {
            size *= s;
        }
        this.outSize = size;
        this.hostOut = new float[maxBatch * size];
        this.contexts = new float[maxBatch][settings.lookback()];
        this.skipped = new float[settings.segment()];
        this.scratch = new DecoderState[maxBatch];
        for (int i = 0; i < maxBatch; i++) {
            scratch[i] = decoder.newState();
        }
        this.fresh = decoder.newState();
    }

    public int maxBatch() {
        return maxBatch;
    }

    /**
     * Feeds n sequences' lookbacks (normalised, L values each, their first point at firstTimes[i])
     * into states[0, n) as K = L/S tokens; hidden[i] (d) receives each one's last hidden state.
     */
    public void prefill(DecoderState[] states, int n, float[][] lookbacks, long[] firstTimes, long step,
                        float[][] hidden) {
        int s = settings.segment();
        int k = settings.prefillSegments();
        int width = settings.tokenWidth();
        float[] rows = prefillTokens.data();
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                int row = prefillTokens.offset() + (i * k + p) * width;
                System.arraycopy(lookbacks[i], p * s, rows, row, s);
                CalendarFeatures.of(firstTimes[i] + (long) p * s * step, rows, row + s);
            }
        }
        int[] lengths = new int[n];
        Arrays.fill(lengths, k);
        Tensor h = inference.prefill(states, Inputs.values(prefillTokens.slice(0, n)), lengths);
        for (int i = 0; i < n; i++) {
            Tensor last = h.select(i).slice(k - 1, k);
            backend.download(hidden[i], last.view(d));
        }
    }

    /** Steps states[0, n) by one segment each (normalised values, first point at times[i]); hidden[i] receives the new hidden state. */
    public void step(DecoderState[] states, int n, float[][] segments, long[] times, float[][] hidden) {
        fillStepTokens(n, segments, times, 0);
        Tensor h = inference.step(states, Inputs.values(stepTokens.slice(0, n)));
        backend.download(hostHidden, h);
        for (int i = 0; i < n; i++) {
            System.arraycopy(hostHidden, i * d, hidden[i], 0, d);
        }
    }

    /**
     * Forecasts {@code horizon} points after each of n sequences whose states hold their history,
     * whose last hidden states are hidden[i] and whose last L normalised values are lookbacks[i];
     * the first forecast point falls at nextTimes[i]. The states are left as they were.
     */
    public void roll(DecoderState[] states, int n, float[][] hidden, float[][] lookbacks, long[] nextTimes, long step,
                     int horizon, Forecasts out) {
        roll(states, n, hidden, lookbacks, nextTimes, step, horizon, out, null);
    }

    /**
     * Seeded sample paths of a Fourier-head model: as {@link #roll}, but each value is drawn from
     * its density (inverse CDF at a uniform draw of {@code new SplittableRandom(seeds[i])}) and the
     * drawn segment, not the mean, is what the model continues from, so a path's segments hang
     * together. Paths go to out.point(); out's quantiles are left alone.
     */
    public void sample(DecoderState[] states, int n, float[][] hidden, float[][] lookbacks, long[] nextTimes, long step,
                       int horizon, long[] seeds, Forecasts out) {
        if (!settings.fourier()) {
            throw new IllegalArgumentException("sample paths need a Fourier-head model; a point model has no density");
        }
        SplittableRandom[] draws = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            draws[i] = new SplittableRandom(seeds[i]);
        }
        roll(states, n, hidden, lookbacks, nextTimes, step, horizon, out, draws);
    }

    private void roll(DecoderState[] states, int n, float[][] hidden, float[][] lookbacks, long[] nextTimes, long step,
                      int horizon, Forecasts out, SplittableRandom[] draws) {
        int s = settings.segment();
        int l = settings.lookback();
        boolean advances = horizon > s; // a horizon of one segment needs no step, so no copy of the states
        for (int i = 0; i < n; i++) {
            if (advances) {
                scratch[i].copyFrom(states[i]);
            }
            System.arraycopy(lookbacks[i], 0, contexts[i], 0, l);
            System.arraycopy(hidden[i], 0, hostHidden, i * d, d);
        }
        Tensor current = hiddenIn.slice(0, n);
        backend.upload(current, hostHidden);
        float[][] segments = new float[n][s];
        for (int done = 0; done < horizon; done += s) {
            Tensor output = inference.output(current);
            backend.download(hostOut, output);
            for (int i = 0; i < n; i++) {
                nextSegment(i, done, horizon, out, segments[i], draws == null ? null : draws[i]);
            }
            if (done + s >= horizon) {
                break;
            }
            for (int i = 0; i < n; i++) {
                System.arraycopy(contexts[i], s, contexts[i], 0, l - s);
                System.arraycopy(segments[i], 0, contexts[i], l - s, s);
            }
            current = advance(n, segments, nextTimes, done, step);
        }
    }

    /**
     * Feeds each sequence's new segment (the one starting {@code done} points after nextTimes[i]):
     * one batched step, except for sequences whose state has reached the positions the model was
     * trained on; those are rebuilt from their last L values (AutoTimes' "append, drop the
     * oldest"), so a forecast of any horizon stays on trained positions. Returns the new hidden
     * rows (n, d) in order.
     */
    private Tensor advance(int n, float[][] segments, long[] nextTimes, int done, long step) {
        int rebuilds = 0;
        for (int i = 0; i < n; i++) {
            rebuilds += scratch[i].position() >= settings.context() ? 1 : 0;
        }
        if (rebuilds == 0) {
            fillStepTokens(n, segments, nextTimes, (long) done * step);
            return inference.step(scratch, Inputs.values(stepTokens.slice(0, n)));
        }
        int s = settings.segment();
        long back = (long) (done + s - settings.lookback()) * step;  // the rebuilt lookback's first point
        List<Integer> stepped = new ArrayList<>();
        List<Integer> rebuilt = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (scratch[i].position() >= settings.context() ? rebuilt : stepped).add(i);
        }
        float[] row = new float[d];
        if (!stepped.isEmpty()) {
            DecoderState[] group = new DecoderState[stepped.size()];
            float[][] groupSegments = new float[group.length][];
            long[] groupTimes = new long[group.length];
            for (int g = 0; g < group.length; g++) {
                int i = stepped.get(g);
                group[g] = scratch[i];
                groupSegments[g] = segments[i];
                groupTimes[g] = nextTimes[i];
            }
            fillStepTokens(group.length, groupSegments, groupTimes, (long) done * step);
            Tensor h = inference.step(group, Inputs.values(stepTokens.slice(0, group.length)));
            for (int g = 0; g < group.length; g++) {
                backend.download(row, h.slice(g, g + 1).view(d));
                System.arraycopy(row, 0, hostHidden, stepped.get(g) * d, d);
            }
        }
        DecoderState[] group = new DecoderState[rebuilt.size()];
        float[][] groupContexts = new float[group.length][];
        long[] firstTimes = new long[group.length];
        float[][] groupHidden = new float[group.length][d];
        for (int g = 0; g < group.length; g++) {
            int i = rebuilt.get(g);
            scratch[i].copyFrom(fresh);
            group[g] = scratch[i];
            groupContexts[g] = contexts[i];
            firstTimes[g] = nextTimes[i] + back;
        }
        prefill(group, group.length, groupContexts, firstTimes, step, groupHidden);
        for (int g = 0; g < group.length; g++) {
            System.arraycopy(groupHidden[g], 0, hostHidden, rebuilt.get(g) * d, d);
        }
        Tensor current = hiddenIn.slice(0, n);
        backend.upload(current, hostHidden);
        return current;
    }

    /** A state at position 0 of this model's decoder, with the capacity this rollout's states have. */
    public DecoderState newState() {
        return fresh.copy();
    }

    /** Resets states[0, n) (made by {@link #newState}), prefills and rolls: the forecast of each of n lookbacks. */
    public void forecast(DecoderState[] states, int n, float[][] lookbacks, long[] firstTimes, long step, int horizon,
                         float[][] hidden, Forecasts out) {
        long[] next = new long[n];
        for (int i = 0; i < n; i++) {
            states[i].copyFrom(fresh);
            next[i] = firstTimes[i] + (long) settings.lookback() * step;
        }
        prefill(states, n, lookbacks, firstTimes, step, hidden);
        roll(states, n, hidden, lookbacks, next, step, horizon, out);
    }

    /**
     * Sequence i's segment after position {@code done}: skip plus the head's residual (its mean, or
     * a draw when {@code draw} is given), into out and segment.
     */
    private void nextSegment(int i, int done, int horizon, Forecasts out, float[] segment, SplittableRandom draw) {
        int s = settings.segment();
        if (skip != null) {
            skip.apply(contexts[i], 0, skipped, 0);
        } else {
            Arrays.fill(skipped, 0f);
        }
        int base = i * outSize;
        double[] levels = out.levels();
        if (settings.fourier()) {
            readLevels.prepare(levels, settings.centred());
        }
        for (int j = 0; j < s; j++) {
            double residual;
            if (settings.fourier()) {
                int bins = outSize / s;
                int from = base + j * bins;
                boolean quantiles = draw == null && done + j < horizon && levels.length > 0;
                // a centred density gives the spread around the skip's forecast: its median is moved to 0
                double shift = 0;
                if (quantiles) {
                    BinnedQuantiles.quantiles(hostOut, from, bins, readLevels.all, readLevels.values);
                    shift = settings.centred() ? readLevels.values[readLevels.median] : 0;
                } else if (settings.centred() && draw != null) {
                    shift = BinnedQuantiles.quantile(hostOut, from, bins, 0.5);
                }
                residual = settings.range() * (draw != null
                        ? BinnedQuantiles.quantile(hostOut, from, bins, draw.nextDouble()) - shift
                        : settings.centred() ? 0 : BinnedQuantiles.mean(hostOut, from, bins));
                if (quantiles) {
                    for (int q = 0; q < levels.length; q++) {
                        out.quantiles()[i][q][done + j] = (float) (skipped[j]
                                + settings.range() * (readLevels.values[readLevels.at[q]] - shift));
                    }
                }
            } else {
                residual = hostOut[base + j];
            }
            segment[j] = (float) (skipped[j] + residual);
            if (done + j < horizon) {
                out.point()[i][done + j] = segment[j];
            }
        }
    }

    private void fillStepTokens(int n, float[][] segments, long[] times, long offsetSeconds) {
        int s = settings.segment();
        int width = settings.tokenWidth();
        float[] rows = stepTokens.data();
        for (int i = 0; i < n; i++) {
            int row = stepTokens.offset() + i * width;
            System.arraycopy(segments[i], 0, rows, row, s);
            CalendarFeatures.of(times[i] + offsetSeconds, rows, row + s);
        }
    }

    /**
     * The levels a forecast reads each density at in one pass: the levels asked for and, for a centred
     * model, the median its shift needs (the same bits as reading it alone). Remade only when the levels
     * asked for change.
     */
    private static final class ReadLevels {
        private double[] asked = new double[0];
        private boolean withMedian;
        double[] all = new double[0];    // increasing, no repeats
        int[] at = new int[0];           // asked[q] is all[at[q]]
        int median = -1;                 // 0.5 is all[median] when withMedian
        double[] values = new double[0]; // (all.length) the quantiles of the density last read

        void prepare(double[] levels, boolean median) {
            if (median == withMedian && Arrays.equals(levels, asked)) {
                return;
            }
            all = DoubleStream.concat(Arrays.stream(levels), median ? DoubleStream.of(0.5) : DoubleStream.empty())
                    .sorted().distinct().toArray();
            at = Arrays.stream(levels).mapToInt(level -> Arrays.binarySearch(all, level)).toArray();
            this.median = median ? Arrays.binarySearch(all, 0.5) : -1;
            values = new double[all.length];
            asked = levels.clone();
            withMedian = median;
        }
    }
}
