package dev.chimera.timeseries.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The incremental forecaster against a batch forecast of the same history, snapshots, and batching. */
class ForecasterTest {
    private static final int L = 8;
    private static final int S = 4;
    private static final long STEP = 3600;
    private static final long T0 = 1_467_331_200L; // 2016-07-01 00:00 UTC

    static TsModel model(String head) {
        TsSettings s = new TsSettings(L, S, 6, 2, head, true, 3.0, STEP);
        ModelConfig c = ModelConfig.tiny().toBuilder().input(CoreComponents.continuous(s.tokenWidth(), "linear"))
                .head(head.equals("fourier") ? CoreComponents.fourier(16, 4, S) : CoreComponents.regression(S)).build();
        Decoder d = new Decoder(c, 2 * s.context(), new ScalarBackend());
        d.initialise(3);
        Random r = new Random(5);
        float[] w = new float[L * S];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.1);
        }
        return new TsModel(null, d, s, new LinearSkip(L, S, w));
    }

    static double[][] series(int channels, int n, long seed) {
        Random r = new Random(seed);
        double[][] v = new double[channels][n];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < n; t++) {
                v[c][t] = 10 * c + Math.sin(t * 0.7 + c) * (2 + c) + 0.3 * r.nextGaussian() + 0.05 * t;
            }
        }
        return v;
    }

    private static double[] row(double[][] v, int t) {
        double[] r = new double[v.length];
        for (int c = 0; c < v.length; c++) {
            r[c] = v[c][t];
        }
        return r;
    }

    /**
     * The batch forecast by its definition, through the Rollout alone: prefill the L points before
     * the last rebuild boundary (normalised by their statistics), step the completed segments since,
     * roll from the last boundary, drop the points already observed.
     */
    private static double[] batchForecast(TsModel m, double[] raw, int n, int horizon) {
        TsSettings s = m.settings();
        int k = s.prefillSegments();
        int segments = n / S;
        // Prefills happen at segment boundaries k, k + refresh + 1, k + 2 (refresh + 1), ...
        int build = k + ((segments - k) / (s.refresh() + 1)) * (s.refresh() + 1);
        int boundary = build * S;
        InstanceNorm norm = InstanceNorm.of(raw, boundary - L, boundary);
        Rollout rollout = m.rollout(1);
        DecoderState[] state = {rollout.newState()};
        float[][] hidden = new float[1][m.decoder().config().dModel()];
        float[] lookback = new float[L];
        for (int t = 0; t < L; t++) {
            lookback[t] = norm.normalise(raw[boundary - L + t]);
        }
        rollout.prefill(state, 1, new float[][] {lookback}, new long[] {T0 + (boundary - L) * STEP}, STEP, hidden);
        int last = segments * S;
        for (int b = boundary; b < last; b += S) {
            float[] seg = new float[S];
            for (int j = 0; j < S; j++) {
                seg[j] = norm.normalise(raw[b + j]);
            }
            rollout.step(state, 1, new float[][] {seg}, new long[] {T0 + b * STEP}, hidden);
        }
        float[] context = new float[L];
        for (int t = 0; t < L; t++) {
            context[t] = norm.normalise(raw[last - L + t]);
        }
        int pending = n - last;
        Forecasts out = Forecasts.allocate(1, pending + horizon, new double[0]);
        rollout.roll(state, 1, hidden, new float[][] {context}, new long[] {T0 + last * STEP}, STEP, pending + horizon,
                out);
        double[] f = new double[horizon];
        for (int t = 0; t < horizon; t++) {
            f[t] = norm.restore(out.point()[0][pending + t]);
        }
        return f;
    }

    @Test
    void incrementalForecastEqualsTheBatchForecastOfTheSameHistory() {
        TsModel m = model("point");
        double[][] v = series(2, 61, 1);
        Forecaster f = new Forecaster(m, 2, 4);
        for (int n = 1; n <= 61; n++) {
            f.observe("a", T0 + (n - 1) * STEP, row(v, n - 1));
            if (n >= L && (n % 5 == 0 || n == L)) {
                Forecaster.Forecast got = f.forecast("a", 9, new double[0]);
                assertEquals(T0 + n * STEP, got.firstTimestamp());
                for (int c = 0; c < 2; c++) {
                    double[] expected = batchForecast(m, v[c], n, 9);
                    assertArrayEquals(expected, got.point()[c], 1e-9, "history " + n + ", channel " + c);
                }
            }
        }
    }

    @Test
    void aForecastLeavesTheStateAsItWas() {
        TsModel m = model("point");
        double[][] v = series(1, 12, 4);
        Forecaster f = new Forecaster(m, 1, 1);
        for (int t = 0; t < 8; t++) {
            f.observe("a", T0 + t * STEP, row(v, t));
        }
        double[] first = f.forecast("a", 9, new double[0]).point()[0];
        double[] second = f.forecast("a", 9, new double[0]).point()[0];
        assertArrayEquals(first, second, 0.0);
    }

    @Test
    void aRestoredSnapshotContinuesExactly() {
        TsModel m = model("fourier");
        double[][] v = series(3, 70, 2);
        Forecaster original = new Forecaster(m, 3, 3);
        for (int t = 0; t < 37; t++) {
            original.observe("s", T0 + t * STEP, row(v, t));
        }
        byte[] snapshot = original.snapshot("s");
        Forecaster restored = new Forecaster(m, 3, 3);
        restored.restore("s", snapshot);
        for (int t = 37; t < 70; t++) {
            original.observe("s", T0 + t * STEP, row(v, t));
            restored.observe("s", T0 + t * STEP, row(v, t));
            double[] levels = {0.1, 0.5, 0.9};
            Forecaster.Forecast a = original.forecast("s", 7, levels);
            Forecaster.Forecast b = restored.forecast("s", 7, levels);
            for (int c = 0; c < 3; c++) {
                assertArrayEquals(a.point()[c], b.point()[c], 0.0);
                for (int q = 0; q < 3; q++) {
                    assertArrayEquals(a.quantiles()[c][q], b.quantiles()[c][q], 0.0);
                }
            }
        }
    }

    @Test
    void seriesSteppedAndForecastTogetherMatchSeriesAlone() {
        TsModel m = model("point");
        Forecaster together = new Forecaster(m, 1, 8);
        List<double[][]> data = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            data.add(series(1, 30, 10 + i));
        }
        for (int t = 0; t < 30; t++) {
            List<Forecaster.Observation> tick = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                tick.add(new Forecaster.Observation("s" + i, T0 + t * STEP, row(data.get(i), t)));
            }
            together.observeAll(tick);
        }
        List<Forecaster.Forecast> all = together.forecastAll(List.of("s0", "s1", "s2"), 11, new double[0]);
        for (int i = 0; i < 3; i++) {
            Forecaster alone = new Forecaster(m, 1, 1);
            for (int t = 0; t < 30; t++) {
                alone.observe("x", T0 + t * STEP, row(data.get(i), t));
            }
            // Bit for bit: the scalar backend computes each row on its own.
            assertArrayEquals(alone.forecast("x", 11, new double[0]).point()[0], all.get(i).point()[0], 0.0);
        }
    }

    @Test
    void samplePathsAreSeededAndDrawnFromTheForecastDensity() {
        TsModel m = model("fourier");
        double[][] v = series(2, 30, 6);
        Forecaster wide = new Forecaster(m, 2, 16);
        Forecaster narrow = new Forecaster(m, 2, 2);
        for (int t = 0; t < 30; t++) {
            wide.observe("a", T0 + t * STEP, row(v, t));
            narrow.observe("a", T0 + t * STEP, row(v, t));
        }
        double[][][] paths = wide.samples("a", 6, 400, 11);
        double[][][] again = narrow.samples("a", 6, 400, 11);
        for (int p = 0; p < 400; p++) {
            for (int c = 0; c < 2; c++) {
                assertArrayEquals(paths[p][c], again[p][c], 0.0, "path " + p + " channel " + c);
            }
        }
        double[] levels = {0.1, 0.5, 0.9};
        Forecaster.Forecast f = wide.forecast("a", 6, levels);
        for (int c = 0; c < 2; c++) {
            double[] first = new double[400];
            double mean = 0;
            for (int p = 0; p < 400; p++) {
                first[p] = paths[p][c][0];
                mean += first[p] / 400;
            }
            java.util.Arrays.sort(first);
            double spread = f.quantiles()[c][2][0] - f.quantiles()[c][0][0];
            // the first point's draws follow its density: mean, decile and median within Monte Carlo error
            assertEquals(f.point()[c][0], mean, 0.1 * spread);
            assertEquals(f.quantiles()[c][0][0], first[40], 0.1 * spread);
            assertEquals(f.quantiles()[c][1][0], first[200], 0.1 * spread);
            assertEquals(f.quantiles()[c][2][0], first[360], 0.1 * spread);
        }
        double[][][] other = wide.samples("a", 6, 3, 12);
        assertFalse(java.util.Arrays.equals(other[0][0], paths[0][0]));
    }

    @Test
    void aCentredDensityLeavesTheForecastToTheSkipAndGivesTheSpread() {
        TsModel density = model("fourier");
        TsModel centred = new TsModel(null, density.decoder(), density.settings().centredOnSkip(true), density.skip());
        double[][] v = series(1, 8, 8);
        InstanceNorm norm = InstanceNorm.of(v[0], 0, L);
        float[] lookback = new float[L];
        for (int t = 0; t < L; t++) {
            lookback[t] = norm.normalise(v[0][t]);
        }
        float[] skipped = new float[S];
        centred.skip().apply(lookback, 0, skipped, 0);
        double[] levels = {0.1, 0.5, 0.9};
        Forecasts a = Forecasts.allocate(1, S, levels);
        Forecasts b = Forecasts.allocate(1, S, levels);
        Forecasts withoutMedian = Forecasts.allocate(1, S, new double[] {0.1, 0.9});
        for (Forecasts into : new Forecasts[] {a, b, withoutMedian}) {
            TsModel m = into == a ? density : centred;
            Rollout r = m.rollout(1);
            r.forecast(new DecoderState[] {r.newState()}, 1, new float[][] {lookback}, new long[] {T0}, STEP, S,
                    new float[1][m.decoder().config().dModel()], into);
        }
        for (int j = 0; j < S; j++) {
            assertEquals(skipped[j], b.point()[0][j], 1e-6f);
            assertEquals(skipped[j], b.quantiles()[0][1][j], 1e-6f);
            // the spread is the density's, moved so that its median is the skip's value
            assertEquals(a.quantiles()[0][2][j] - a.quantiles()[0][0][j], b.quantiles()[0][2][j] - b.quantiles()[0][0][j],
                    1e-5f);
            assertEquals(a.quantiles()[0][2][j] - a.quantiles()[0][1][j], b.quantiles()[0][2][j] - skipped[j], 1e-5f);
            // the median the shift needs is read whether or not 0.5 is asked for: the same bits
            assertEquals(b.quantiles()[0][0][j], withoutMedian.quantiles()[0][0][j]);
            assertEquals(b.quantiles()[0][2][j], withoutMedian.quantiles()[0][1][j]);
        }
    }

    @Test
    void pastTheTrainedPositionsARollRebuildsFromItsLastLookback() {
        TsModel m = model("point");
        int k = m.settings().prefillSegments();
        int rebuildAt = m.settings().context() - k;   // segments stepped before the state is full
        float[] lookback = new float[L];
        Random r = new Random(12);
        for (int t = 0; t < L; t++) {
            lookback[t] = (float) r.nextGaussian();
        }
        Rollout rollout = m.rollout(1);
        DecoderState[] state = {rollout.newState()};
        float[][] hidden = new float[1][m.decoder().config().dModel()];
        int segments = rebuildAt + 5;
        Forecasts full = Forecasts.allocate(1, segments * S, new double[0]);
        rollout.forecast(state, 1, new float[][] {lookback}, new long[] {T0}, STEP, segments * S, hidden, full);
        // the segments after the rebuild are the forecast from the last L values known at that point
        int cut = (rebuildAt + 1) * S;
        float[] series = new float[L + cut];
        System.arraycopy(lookback, 0, series, 0, L);
        System.arraycopy(full.point()[0], 0, series, L, cut);
        float[] later = java.util.Arrays.copyOfRange(series, cut, cut + L);
        Forecasts tail = Forecasts.allocate(1, segments * S - cut, new double[0]);
        rollout.forecast(state, 1, new float[][] {later}, new long[] {T0 + (long) cut * STEP}, STEP, segments * S - cut,
                hidden, tail);
        assertArrayEquals(tail.point()[0], java.util.Arrays.copyOfRange(full.point()[0], cut, segments * S), 1e-6f);
        // and a horizon far past the decoder's capacity is no error
        Forecasts longer = Forecasts.allocate(1, 60 * S, new double[0]);
        rollout.forecast(state, 1, new float[][] {lookback}, new long[] {T0}, STEP, 60 * S, hidden, longer);
        assertArrayEquals(full.point()[0], java.util.Arrays.copyOf(longer.point()[0], segments * S), 0f);
    }

    @Test
    void refusesAForecastBeforeTheLookbackAndAGapInTime() {
        TsModel m = model("point");
        Forecaster f = new Forecaster(m, 1, 1);
        f.observe("a", T0, new double[] {1});
        assertThrows(IllegalStateException.class, () -> f.forecast("a", 4, new double[0]));
        assertThrows(IllegalArgumentException.class, () -> f.observe("a", T0 + 2 * STEP, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> f.observe("a", T0 + STEP, new double[] {1, 2}));
    }
}
