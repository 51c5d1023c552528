package dev.chimera.core.heads;

import dev.chimera.core.kernel.Simd;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-row maths of {@link FourierDensity}: the Fourier basis e^{i pi n x_m} at the bin centres
 * x_m = -1 + (2m+1)/B, tabulated once, the density of one row and its backward pass side by side,
 * and the regulariser's penalty with its gradient. Everything is double. The density of a row is
 * evaluated with Vector API loops over the bins or with scalar ones, as chosen per instance; both
 * give the same bits (see {@link #evaluate}).
 * Reference: Fourier Head (Gillman et al., ICLR 2025), fourier_head.py; REFERENCE.md §4.
 */
final class FourierBasis {
    private static final VectorSpecies<Double> S = Simd.DOUBLE;
    private static final int L = S.length();

    final int frequencies;
    final int bins;
    /** False for the scalar path: {@link #evaluate} then runs its scalar loops over every bin. */
    private final boolean vector;
    /** (N+1, B): cos(pi n x_m) and sin(pi n x_m). */
    private final double[] cos;
    private final double[] sin;

    /**
     * {@code vector}: evaluate densities with the Vector API loops (a scalar tail for the rest), or
     * with the scalar loops only.
     */
    FourierBasis(int frequencies, int bins, boolean vector) {
        this.frequencies = frequencies;
        this.bins = bins;
        this.vector = vector;
        int table = Math.multiplyExact(frequencies + 1, bins);
        cos = new double[table];
        sin = new double[table];
        for (int n = 0; n <= frequencies; n++) {
            for (int m = 0; m < bins; m++) {
                // pi n x_m = pi n (2m + 1 - B) / B: reduce the integer mod 2B first so the angle is exact in [0, 2 pi).
                long turns = Math.floorMod((long) n * (2 * m + 1 - bins), 2L * bins);
                double angle = Math.PI * turns / bins;
                cos[n * bins + m] = Math.cos(angle);
                sin[n * bins + m] = Math.sin(angle);
            }
        }
    }

    /**
     * The row a[ao..ao+2(N+1)) into s: A_m = sum_n a_n e^{i pi n x_m}, q_m = |A_m|^2 / (2 c_0),
     * S = sum_m q_m and p_m = q_m / S.
     *
     * <p>The vector path computes A_m and q_m for a vector of bins at a time, and divides by S
     * lane-wise, with a scalar tail. Each bin gets the same operations in the same order in both
     * paths (A_m summed over n from 0, each term a multiply, a multiply and a subtract or add, never
     * fused), and S is summed over the bins in order in both, so the two give the same bits.
     */
    void evaluate(double[] a, int ao, FourierActivations.Scratch s) {
        int n1 = frequencies + 1;
        double c0 = 0;
        for (int n = 0; n < n1; n++) {
            double re = a[ao + n];
            double im = a[ao + n1 + n];
            c0 += re * re + im * im;
        }
        double twoC0 = 2 * c0;
        int m = vector ? amplitudesVector(a, ao, twoC0, s) : 0;
        for (; m < bins; m++) {
            amplitude(a, ao, twoC0, m, s);
        }
        double qSum = 0;
        for (m = 0; m < bins; m++) {
            qSum += s.p[m];
        }
        m = vector ? normaliseVector(s.p, qSum) : 0;
        for (; m < bins; m++) {
            s.p[m] /= qSum;
        }
        s.c0 = c0;
        s.qSum = qSum;
    }

    /** A_m into s.ar, s.ai and q_m into s.p for the bin m. */
    private void amplitude(double[] a, int ao, double twoC0, int m, FourierActivations.Scratch s) {
        int n1 = frequencies + 1;
        double ar = 0;
        double ai = 0;
        for (int n = 0; n < n1; n++) {
            double re = a[ao + n];
            double im = a[ao + n1 + n];
            int t = n * bins + m;
            ar += re * cos[t] - im * sin[t];
            ai += re * sin[t] + im * cos[t];
        }
        s.ar[m] = ar;
        s.ai[m] = ai;
        s.p[m] = (ar * ar + ai * ai) / twoC0;
    }

    /**
     * {@link #amplitude} for the bins [0, bound) a vector at a time, bound the largest multiple of
     * the lane count up to B; returns bound.
     */
    private int amplitudesVector(double[] a, int ao, double twoC0, FourierActivations.Scratch s) {
        int n1 = frequencies + 1;
        int bound = S.loopBound(bins);
        for (int m = 0; m < bound; m += L) {
            DoubleVector ar = DoubleVector.zero(S);
            DoubleVector ai = DoubleVector.zero(S);
            for (int n = 0; n < n1; n++) {
                double re = a[ao + n];
                double im = a[ao + n1 + n];
                DoubleVector c = DoubleVector.fromArray(S, cos, n * bins + m);
                DoubleVector sn = DoubleVector.fromArray(S, sin, n * bins + m);
                ar = ar.add(c.mul(re).sub(sn.mul(im)));
                ai = ai.add(sn.mul(re).add(c.mul(im)));
            }
            ar.intoArray(s.ar, m);
            ai.intoArray(s.ai, m);
            ar.mul(ar).add(ai.mul(ai)).div(twoC0).intoArray(s.p, m);
        }
        return bound;
    }

    /** p_m / qSum in place for the bins [0, bound) a vector at a time, bound as in {@link #amplitudesVector}. */
    private int normaliseVector(double[] p, double qSum) {
        int bound = S.loopBound(bins);
        for (int m = 0; m < bound; m += L) {
            DoubleVector.fromArray(S, p, m).div(qSum).intoArray(p, m);
        }
        return bound;
    }

    /**
     * Backward of {@link #evaluate}: from dL/dp in s.g, adds dL/da to s.ga. p_m = |A_m|^2 / sum_j |A_j|^2
     * does not depend on c_0, so only A carries gradient: with gq_m = (g_m - sum_j p_j g_j) / S,
     * dL/da_n = (1/c_0) sum_m gq_m A_m e^{-i pi n x_m}. (Differentiating q = |A|^2 / (2 c_0) term by
     * term adds -2 a_n sum_m gq_m q_m / c_0, which is 0 because sum_m gq_m p_m = 0.) Overwrites s.ar, s.ai.
     */
    void densityBackward(double[] a, int ao, FourierActivations.Scratch s) {
        int n1 = frequencies + 1;
        double dot = 0;
        for (int m = 0; m < bins; m++) {
            dot += s.p[m] * s.g[m];
        }
        // A_m becomes u_m = gq_m A_m / c_0.
        for (int m = 0; m < bins; m++) {
            double gq = (s.g[m] - dot) / (s.qSum * s.c0);
            s.ar[m] *= gq;
            s.ai[m] *= gq;
        }
        for (int n = 0; n < n1; n++) {
            // sum_m (ur + i ui)(cos - i sin)
            int t = n * bins;
            double gr = 0;
            double gi = 0;
            for (int m = 0; m < bins; m++) {
                gr += s.ar[m] * cos[t + m] + s.ai[m] * sin[t + m];
                gi += s.ai[m] * cos[t + m] - s.ar[m] * sin[t + m];
            }
            s.ga[n] += gr;
            s.ga[n1 + n] += gi;
        }
    }

    /**
     * The regulariser's penalty of one row, sum_{k=1}^{N} 2 pi^2 k^2 |c_k|^2 with the unnormalised
     * c_k = sum_j a_{j+k} conj(a_j), O(N^2). Unless gradScale is 0, adds gradScale times its gradient
     * to s.ga: dL/dc_k = gradScale 2 pi^2 k^2 2 c_k, dL/da_n += dL/dc_k a_{n-k} + conj(dL/dc_k) a_{n+k}.
     */
    double penalty(double[] a, int ao, double gradScale, FourierActivations.Scratch s) {
        int n1 = frequencies + 1;
        double total = 0;
        for (int k = 1; k <= frequencies; k++) {
            // (xr + i xi)(yr - i yi) with x = a_{j+k}, y = a_j
            double cr = 0;
            double ci = 0;
            for (int j = 0; j + k < n1; j++) {
                double xr = a[ao + j + k];
                double xi = a[ao + n1 + j + k];
                double yr = a[ao + j];
                double yi = a[ao + n1 + j];
                cr += xr * yr + xi * yi;
                ci += xi * yr - xr * yi;
            }
            double weight = 2 * Math.PI * Math.PI * k * k;
            total += weight * (cr * cr + ci * ci);
            if (gradScale != 0) {
                double gr = gradScale * weight * 2 * cr;
                double gi = gradScale * weight * 2 * ci;
                for (int n = k; n < n1; n++) {
                    double xr = a[ao + n - k];
                    double xi = a[ao + n1 + n - k];
                    s.ga[n] += gr * xr - gi * xi;
                    s.ga[n1 + n] += gr * xi + gi * xr;
                }
                for (int n = 0; n + k < n1; n++) {
                    double yr = a[ao + n + k];
                    double yi = a[ao + n1 + n + k];
                    s.ga[n] += gr * yr + gi * yi;
                    s.ga[n1 + n] += gr * yi - gi * yr;
                }
            }
        }
        return total;
    }
}
