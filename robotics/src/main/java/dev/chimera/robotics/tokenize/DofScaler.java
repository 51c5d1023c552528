package dev.chimera.robotics.tokenize;

import java.util.Arrays;
import java.util.List;

/**
 * Per-DoF normalisation of actions as FAST does it (arXiv 2501.09747, §IV): the 1st and 99th
 * percentiles of the training data map to -1 and 1, so outliers do not squeeze the bulk of the
 * values, and DoF in different units (metres, radians, a 0/1 gripper) count alike in every metric.
 * A constant DoF (p1 == p99) gets scale 1 around its value. Percentiles interpolate linearly between
 * order statistics (position q (n - 1) in the sorted values, numpy's default).
 *
 * <p>The same per-dimension affine map standardises a policy's observation features
 * ({@link #standardise}: mean 0, standard deviation 1). Immutable.
 */
public final class DofScaler {
    private final double[] centre; // (D)
    private final double[] half;   // (D) half the p1..p99 range (or the standard deviation), 1 for a constant DoF

    private DofScaler(double[] centre, double[] half) {
        this.centre = centre;
        this.half = half;
    }

    /** Percentiles of every DoF over all frames of the given episodes, each (frames, D). */
    public static DofScaler fit(List<double[][]> episodes, int dof) {
        int frames = 0;
        for (double[][] episode : episodes) {
            frames += episode.length;
        }
        if (frames == 0) {
            throw new IllegalArgumentException("no frames to fit the scaler on");
        }
        double[] centre = new double[dof];
        double[] half = new double[dof];
        double[] column = new double[frames];
        for (int d = 0; d < dof; d++) {
            int i = 0;
            for (double[][] episode : episodes) {
                for (double[] frame : episode) {
                    column[i++] = frame[d];
                }
            }
            Arrays.sort(column);
            double p1 = percentile(column, 0.01);
            double p99 = percentile(column, 0.99);
            centre[d] = p99 > p1 ? 0.5 * (p1 + p99) : p1;
            half[d] = p99 > p1 ? 0.5 * (p99 - p1) : 1.0;
        }
        return new DofScaler(centre, half);
    }

    /** Each dimension's mean to 0 and standard deviation to 1 over all rows of the episodes, each (rows, width). */
    public static DofScaler standardise(List<double[][]> episodes, int width) {
        double[] sum = new double[width];
        double[] sumSq = new double[width];
        long n = 0;
        for (double[][] episode : episodes) {
            for (double[] row : episode) {
                for (int i = 0; i < width; i++) {
                    sum[i] += row[i];
                    sumSq[i] += row[i] * row[i];
                }
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("no rows to fit the scaler on");
        }
        double[] mean = new double[width];
        double[] std = new double[width];
        for (int i = 0; i < width; i++) {
            mean[i] = sum[i] / n;
            double var = sumSq[i] / n - mean[i] * mean[i];
            std[i] = var > 1e-12 ? Math.sqrt(var) : 1.0;
        }
        return new DofScaler(mean, std);
    }

    /** The q-quantile of sorted values, linear between the order statistics around q (n - 1). */
    static double percentile(double[] sorted, double q) {
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        double w = position - below;
        return sorted[below] + w * (sorted[above] - sorted[below]);
    }

    public int dof() {
        return centre.length;
    }

    public double normalise(int d, double value) {
        return (value - centre[d]) / half[d];
    }

    public double denormalise(int d, double normalised) {
        return centre[d] + normalised * half[d];
    }

    /** Robot units per normalised unit of DoF d (half the p1..p99 range). */
    public double scale(int d) {
        return half[d];
    }

    /** A normalised copy of an episode, (frames, D). */
    public double[][] normalise(double[][] episode) {
        double[][] out = new double[episode.length][centre.length];
        for (int t = 0; t < episode.length; t++) {
            for (int d = 0; d < centre.length; d++) {
                out[t][d] = normalise(d, episode[t][d]);
            }
        }
        return out;
    }

    /** The scaler as text, "centre:half" per DoF separated by spaces ({@link #decode} reads it back exactly). */
    public String encode() {
        StringBuilder b = new StringBuilder();
        for (int d = 0; d < centre.length; d++) {
            b.append(d == 0 ? "" : " ").append(Double.toString(centre[d])).append(':').append(Double.toString(half[d]));
        }
        return b.toString();
    }

    /** The inverse of {@link #encode}; an IllegalArgumentException says which entry is malformed. */
    public static DofScaler decode(String text) {
        String[] parts = text.trim().split(" ");
        double[] centre = new double[parts.length];
        double[] half = new double[parts.length];
        for (int d = 0; d < parts.length; d++) {
            String[] ch = parts[d].split(":");
            try {
                centre[d] = Double.parseDouble(ch[0]);
                half[d] = Double.parseDouble(ch[1]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("action scaler entry " + d + " is not centre:half: " + parts[d]);
            }
            if (!(half[d] > 0)) {
                throw new IllegalArgumentException("action scaler entry " + d + " has a non-positive scale: " + parts[d]);
            }
        }
        return new DofScaler(centre, half);
    }
}
