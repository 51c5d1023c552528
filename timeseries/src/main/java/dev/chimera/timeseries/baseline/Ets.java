package dev.chimera.timeseries.baseline;

import dev.chimera.timeseries.data.Split;
import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Exponential smoothing: additive Holt-Winters ({@link HoltWinters}) with the seasonal period
 * inferred from the train part ({@link SeasonalPeriod}) or given, optionally with a damped trend.
 *
 * <p>Fitting, per channel: the smoothing parameters maximise the Gaussian likelihood of the
 * one-step errors over the train part, i.e. minimise {@code log(SSE / n)}. The train part is cut
 * into consecutive chunks of {@code lookback} rows (ending at its end), each started and filtered
 * exactly as a forecast window's lookback is, so the parameters and sigma are those of the way the
 * model is used (the initial states are not free parameters). The optimiser is Commons Math's BOBYQA
 * inside the box alpha, beta*, gamma in [1e-4, 1 - 1e-4] and, when damped, phi in [0.8, 0.98] (the
 * bounds of R's forecast::ets). sigma^2 = SSE / n is kept for the prediction intervals.
 *
 * <p>Forecasting a window: initial states from the lookback's first two seasons, the filter run
 * over the rest of the lookback with the channel's parameters, then the h-step forecasts.
 * Quantiles are Gaussian, {@code f_h + z_q sigma sqrt(v_h)} with the ETS(A,A,A) variance factors
 * v_h ({@link HoltWinters#varianceFactors}).
 */
public final class Ets implements Baseline {

    private static final double EDGE = 1e-4;
    private static final double PHI_MIN = 0.8;
    private static final double PHI_MAX = 0.98;

    private final int season;
    private final boolean damped;

    private int period;
    private int lookback;
    private EtsParameters[] parameters;
    /** per channel, sigma sqrt(v_h) for h < the longest horizon; (channels, Hmax) */
    private double[][] stdDev;
    private boolean fitted;
    /** {levels, z}: the last levels asked for and their standard normal quantiles */
    private volatile double[][] zCache;

    /** Undamped, period inferred. */
    public Ets() {
        this(0, false);
    }

    /** The given period (0 infers it) and trend. */
    public Ets(int season, boolean damped) {
        if (season < 0) {
            throw new IllegalArgumentException("season must be >= 0 (0 infers it), got " + season);
        }
        this.season = season;
        this.damped = damped;
    }

    @Override
    public String name() {
        return damped ? "ets-damped" : "ets";
    }

    @Override
    public void fit(double[][] scaled, Split split, int lookback, int[] horizons) {
        int maxH = Lookback.checkFit(name(), scaled, split, lookback, horizons);
        int m = season > 0 ? season : SeasonalPeriod.infer(scaled, split, lookback);
        if (m < 2) {
            throw new IllegalArgumentException(name() + ": no seasonal period found in the train part; give one");
        }
        if (2 * m + 1 > lookback) {
            throw new IllegalArgumentException(name() + ": lookback " + lookback + " holds fewer than two seasons of "
                    + m + " plus one row");
        }
        if (split.trainEnd() < lookback) {
            throw new IllegalArgumentException(name() + ": the train part is shorter than one lookback " + lookback);
        }
        int n = split.trainEnd();
        int chunks = n / lookback;
        EtsParameters[] fittedParameters = new EtsParameters[scaled.length];
        double[][] sd = new double[scaled.length][];
        for (int c = 0; c < scaled.length; c++) {
            double[] y = Lookback.copy(scaled[c], n, n, new double[n]);  // (trainEnd), NaN filled
            fittedParameters[c] = fitChannel(y, m, lookback, chunks);
            double sigma2 = chunkedSse(y, m, lookback, chunks, fittedParameters[c], new HoltWinters.State(m))
                    / ((double) chunks * (lookback - m));
            double[] v = HoltWinters.varianceFactors(fittedParameters[c], m, maxH);
            sd[c] = new double[maxH];
            for (int h = 0; h < maxH; h++) {
                sd[c][h] = Math.sqrt(sigma2 * v[h]);
            }
        }
        this.period = m;
        this.lookback = lookback;
        this.parameters = fittedParameters;
        this.stdDev = sd;
        this.fitted = true;
    }

    /** Maximum-likelihood parameters of one (NaN-free) series over its last {@code chunks} chunks of L rows. */
    private EtsParameters fitChannel(double[] y, int m, int lookback, int chunks) {
        HoltWinters.State state = new HoltWinters.State(m);
        long steps = (long) chunks * (lookback - m);
        MultivariateFunction logMse = x -> {
            double sse = chunkedSse(y, m, lookback, chunks, toParameters(x), state);
            return Math.log(Math.max(sse / steps, Double.MIN_NORMAL));
        };
        double[] lower = damped ? new double[] {EDGE, EDGE, EDGE, PHI_MIN} : new double[] {EDGE, EDGE, EDGE};
        double[] upper = damped ? new double[] {1 - EDGE, 1 - EDGE, 1 - EDGE, PHI_MAX}
                : new double[] {1 - EDGE, 1 - EDGE, 1 - EDGE};
        double[] start = damped ? new double[] {0.3, 0.1, 0.1, 0.9} : new double[] {0.3, 0.1, 0.1};
        BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * start.length + 1, 0.05, 1e-6);
        PointValuePair best = optimizer.optimize(new MaxEval(5000), new ObjectiveFunction(logMse),
                GoalType.MINIMIZE, new InitialGuess(start), new SimpleBounds(lower, upper));
        return toParameters(best.getPoint());
    }

    /** The one-step SSE over the last {@code chunks} chunks of L rows of y, each filtered like a lookback. */
    private static double chunkedSse(double[] y, int m, int lookback, int chunks, EtsParameters p,
                                     HoltWinters.State state) {
        double sse = 0;
        for (int j = 0; j < chunks; j++) {
            int from = y.length - (j + 1) * lookback;
            HoltWinters.init(y, from, from + lookback, m, state);
            sse += HoltWinters.filter(y, from + m, from + lookback, p, state);
        }
        return sse;
    }

    private EtsParameters toParameters(double[] x) {
        return new EtsParameters(x[0], x[1], x[2], damped ? x[3] : 1.0);
    }

    @Override
    public void forecast(double[][] scaled, int channel, int origin, int horizon, double[] out) {
        Lookback.checkFitted(name(), fitted);
        Lookback.checkForecast(name(), scaled, channel, origin, lookback, horizon, out.length);
        double[] buf = Lookback.copy(scaled[channel], origin, lookback, new double[lookback]);  // (L)
        HoltWinters.State state = HoltWinters.init(buf, 0, lookback, period, new HoltWinters.State(period));
        HoltWinters.filter(buf, period, lookback, parameters[channel], state);
        HoltWinters.forecast(state, parameters[channel], horizon, out);
    }

    @Override
    public boolean hasQuantiles() {
        return true;
    }

    @Override
    public void quantiles(double[][] scaled, int channel, int origin, int horizon, double[] levels, double[][] out) {
        Lookback.checkFitted(name(), fitted);
        double[] checked = QuantileLevels.checked(levels);
        if (out.length != checked.length || horizon > stdDev[channel].length) {
            throw new IllegalArgumentException(name() + ": " + out.length + " output rows for " + checked.length
                    + " levels, horizon " + horizon + " (fitted up to " + stdDev[channel].length + ")");
        }
        double[] point = new double[horizon];
        forecast(scaled, channel, origin, horizon, point);
        double[] z = normalQuantiles(checked);
        double[] sd = stdDev[channel];
        for (int k = 0; k < checked.length; k++) {
            for (int h = 0; h < horizon; h++) {
                out[k][h] = point[h] + z[k] * sd[h];
            }
        }
    }

    /** Standard normal quantiles of the levels, kept while the levels repeat. */
    private double[] normalQuantiles(double[] levels) {
        double[][] cached = zCache;
        if (cached != null && java.util.Arrays.equals(cached[0], levels)) {
            return cached[1];
        }
        NormalDistribution normal = new NormalDistribution(null, 0, 1);
        double[] z = new double[levels.length];
        for (int k = 0; k < levels.length; k++) {
            z[k] = normal.inverseCumulativeProbability(levels[k]);
        }
        zCache = new double[][] {levels.clone(), z};
        return z;
    }

    /** The period in use (after fit). */
    public int period() {
        Lookback.checkFitted(name(), fitted);
        return period;
    }

    /** A channel's fitted parameters. */
    public EtsParameters parameters(int channel) {
        Lookback.checkFitted(name(), fitted);
        return parameters[channel];
    }
}
