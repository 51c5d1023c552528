package dev.chimera.timeseries.baseline;

import dev.chimera.core.checkpoint.SafeTensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fitted NLinear ridge map for one horizon: {@code f[h] = c + sum_j w[j][h] (x[j] - c)} with
 * {@code c = x[L-1]} the lookback's last value, no intercept.
 *
 * <p>Because the inputs and targets are both measured from c and there is no intercept, the map is
 * equivariant to shift and scale: {@code predict(a x + b) = a predict(x) + b}. A model that
 * normalises each window (subtract its mean, divide by its std) can therefore add this map's
 * output as a linear skip path on the normalised values with the same weights.
 *
 * @param lookback       L
 * @param horizon        H
 * @param lambda         the absolute ridge penalty the weights were solved with
 * @param relativeLambda lambda / (trace(X^T X) / L) on the windows it was solved on
 * @param weights        {@code w[j * H + h]}, row-major; row L-1 is 0. // (L, H)
 */
public record RidgeWeights(int lookback, int horizon, double lambda, double relativeLambda, double[] weights) {

    /** The safetensors tensor name of the weights. */
    public static final String TENSOR = "weight";

    public RidgeWeights {
        if (lookback < 1 || horizon < 1 || weights.length != (long) lookback * horizon) {
            throw new IllegalArgumentException("ridge weights: " + weights.length + " values for lookback " + lookback
                    + " x horizon " + horizon);
        }
    }

    /** The weight of input j for output step h. */
    public double weight(int j, int h) {
        return weights[j * horizon + h];
    }

    /** The weights as float32, row-major (L, H): the layout a model's Linear(L -> H) skip path takes. */
    public float[] weightsAsFloats() {
        float[] f = new float[weights.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) weights[i];
        }
        return f;
    }

    /**
     * Predicts {@code out[0, H)} from {@code lookback[from, from + L)} (oldest first, no NaN).
     */
    public void predict(double[] values, int from, double[] out) {
        if (from < 0 || from + lookback > values.length || out.length < horizon) {
            throw new IllegalArgumentException("ridge predict: rows [" + from + ", " + (from + lookback)
                    + ") of " + values.length + " into an output of " + out.length + " (horizon " + horizon + ")");
        }
        int H = horizon;
        double last = values[from + lookback - 1];
        java.util.Arrays.fill(out, 0, H, 0.0);
        for (int j = 0; j < lookback - 1; j++) {
            double x = values[from + j] - last;
            int row = j * H;
            for (int h = 0; h < H; h++) {
                out[h] += x * weights[row + h];
            }
        }
        for (int h = 0; h < H; h++) {
            out[h] += last;
        }
    }

    /** {@link #predict(double[], int, double[])} of a lookback array of exactly L values. */
    public void predict(double[] lookbackValues, double[] out) {
        if (lookbackValues.length != lookback) {
            throw new IllegalArgumentException("ridge predict: " + lookbackValues.length + " lookback values, expected "
                    + lookback);
        }
        predict(lookbackValues, 0, out);
    }

    /**
     * Writes the weights atomically as a safetensors file: tensor {@value #TENSOR}, F32, shape (L, H),
     * and metadata {@code method=nlinear-ridge, lookback, horizon, lambda, relative_lambda}. The
     * weights are rounded to float32 (relative error 6e-8, far below the forecasts' errors).
     */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("method", "nlinear-ridge");
        meta.put("lookback", Integer.toString(lookback));
        meta.put("horizon", Integer.toString(horizon));
        meta.put("lambda", String.format(Locale.ROOT, "%.17g", lambda));
        meta.put("relative_lambda", String.format(Locale.ROOT, "%.17g", relativeLambda));
        SafeTensors.Slice slice = new SafeTensors.Slice(TENSOR, new int[] {lookback, horizon}, weightsAsFloats(), 0);
        SafeTensors.write(file, List.of(slice), meta);  // atomic: temporary file, fsync, rename
    }

    /** Reads weights written by {@link #save}; a file without the expected metadata or shape is refused by name. */
    public static RidgeWeights load(Path file) throws IOException {
        try (SafeTensors.Reader reader = SafeTensors.open(file)) {
            Map<String, String> meta = reader.metadata();
            if (!"nlinear-ridge".equals(meta.get("method"))) {
                throw new IOException(file + ": not NLinear ridge weights (metadata method = " + meta.get("method") + ")");
            }
            int lookback = intMeta(file, meta, "lookback");
            int horizon = intMeta(file, meta, "horizon");
            SafeTensors.Info info = reader.info(TENSOR);
            if (info == null) {
                throw new IOException(file + ": no tensor '" + TENSOR + "'");
            }
            int[] shape = info.shape();
            if (shape.length != 2 || shape[0] != lookback || shape[1] != horizon) {
                throw new IOException(file + ": tensor '" + TENSOR + "' has shape " + java.util.Arrays.toString(shape)
                        + ", expected [" + lookback + ", " + horizon + "]");
            }
            float[] f = reader.read(TENSOR);
            double[] w = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                w[i] = f[i];
            }
            return new RidgeWeights(lookback, horizon, doubleMeta(file, meta, "lambda"),
                    doubleMeta(file, meta, "relative_lambda"), w);
        }
    }

    private static int intMeta(Path file, Map<String, String> meta, String key) throws IOException {
        try {
            return Integer.parseInt(require(file, meta, key));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": metadata " + key + " = '" + meta.get(key) + "' is not an integer", e);
        }
    }

    private static double doubleMeta(Path file, Map<String, String> meta, String key) throws IOException {
        try {
            return Double.parseDouble(require(file, meta, key));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": metadata " + key + " = '" + meta.get(key) + "' is not a number", e);
        }
    }

    private static String require(Path file, Map<String, String> meta, String key) throws IOException {
        String v = meta.get(key);
        if (v == null) {
            throw new IOException(file + ": metadata has no '" + key + "'");
        }
        return v;
    }
}
