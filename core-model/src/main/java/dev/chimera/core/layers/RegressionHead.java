package dev.chimera.core.layers;

import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * A linear map to {@code outDim} values per row, trained with mean squared error:
 * loss = sum_r w_r * mean_j (y_rj - t_rj)^2 / sum_r w_r.
 */
public final class RegressionHead implements Layer {
    private final int d;
    private final int outDim;
    private final Linear projection;

    public RegressionHead(Parameters.Builder b, String prefix, int d, int outDim) {
        this.d = d;
        this.outDim = outDim;
        this.projection = new Linear(b, prefix, d, outDim, true);
    }

    @Override
    public void bind(Parameters p) {
        projection.bind(p);
    }

    public int outDim() {
        return outDim;
    }

    public final class Activations {
        final Tensor y;    // (rows, outDim)
        final Tensor dy;   // (rows, outDim)

        public Activations(int rows) {
            y = Tensor.zeros(rows, outDim);
            dy = Tensor.zeros(rows, outDim);
        }

        public Tensor predictions() {
            return y;
        }
    }

    /** Predictions y (rows, outDim) from h (rows, d). */
    public void predict(Kernels k, Tensor y, Tensor h) {
        projection.forward(k, y, h);
    }

    public double forward(Kernels k, Tensor h, Targets targets, Activations a) {
        predict(k, a.y, h);
        float[] t = requireValues(targets, a.y.dim(0));
        double sum = 0;
        double weights = 0;
        for (int r = 0; r < a.y.dim(0); r++) {
            double w = targets.weight(r);
            double se = 0;
            for (int j = 0; j < outDim; j++) {
                double e = a.y.at(r * outDim + j) - t[r * outDim + j];
                se += e * e;
            }
            sum += w * se / outDim;
            weights += w;
        }
        return weights == 0 ? 0 : sum / weights;
    }

    public void backward(Kernels k, Tensor dh, Tensor h, Targets targets, Activations a) {
        int rows = a.y.dim(0);
        float[] t = requireValues(targets, rows);
        double weights = 0;
        for (int r = 0; r < rows; r++) {
            weights += targets.weight(r);
        }
        float[] dy = a.dy.data();
        for (int r = 0; r < rows; r++) {
            float scale = weights == 0 ? 0f : (float) (2 * targets.weight(r) / (weights * outDim));
            for (int j = 0; j < outDim; j++) {
                dy[r * outDim + j] = scale * (a.y.at(r * outDim + j) - t[r * outDim + j]);
            }
        }
        projection.backward(k, dh, a.dy, h, false);
    }

    private float[] requireValues(Targets targets, int rows) {
        float[] t = targets.values();
        if (t.length != rows * outDim) {
            throw new IllegalArgumentException("regression head: " + t.length + " target values for " + rows
                    + " rows of " + outDim);
        }
        return t;
    }
}
