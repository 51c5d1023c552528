package dev.chimera.core.heads;

import java.util.Arrays;

/**
 * The per-row maths of {@link FourierDensity}: the Fourier basis e^{i pi n x_m} at the bin centres
 * x_m = -1 + (2m+1)/B, tabulated once, the density of one row and its backward pass side by side,
 * and the regulariser's penalty with its gradient. Everything is double.
 * Reference: Fourier Head (Gillman et al., ICLR 2025), fourier_head.py; REFERENCE.md §4.
 */
final class FourierBasis {
    final int frequencies;
    final int bins;
    /** (N+1, B): cos(pi n x_m) and sin(pi n x_m). */
    private final double[] cos;
    private final double[] sin;

    FourierBasis(int frequencies, int bins) {
        this.frequencies = frequencies;
        this.bins = bins;
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
     * S = sum_m q_m, p_m = q_m / S, and sum_m p_m (1 up to rounding, kept so the loss and its
     * gradient use the same number).
     */
    void evaluate(double[] a, int ao, FourierActivations.Scratch s) {
        int n1 = frequencies + 1;
        Arrays.fill(s.ar, 0);
        Arrays.fill(s.ai, 0);
        double c0 = 0;
        for (int n = 0; n < n1; n++) {
            double re = a[ao + n];
            double im = a[ao + n1 + n];
            c0 += re * re + im * im;
            int t = n * bins;
            for (int m = 0; m < bins; m++) {
                s.ar[m] += re * cos[t + m] - im * sin[t + m];
                s.ai[m] += re * sin[t + m] + im * cos[t + m];
            }
        }
        double qSum = 0;
        for (int m = 0; m < bins; m++) {
            s.p[m] = (s.ar[m] * s.ar[m] + s.ai[m] * s.ai[m]) / (2 * c0);
            qSum += s.p[m];
        }
        double pSum = 0;
        for (int m = 0; m < bins; m++) {
            s.p[m] /= qSum;
            pSum += s.p[m];
        }
        s.c0 = c0;
        s.qSum = qSum;
        s.pSum = pSum;
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
