package dev.chimera.timeseries.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsTest {

    /** Sums of a few terms: exact up to a few ulps. */
    private static final double TOL = 1e-12;

    @Test
    void pointMetricsSkipMaskedActuals() {
        Metrics m = new Metrics();
        // errors 1, 0, (masked), -2 -> MSE (1 + 0 + 4) / 3, MAE (1 + 0 + 2) / 3
        m.addPoints(new double[] {9, 1, 2, Double.NaN, 4}, 1, new double[] {0, 2, 100, 6}, 4);
        assertEquals(3, m.count());
        assertEquals(5.0 / 3, m.mse(), TOL);
        assertEquals(1.0, m.mae(), TOL);
        assertTrue(Double.isNaN(m.wql()), "no quantiles were scored");
    }

    @Test
    void quantileMetricsByHand() {
        Metrics m = new Metrics(new double[] {0.1, 0.5, 0.9});
        // y = 1:  2 rho: q.1 f=0 -> 2*0.1*1 = 0.2;  q.5 f=1 -> 0;  q.9 f=3 -> 2*0.1*2 = 0.4     (0.6, inside [0, 3])
        // y = -2: q.1 f=-1 -> 2*0.9*1 = 1.8;  q.5 f=-2 -> 0;  q.9 f=0 -> 2*0.1*2 = 0.4         (2.2, outside [-1, 0])
        // a masked actual in between is skipped
        double[] actual = {1, Double.NaN, -2};
        double[][] q = {{0, 7, -1}, {1, 7, -2}, {3, 7, 0}};
        m.addQuantiles(actual, 0, q, 3);
        assertEquals(2, m.quantileCount());
        assertEquals(2.8 / (3 * 3), m.wql(), TOL);             // sum 2 rho / (|Q| sum |y|)
        assertEquals(2.8 / (3 * 2), m.crpsQuantileApprox(), TOL);  // sum 2 rho / (|Q| N)
        assertEquals(0.5, m.coverage(), TOL);
        assertEquals(0.8, m.nominalCoverage(), TOL);
    }

    @Test
    void mergeEqualsOneAccumulator() {
        double[] levels = {0.1, 0.5, 0.9};
        java.util.Random r = new java.util.Random(3);
        double[] y = new double[50];
        double[] f = new double[50];
        double[][] q = new double[3][50];
        for (int i = 0; i < 50; i++) {
            y[i] = r.nextGaussian();
            f[i] = r.nextGaussian();
            q[0][i] = f[i] - 1;
            q[1][i] = f[i];
            q[2][i] = f[i] + 1;
        }
        Metrics all = new Metrics(levels);
        all.addPoints(y, 0, f, 50);
        all.addQuantiles(y, 0, q, 50);
        Metrics a = new Metrics(levels);
        Metrics b = new Metrics(levels);
        double[] f2 = java.util.Arrays.copyOfRange(f, 20, 50);
        double[][] q2 = {java.util.Arrays.copyOfRange(q[0], 20, 50), java.util.Arrays.copyOfRange(q[1], 20, 50),
                java.util.Arrays.copyOfRange(q[2], 20, 50)};
        a.addPoints(y, 0, f, 20);
        a.addQuantiles(y, 0, q, 20);
        b.addPoints(y, 20, f2, 30);
        b.addQuantiles(y, 20, q2, 30);
        a.merge(b);
        assertEquals(all.count(), a.count());
        // two partial sums added: equal up to rounding of the split
        assertEquals(all.mse(), a.mse(), 1e-14);
        assertEquals(all.mae(), a.mae(), 1e-14);
        assertEquals(all.wql(), a.wql(), 1e-14);
        assertEquals(all.coverage(), a.coverage(), 0);
        assertThrows(IllegalArgumentException.class, () -> a.merge(new Metrics()));
    }

    @Test
    void aNanForecastIsVisible() {
        Metrics m = new Metrics();
        m.addPoints(new double[] {1, 2}, 0, new double[] {1, Double.NaN}, 2);
        assertTrue(Double.isNaN(m.mse()));
    }

    @Test
    void refusesBadRanges() {
        Metrics m = new Metrics(new double[] {0.5});
        assertThrows(IllegalArgumentException.class, () -> m.addPoints(new double[3], 2, new double[2], 2));
        assertThrows(IllegalArgumentException.class, () -> m.addQuantiles(new double[3], 0, new double[2][3], 3));
        assertThrows(IllegalStateException.class,
                () -> new Metrics().addQuantiles(new double[1], 0, new double[][] {{0}}, 1));
        assertThrows(IllegalArgumentException.class, () -> new Metrics(new double[] {0.5, 0.5}));
        assertThrows(IllegalArgumentException.class, () -> new Metrics(new double[] {0, 0.5}));
    }
}
