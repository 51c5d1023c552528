package dev.chimera.core.layers;

import dev.chimera.core.heads.Bins;
import dev.chimera.core.heads.FourierActivations;
import dev.chimera.core.heads.FourierDensity;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The Fourier head (REFERENCE §4) for {@code outDim} continuous values per row: a linear layer
 * to outDim sets of 2(N+1) Fourier coefficients, each turned by {@link FourierDensity} into a
 * smooth distribution over B bins of [-1, 1]. Trained by cross-entropy against the bin of each
 * target value (values must already be scaled into [-1, 1]) plus the paper's smoothness
 * regulariser (gamma = 1e-6). The loss is the weighted mean over rows and values.
 */
public final class FourierHead implements Layer {
    /** The regulariser weight of the reference implementation. */
    public static final double GAMMA = 1e-6;

    private final int d;
    private final int outDim;
    private final Linear projection;
    private final FourierDensity density;
    private final Bins bins;

    public FourierHead(Parameters.Builder b, String prefix, int d, int outDim, int frequencies, int binCount,
                       ComputePool pool) {
        this.d = d;
        this.outDim = outDim;
        this.density = new FourierDensity(frequencies, binCount, pool);
        this.bins = new Bins(binCount);
        this.projection = new Linear(b, prefix, d, outDim * density.width(), true);
    }

    @Override
    public void bind(Parameters p) {
        projection.bind(p);
    }

    public Linear projection() {
        return projection;
    }

    public Bins bins() {
        return bins;
    }

    public int outDim() {
        return outDim;
    }

    /** The reference scales the linear layer's default initialisation down by 100. */
    public void initialise() {
        projection.scaleWeights(0.01f);
    }

    public final class Activations {
        final Tensor z;          // (rows, outDim * 2(N+1)), read by the density as (rows * outDim, 2(N+1))
        final Tensor dz;         // (rows, outDim * 2(N+1))
        final Tensor losses;     // (rows * outDim)
        final Tensor dlosses;    // (rows * outDim)
        final int[] targets;     // (rows * outDim) bin indices
        final FourierActivations density;

        public Activations(int rows) {
            z = Tensor.zeros(rows, outDim * FourierHead.this.density.width());
            dz = Tensor.zeros(rows, outDim * FourierHead.this.density.width());
            losses = Tensor.zeros(rows * outDim);
            dlosses = Tensor.zeros(rows * outDim);
            targets = new int[rows * outDim];
            density = FourierHead.this.density.allocate(rows * outDim);
        }
    }

    /** Weighted mean cross-entropy (nats per value) plus the regulariser. */
    public double forward(Kernels k, Tensor h, Targets targets, Activations a) {
        int rows = a.losses.size() / outDim;
        float[] values = targets.values();
        if (values.length != rows * outDim) {
            throw new IllegalArgumentException("Fourier head: " + values.length + " target values for " + rows
                    + " rows of " + outDim);
        }
        bins.indices(a.targets, Tensor.of(values, values.length));
        projection.forward(k, a.z, Linear.rows(h, d));
        density.crossEntropy(a.losses, perValue(a.z), a.targets, a.density);
        double sum = 0;
        double weights = 0;
        for (int r = 0; r < rows; r++) {
            double w = targets.weight(r);
            for (int j = 0; j < outDim; j++) {
                sum += w * a.losses.at(r * outDim + j);
            }
            weights += w * outDim;
        }
        return (weights == 0 ? 0 : sum / weights) + density.regularizer(GAMMA, a.density);
    }

    /** dh (rows, d) overwritten; the projection's gradients accumulated. */
    public void backward(Kernels k, Tensor dh, Tensor h, Targets targets, Activations a) {
        int rows = a.losses.size() / outDim;
        double weights = 0;
        for (int r = 0; r < rows; r++) {
            weights += targets.weight(r) * outDim;
        }
        for (int r = 0; r < rows; r++) {
            float w = weights == 0 ? 0f : (float) (targets.weight(r) / weights);
            for (int j = 0; j < outDim; j++) {
                a.dlosses.set(w, r * outDim + j);
            }
        }
        density.crossEntropyBackward(perValue(a.dz), a.dlosses, a.targets, GAMMA, a.density);
        projection.backward(k, dh, a.dz, Linear.rows(h, d), false);
    }

    /** Bin probabilities (n, outDim, B) for n rows of hidden state h (n, d). */
    public void probabilities(Kernels k, Tensor probs, Tensor h) {
        int n = h.size() / d;
        Tensor z = Tensor.zeros(n, outDim * density.width());
        projection.forward(k, z, Linear.rows(h, d));
        density.forward(probs.view(n * outDim, bins.count()), Tensor.zeros(n * outDim, bins.count()), perValue(z),
                density.allocate(n * outDim));
    }

    /** (rows, outDim * 2(N+1)) seen as one row of coefficients per predicted value. */
    private Tensor perValue(Tensor z) {
        return z.view(z.size() / density.width(), density.width());
    }
}
