package dev.chimera.timeseries.baseline;

import dev.chimera.runtime.UserException;
import dev.chimera.timeseries.data.Split;
import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.SimpleBounds;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.BOBYQAOptimizer;

/**
 * Exponential smoothing: additive Holt-Winters ({@link HoltWinters}) with the seasonal period
 * inferred from the train part ({@link SeasonalPeriod}) or given, optionally with a damped trend.
 *
 * <p>Fitting, per channel: the smoothing parameters maximise the Gaussian likelihood of the
 * one-step errors over the whole train part, i.e. minimise {@code log(SSE / n)}, with Commons
 * Math's BOBYQA inside the box alpha, beta*, gamma in [1e-4, 1 - 1e-4] and, when damped, phi in
 * [0.8, 0.98] (the bounds of R's forecast::ets). The initial state is estimated with them, by
 * alternating: the least-squares initial state for the current parameters ({@link InitialStates}),
 * then the parameters from that state, until the parameters move less than 1e-4 (at most
 * {@value #ROUNDS} rounds); each step lowers the same SSE. sigma^2 = SSE / n is kept for the
 * prediction intervals.
 *
 * <p>Forecasting a window: the least-squares initial state of the lookback for the channel's
 * parameters, the filter run over the lookback, then the h-step forecasts. (Two-season heuristic
 * starts were tried first: their noisy trend, barely corrected by the small trend gains maximum
 * likelihood picks, was extrapolated over the whole horizon.) Quantiles are Gaussian,
 * {@code f_h + z_q sigma sqrt(v_h)} with the ETS(A,A,A) variance factors v_h
 * ({@link HoltWinters#varianceFactors}).
 */
public final class Ets implements Baseline {

    private static final double EDGE = 1e-4;
    private static final double PHI_MIN = 0.8;
    private static final double PHI_MAX = 0.98;
    /** Alternations of initial state and parameters in a fit. */
    static final int ROUNDS = 5;
    /** The objective where the filter diverges (log of a mean squared error no series reaches). */
    private static final double DIVERGED = 1e3;

    private final int season;
    private final boolean damped;

    private int period;
    private int lookback;
    private EtsParameters[] parameters;
    /** per channel, the least-squares start of a lookback under its parameters */
    private InitialStates[] windowStarts;
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
            throw new UserException(name() + ": no seasonal period found in the train part's autocorrelation "
                    + "(lags up to half the lookback); give one with --season P");
        }
        if (2 * m + 1 > lookback) {
            throw new UserException(name() + ": lookback " + lookback + " holds fewer than two seasons of "
                    + m + " plus one row; use a longer --lookback or a shorter --season");
        }
        int n = split.trainEnd();
        EtsParameters[] fittedParameters = new EtsParameters[scaled.length];
        InitialStates[] starts = new InitialStates[scaled.length];
        double[][] sd = new double[scaled.length][];
        for (int c = 0; c < scaled.length; c++) {
            double[] y = Lookback.copy(scaled[c], n, n, new double[n]);  // (trainEnd), NaN filled
            HoltWinters.State x0 = new HoltWinters.State(m);
            fittedParameters[c] = fitChannel(y, m, x0, c);
            double sigma2 = HoltWinters.filter(y, 0, n, fittedParameters[c], x0) / n;
            starts[c] = new InitialStates(fittedParameters[c], m, lookback);
            double[] v = HoltWinters.varianceFactors(fittedParameters[c], m, maxH);
            sd[c] = new double[maxH];
            for (int h = 0; h < maxH; h++) {
                sd[c][h] = Math.sqrt(sigma2 * v[h]);
            }
        }
        this.period = m;
        this.lookback = lookback;
        this.parameters = fittedParameters;
        this.windowStarts = starts;
        this.stdDev = sd;
        this.fitted = true;
    }

    /**
     * Maximum-likelihood parameters of one (NaN-free) series, alternating with its least-squares
     * initial state; leaves that initial state in {@code x0}.
     */
    private EtsParameters fitChannel(double[] y, int m, HoltWinters.State x0, int channel) {
        int n = y.length;
        double[] lower = damped ? new double[] {EDGE, EDGE, EDGE, PHI_MIN} : new double[] {EDGE, EDGE, EDGE};
        double[] upper = damped ? new double[] {1 - EDGE, 1 - EDGE, 1 - EDGE, PHI_MAX}
                : new double[] {1 - EDGE, 1 - EDGE, 1 - EDGE};
        double[] x = damped ? new double[] {0.3, 0.1, 0.1, 0.9} : new double[] {0.3, 0.1, 0.1};
        HoltWinters.State state = new HoltWinters.State(m);
        MultivariateFunction logMse = v -> {
            double sse = HoltWinters.filter(y, 0, n, toParameters(v), state.copyFrom(x0));
            return Double.isFinite(sse) ? Math.log(Math.max(sse / n, Double.MIN_NORMAL)) : DIVERGED;
        };
        for (int round = 0; round < ROUNDS; round++) {
            try {
                new InitialStates(toParameters(x), m, n).solve(y, 0, x0);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name() + ": channel " + channel + ": " + e.getMessage(), e);
            }
            BOBYQAOptimizer optimizer = new BOBYQAOptimizer(2 * x.length + 1, 0.05, 1e-6);
            double[] next = optimizer.optimize(new MaxEval(5000), new ObjectiveFunction(logMse), GoalType.MINIMIZE,
                    new InitialGuess(x), new SimpleBounds(lower, upper)).getPoint();
            double moved = 0;
            for (int i = 0; i < x.length; i++) {
                moved = Math.max(moved, Math.abs(next[i] - x[i]));
            }
            x = next;
            if (moved < 1e-4) {
                break;
            }
        }
        new InitialStates(toParameters(x), m, n).solve(y, 0, x0);
        return toParameters(x);
    }

    private EtsParameters toParameters(double[] x) {
        return new EtsParameters(x[0], x[1], x[2], damped ? x[3] : 1.0);
    }

    @Override
    public void forecast(double[][] scaled, int channel, int origin, int horizon, double[] out) {
        Lookback.checkFitted(name(), fitted);
        Lookback.checkForecast(name(), scaled, channel, origin, lookback, horizon, out.length);
        double[] buf = Lookback.copy(scaled[channel], origin, lookback, new double[lookback]);  // (L)
        HoltWinters.State state = windowStarts[channel].solve(buf, 0, new HoltWinters.State(period));
        HoltWinters.filter(buf, 0, lookback, parameters[channel], state);
        HoltWinters.forecast(state, parameters[channel], horizon, out);
    }

    @Override
    public boolean hasQuantiles() {
        return true;
    }

    @Override
    public void quantiles(double[][] scaled, int channel, int origin, int horizon, double[] levels, double[][] out) {
        forecastWithQuantiles(scaled, channel, origin, horizon, levels, new double[horizon], out);
    }

    /** One forecast, offset by each level's quantile. */
    @Override
    public void forecastWithQuantiles(double[][] scaled, int channel, int origin, int horizon, double[] levels,
                                      double[] point, double[][] out) {
        Lookback.checkFitted(name(), fitted);
        double[] z = normalQuantiles(levels);
        if (out.length != levels.length || horizon > stdDev[channel].length) {
            throw new IllegalArgumentException(name() + ": " + out.length + " output rows for " + levels.length
                    + " levels, horizon " + horizon + " (fitted up to " + stdDev[channel].length + ")");
        }
        forecast(scaled, channel, origin, horizon, point);
        double[] sd = stdDev[channel];
        for (int k = 0; k < z.length; k++) {
            for (int h = 0; h < horizon; h++) {
                out[k][h] = point[h] + z[k] * sd[h];
            }
        }
    }

    /** Standard normal quantiles of the levels (checked), kept while the levels repeat. */
    private double[] normalQuantiles(double[] levels) {
        double[][] cached = zCache;
        if (cached != null && java.util.Arrays.equals(cached[0], levels)) {
            return cached[1];
        }
        QuantileLevels.checked(levels);
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
