package dev.chimera.robotics.control;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Enforces each DoF's {@link Limits} on the setpoints handed out, between successive samples, and
 * counts every enforcement. It tracks the reference rather than integrating limited increments, so
 * it does not drift: each sample aims at the reference itself, and while the reference stays within
 * the limits the output equals it exactly.
 *
 * <p>Per DoF and sample, with dt since the previous sample, y and v the previous output and its
 * velocity, r and r' the reference position (first clamped to [min, max]) and velocity:
 * <ol>
 *   <li>the velocity that lands on r now, (r - y) / dt (r' counts as 0 where r was clamped);</li>
 *   <li>off the reference by e = r - y - r' dt, the closing speed relative to r' is capped at
 *       sqrt(2 b |e|) with b = amax / 2: the speed from which decelerating at b ends exactly on the
 *       reference, so a limited output catches up without overshooting (a reference that is within
 *       the limits passes this cap: its own e is a'' dt^2 / 2 with |a''| <= amax);</li>
 *   <li>|v| <= vmax, then |v - v_prev| <= amax (dt_prev + dt) / 2 (the second difference on a
 *       non-uniform grid), then the position is clamped to [min, max] once more.</li>
 * </ol>
 * Not thread-safe: used by the control thread only; the counters may be read from any thread.
 */
final class RateLimiter {
    private final double[] min;      // (D)
    private final double[] max;      // (D)
    private final double[] vmax;     // (D)
    private final double[] amax;     // (D)
    private final double[] y;        // (D) previous output
    private final double[] v;        // (D) previous output velocity, per second
    private long previousTime;
    private double previousDt;
    private boolean started;
    final AtomicLongArray positionCount;
    final AtomicLongArray velocityCount;
    final AtomicLongArray accelerationCount;

    RateLimiter(Limits[] limits, double[] initial) {
        int dof = limits.length;
        min = new double[dof];
        max = new double[dof];
        vmax = new double[dof];
        amax = new double[dof];
        for (int d = 0; d < dof; d++) {
            min[d] = limits[d].min();
            max[d] = limits[d].max();
            vmax[d] = limits[d].maxVelocity();
            amax[d] = limits[d].maxAcceleration();
        }
        y = initial.clone();
        v = new double[dof];
        positionCount = new AtomicLongArray(dof);
        velocityCount = new AtomicLongArray(dof);
        accelerationCount = new AtomicLongArray(dof);
    }

    /** The limited setpoint at t into out (D), from the reference position and velocity (D). */
    void apply(long t, double[] ref, double[] refVel, double[] out) {
        if (started && t <= previousTime) {
            System.arraycopy(y, 0, out, 0, y.length);
            return;
        }
        double dt = started ? (t - previousTime) * 1e-9 : 0.0;
        double dtAcc = started && previousDt > 0 ? 0.5 * (previousDt + dt) : dt;
        for (int d = 0; d < y.length; d++) {
            double r = ref[d];
            double rv = refVel[d];
            if (r < min[d] || r > max[d]) {
                r = Math.max(min[d], Math.min(max[d], r));
                rv = 0.0;
                bump(positionCount, d);
            }
            if (!started) {
                y[d] = r;
                v[d] = Math.max(-vmax[d], Math.min(vmax[d], rv));
                out[d] = r;
                continue;
            }
            double exact = (r - y[d]) / dt;
            double vel = exact;
            if (amax[d] < Double.POSITIVE_INFINITY) {
                double e = r - y[d] - rv * dt;
                double cap = Math.sqrt(amax[d] * Math.abs(e));
                if (Math.abs(vel - rv) > cap) {
                    vel = rv + Math.copySign(cap, e);
                }
            }
            if (Math.abs(vel) > vmax[d]) {
                vel = Math.copySign(vmax[d], vel);
                bump(velocityCount, d);
            }
            double step = amax[d] * dtAcc;
            if (vel > v[d] + step) {
                vel = v[d] + step;
                bump(accelerationCount, d);
            } else if (vel < v[d] - step) {
                vel = v[d] - step;
                bump(accelerationCount, d);
            }
            // untouched, land on r itself: y + ((r - y) / dt) dt may differ from r in the last bit
            double next = vel == exact ? r : Math.max(min[d], Math.min(max[d], y[d] + vel * dt));
            v[d] = (next - y[d]) / dt;
            y[d] = next;
            out[d] = next;
        }
        previousDt = dt;
        previousTime = t;
        started = true;
    }

    /** One more enforcement; the control thread is the only writer, so a release store suffices. */
    private static void bump(AtomicLongArray counts, int d) {
        counts.lazySet(d, counts.get(d) + 1);
    }

    LimitReport report() {
        int dof = y.length;
        long[] p = new long[dof];
        long[] vel = new long[dof];
        long[] a = new long[dof];
        for (int d = 0; d < dof; d++) {
            p[d] = positionCount.get(d);
            vel[d] = velocityCount.get(d);
            a[d] = accelerationCount.get(d);
        }
        return new LimitReport(p, vel, a);
    }
}
