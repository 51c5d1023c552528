package dev.chimera.timeseries.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.timeseries.baseline.Baseline;
import dev.chimera.timeseries.baseline.Ets;
import dev.chimera.timeseries.baseline.QuantileLevels;
import dev.chimera.timeseries.baseline.RepeatLast;
import dev.chimera.timeseries.baseline.Ridge;
import dev.chimera.timeseries.baseline.SeasonalNaive;
import dev.chimera.timeseries.data.Split;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BaselineEvaluationTest {

    private static final Split SPLIT = new Split(600, 800, 1000);
    private static final int LOOKBACK = 96;
    private static final int[] HORIZONS = {12, 24, 48};

    /** Three channels: a period-24 cycle, a drifting level and noise; one masked value in the test part. */
    private static double[][] data() {
        Random r = new Random(21);
        double[][] y = new double[3][1000];
        for (int c = 0; c < 3; c++) {
            double level = 0;
            for (int t = 0; t < 1000; t++) {
                level += 0.05 * r.nextGaussian();
                y[c][t] = Math.sin(2 * Math.PI * t / 24 + c) + level + 0.3 * r.nextGaussian();
            }
        }
        y[1][900] = Double.NaN;
        return y;
    }

    private static List<Baseline> baselines(ComputePool pool) {
        return List.of(new RepeatLast(), new SeasonalNaive(), Ridge.withFixedLambda(pool, 0.1), new Ets(0, true));
    }

    @Test
    void resultsAreBitIdenticalAtAnyThreadCount() {
        double[][] y = data();
        List<MethodResult> one;
        List<MethodResult> three;
        try (ComputePool pool = new ComputePool(1)) {
            one = new BaselineEvaluation(pool, LOOKBACK, HORIZONS, QuantileLevels.defaults())
                    .evaluateAll(baselines(pool), y, SPLIT);
        }
        try (ComputePool pool = new ComputePool(3)) {
            three = new BaselineEvaluation(pool, LOOKBACK, HORIZONS, QuantileLevels.defaults())
                    .evaluateAll(baselines(pool), y, SPLIT);
        }
        for (int i = 0; i < one.size(); i++) {
            List<EvaluationRow> a = one.get(i).rows();
            List<EvaluationRow> b = three.get(i).rows();
            for (int k = 0; k < a.size(); k++) {
                EvaluationRow ra = a.get(k);
                EvaluationRow rb = b.get(k);
                String what = ra.method() + " " + ra.horizon();
                assertEquals(ra.mse(), rb.mse(), 0, what);
                assertEquals(ra.mae(), rb.mae(), 0, what);
                assertEquals(ra.wql(), rb.wql(), 0, what);
                assertEquals(ra.coverage(), rb.coverage(), 0, what);
                assertTrue(Double.isFinite(ra.mse()), what);
            }
        }
    }

    @Test
    void scoresEveryTestWindowOnce() {
        double[][] y = data();
        try (ComputePool pool = new ComputePool(2)) {
            BaselineEvaluation ev = new BaselineEvaluation(pool, LOOKBACK, HORIZONS, QuantileLevels.defaults());
            SeasonalNaive naive = new SeasonalNaive();
            MethodResult r = ev.evaluate(naive, y, SPLIT);
            assertEquals(24, naive.period());
            assertArrayEquals(new int[] {200 - 12 + 1, 200 - 24 + 1, 200 - 48 + 1}, r.windows());
            for (int k = 0; k < HORIZONS.length; k++) {
                int h = HORIZONS[k];
                // the same windows by hand: origins 800 .. 1000 - H, all channels, masked actual skipped
                double sse = 0;
                double sae = 0;
                long n = 0;
                double[] f = new double[h];
                for (int c = 0; c < 3; c++) {
                    for (int o = 800; o <= 1000 - h; o++) {
                        naive.forecast(y, c, o, h, f);
                        for (int i = 0; i < h; i++) {
                            double e = y[c][o + i] - f[i];
                            if (!Double.isNaN(e)) {
                                sse += e * e;
                                sae += Math.abs(e);
                                n++;
                            }
                        }
                    }
                }
                assertEquals(n, r.metrics()[k].count());
                // the same terms summed in another order
                assertEquals(sse / n, r.at(h).mse(), 1e-12);
                assertEquals(sae / n, r.at(h).mae(), 1e-12);
            }
            EvaluationRow avg = r.average();
            assertEquals((r.at(12).mse() + r.at(24).mse() + r.at(48).mse()) / 3, avg.mse(), 1e-15);
            assertEquals("avg", avg.horizon());
            assertTrue(avg.wql() > 0 && avg.coverage() > 0.5, "seasonal naive has quantiles: " + avg);
        }
    }

    @Test
    void perHorizonForecastsScoreLikeTruncatedOnes() {
        double[][] y = data();
        try (ComputePool pool = new ComputePool(2)) {
            BaselineEvaluation ev = new BaselineEvaluation(pool, LOOKBACK, HORIZONS, QuantileLevels.defaults());
            SeasonalNaive nested = new SeasonalNaive(24);
            MethodResult a = ev.evaluate(nested, y, SPLIT);
            MethodResult b = ev.evaluate(new NotNested(new SeasonalNaive(24)), y, SPLIT);
            for (int h : HORIZONS) {
                assertEquals(a.at(h).mse(), b.at(h).mse(), 0);
                assertEquals(a.at(h).wql(), b.at(h).wql(), 0);
            }
        }
    }

    @Test
    void tableAndJsonNameEveryRow() {
        double[][] y = data();
        try (ComputePool pool = new ComputePool(1)) {
            MethodResult r = new BaselineEvaluation(pool, LOOKBACK, HORIZONS, QuantileLevels.defaults())
                    .evaluate(new RepeatLast(), y, SPLIT);
            String table = BaselineEvaluation.table(List.of(r));
            assertEquals(1 + 4, table.lines().count());
            assertTrue(table.contains("repeat-last") && table.contains("avg"), table);
            assertTrue(r.average().toJson().startsWith("{\"method\":\"repeat-last\",\"horizon\":\"avg\""));
            assertTrue(r.average().toJson().contains("\"wql\":null"));
        }
    }

    @Test
    void refusesATestPartShorterThanAHorizon() {
        try (ComputePool pool = new ComputePool(1)) {
            BaselineEvaluation ev = new BaselineEvaluation(pool, LOOKBACK, new int[] {250}, QuantileLevels.defaults());
            assertThrows(IllegalArgumentException.class, () -> ev.evaluate(new RepeatLast(), data(), SPLIT));
        }
    }

    /** Delegates everything but claims its horizons are fitted separately. */
    private record NotNested(Baseline inner) implements Baseline {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void fit(double[][] scaled, Split split, int lookback, int[] horizons) {
            inner.fit(scaled, split, lookback, horizons);
        }

        @Override
        public void forecast(double[][] scaled, int channel, int origin, int horizon, double[] out) {
            inner.forecast(scaled, channel, origin, horizon, out);
        }

        @Override
        public boolean hasQuantiles() {
            return inner.hasQuantiles();
        }

        @Override
        public void quantiles(double[][] scaled, int channel, int origin, int horizon, double[] levels,
                              double[][] out) {
            inner.quantiles(scaled, channel, origin, horizon, levels, out);
        }

        @Override
        public boolean nestedHorizons() {
            return false;
        }
    }
}
