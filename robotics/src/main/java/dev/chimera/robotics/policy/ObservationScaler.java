package dev.chimera.robotics.policy;

import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Standardises observation features for the policy's input: each feature's mean and standard
 * deviation over the demonstrations' frames (a constant feature keeps scale 1).
 */
public final class ObservationScaler {
    private final double[] mean;
    private final double[] scale;

    public ObservationScaler(double[] mean, double[] scale) {
        if (mean.length != scale.length) {
            throw new IllegalArgumentException(mean.length + " means and " + scale.length + " scales");
        }
        this.mean = mean.clone();
        this.scale = scale.clone();
    }

    /** Fitted over every frame of every episode, (frames, features). */
    public static ObservationScaler fit(List<double[][]> episodes) {
        int width = episodes.get(0)[0].length;
        double[] sum = new double[width];
        double[] sumSq = new double[width];
        long n = 0;
        for (double[][] episode : episodes) {
            for (double[] frame : episode) {
                for (int i = 0; i < width; i++) {
                    sum[i] += frame[i];
                    sumSq[i] += frame[i] * frame[i];
                }
                n++;
            }
        }
        double[] mean = new double[width];
        double[] scale = new double[width];
        for (int i = 0; i < width; i++) {
            mean[i] = sum[i] / n;
            double var = sumSq[i] / n - mean[i] * mean[i];
            scale[i] = var > 1e-12 ? Math.sqrt(var) : 1.0;
        }
        return new ObservationScaler(mean, scale);
    }

    public int width() {
        return mean.length;
    }

    /** The standardised feature i of a raw observation. */
    public double apply(int i, double raw) {
        return (raw - mean[i]) / scale[i];
    }

    public String encode() {
        StringJoiner j = new StringJoiner(" ");
        for (int i = 0; i < mean.length; i++) {
            j.add(String.format(Locale.ROOT, "%.17g:%.17g", mean[i], scale[i]));
        }
        return j.toString();
    }

    /** The inverse of {@link #encode}; an IllegalArgumentException says what is malformed. */
    public static ObservationScaler decode(String text) {
        String[] parts = text.trim().split(" ");
        double[] mean = new double[parts.length];
        double[] scale = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String[] ms = parts[i].split(":");
            if (ms.length != 2) {
                throw new IllegalArgumentException("observation scaler entry " + i + " is not mean:scale: " + parts[i]);
            }
            mean[i] = Double.parseDouble(ms[0]);
            scale[i] = Double.parseDouble(ms[1]);
        }
        return new ObservationScaler(mean, scale);
    }
}
