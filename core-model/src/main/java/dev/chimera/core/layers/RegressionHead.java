package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * A linear map to {@code outDim} values per row, trained with mean squared error:
 * loss = sum_r w_r * mean_j (y_rj - t_rj)^2 / sum_r w_r. The loss and its gradient are formed
 * on the host from the predictions (rows * outDim values, small beside the model).
 */
public final class RegressionHead implements Head {
    private final int outDim;
    private final Linear projection;

    public RegressionHead(Parameters.Builder b, String prefix, int d, int outDim) {
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

    private static final class Saved implements Head.Activations {
        final Tensor y;       // (rows, outDim)
        final Tensor dy;      // (rows, outDim)
        final float[] hostY;  // (rows * outDim)
        final float[] hostDy; // (rows * outDim)

        Saved(Allocator alloc, int rows, int outDim) {
            y = alloc.take("y", rows, outDim);
            dy = alloc.take("dy", rows, outDim);
            hostY = new float[rows * outDim];
            hostDy = new float[rows * outDim];
        }
    }

    @Override
    public Head.Activations allocate(Allocator alloc, int rows) {
        return new Saved(alloc, rows, outDim);
    }

    @Override
    public int[] outputShape() {
        return new int[] {outDim};
    }

    /** Predictions y (n, outDim) from h (n, d). */
    @Override
    public void output(Backend k, Tensor y, Tensor h, Head.Activations a) {
        projection.forward(k, y, h);
    }

    @Override
    public double forward(Backend k, Tensor h, Targets targets, Head.Activations activations) {
        Saved a = (Saved) activations;
        projection.forward(k, a.y, h);
        int rows = a.y.dim(0);
        float[] t = requireValues(targets, rows);
        k.download(a.hostY, a.y);
        double sum = 0;
        double weights = 0;
        for (int r = 0; r < rows; r++) {
            double w = targets.weight(r);
            double se = 0;
            for (int j = 0; j < outDim; j++) {
                double e = a.hostY[r * outDim + j] - t[r * outDim + j];
                se += e * e;
            }
            sum += w * se / outDim;
            weights += w;
        }
        return weights == 0 ? 0 : sum / weights;
    }

    @Override
    public void backward(Backend k, Tensor dh, Tensor h, Targets targets, Head.Activations activations) {
        Saved a = (Saved) activations;
        int rows = a.y.dim(0);
        float[] t = requireValues(targets, rows);
        double weights = 0;
        for (int r = 0; r < rows; r++) {
            weights += targets.weight(r);
        }
        for (int r = 0; r < rows; r++) {
            float scale = weights == 0 ? 0f : (float) (2 * targets.weight(r) / (weights * outDim));
            for (int j = 0; j < outDim; j++) {
                a.hostDy[r * outDim + j] = scale * (a.hostY[r * outDim + j] - t[r * outDim + j]);
            }
        }
        k.upload(a.dy, a.hostDy);
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
