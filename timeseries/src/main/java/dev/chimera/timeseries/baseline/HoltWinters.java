package dev.chimera.timeseries.baseline;

/**
 * Additive Holt-Winters (ETS(A,A,A), or ETS(A,Ad,A) with damping phi < 1) in innovations form,
 * following Hyndman and Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., 8.3 and
 * 8.5 (component form with alpha, beta*, gamma; phi the damping):
 *
 * <pre>
 *   f_t = l + phi b + s_{t-m}            one-step forecast
 *   e_t = y_t - f_t
 *   l   = l + phi b + alpha e_t
 *   b   = phi b + alpha beta* e_t
 *   s_t = s_{t-m} + gamma e_t
 *   f_{t+h} = l + (phi + ... + phi^h) b + s_{t+h-m(k+1)},  k = (h - 1) / m
 * </pre>
 *
 * <p>The filter is linear in the data and the initial state together, which {@link InitialStates}
 * uses to find the initial state that minimises the one-step squared errors by least squares.
 *
 * <p>States are one mutable object per call (no allocation per step); inputs must be NaN-free
 * (baselines fill lookbacks first, see {@link Lookback}).
 */
final class HoltWinters {

    /** The state after some row: level, trend, the m seasonal terms and which one comes next. */
    static final class State {
        double level;
        double trend;
        final double[] season;  // (m)
        int next;

        State(int m) {
            season = new double[m];
        }

        /** Sets this to {@code other}'s values. */
        State copyFrom(State other) {
            level = other.level;
            trend = other.trend;
            System.arraycopy(other.season, 0, season, 0, season.length);
            next = other.next;
            return this;
        }
    }

    private HoltWinters() {
    }

    /** Runs the filter over {@code y[from, to)} from {@code state}; returns the sum of squared one-step errors. */
    static double filter(double[] y, int from, int to, EtsParameters p, State state) {
        return filter(y, from, to, p, state, null);
    }

    /**
     * {@link #filter(double[], int, int, EtsParameters, State)}, also writing the one-step error of row
     * {@code from + i} to {@code errors[i]} when {@code errors} is not null. // errors: (to - from)
     */
    static double filter(double[] y, int from, int to, EtsParameters p, State state, double[] errors) {
        double alpha = p.alpha();
        double betaE = p.alpha() * p.beta();
        double gamma = p.gamma();
        double phi = p.phi();
        double l = state.level;
        double b = state.trend;
        double[] s = state.season;
        int m = s.length;
        int k = state.next;
        double sse = 0;
        for (int t = from; t < to; t++) {
            double damped = phi * b;
            double e = y[t] - (l + damped + s[k]);
            l = l + damped + alpha * e;
            b = damped + betaE * e;
            s[k] += gamma * e;
            sse += e * e;
            if (errors != null) {
                errors[t - from] = e;
            }
            if (++k == m) {
                k = 0;
            }
        }
        state.level = l;
        state.trend = b;
        state.next = k;
        return sse;
    }

    /** The h-step forecasts, h = 1..horizon, into {@code out[0, horizon)}. */
    static void forecast(State state, EtsParameters p, int horizon, double[] out) {
        double phi = p.phi();
        double[] s = state.season;
        int m = s.length;
        int k = state.next;
        double phiSum = 0;
        double phiPower = 1;
        for (int h = 0; h < horizon; h++) {
            phiPower *= phi;
            phiSum += phiPower;
            out[h] = state.level + phiSum * state.trend + s[k];
            if (++k == m) {
                k = 0;
            }
        }
    }

    /**
     * The forecast variance factors {@code v_h = 1 + sum_{j=1}^{h-1} c_j^2},
     * {@code c_j = alpha + alpha beta* phi_j + gamma [j mod m == 0]}, {@code phi_j = phi + ... + phi^j}
     * (Hyndman et al. 2008, "Forecasting with Exponential Smoothing", table 6.1, class 1): the h-step
     * error variance is {@code sigma^2 v_h}. // (horizon)
     */
    static double[] varianceFactors(EtsParameters p, int m, int horizon) {
        double[] v = new double[horizon];
        double sum = 1;
        double phiSum = 0;
        double phiPower = 1;
        v[0] = 1;
        for (int j = 1; j < horizon; j++) {
            phiPower *= p.phi();
            phiSum += phiPower;
            double c = p.alpha() + p.alpha() * p.beta() * phiSum + (j % m == 0 ? p.gamma() : 0);
            sum += c * c;
            v[j] = sum;
        }
        return v;
    }
}
