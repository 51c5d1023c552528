package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.FourierDensityOp;
import dev.chimera.core.heads.Bins;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The Fourier head (REFERENCE §4) for {@code outDim} continuous values per row: a linear layer
 * to outDim sets of 2(N+1) Fourier coefficients, each turned by the backend's {@link FourierDensityOp} into a
 * smooth distribution over B bins of [-1, 1]. Trained by cross-entropy against the bin of each
 * target value (values must already be scaled into [-1, 1]) plus the paper's smoothness
 * regulariser, weighted by the {@link Settings}' gamma. The loss is the weighted mean over rows
 * and values.
 */
public final class FourierHead implements Head {
    /** The regulariser weight of the reference implementation. */
    public static final double GAMMA = 1e-6;

    /** fourier_head.py's initialisation divides the linear layer's default one by 100 (init_denominator_*). */
    private static final float INIT_SCALE = 0.01f;

    /**
     * The head's choices that the reference leaves to its caller: {@code gamma} weighs the smoothness
     * regulariser (0 leaves it out), and {@code shrinkBias} says whether {@link #initialise()} divides
     * the bias by 100 along with the weights, as fourier_head.py does.
     */
    public record Settings(double gamma, boolean shrinkBias) {
        public Settings {
            if (!(gamma >= 0) || Double.isInfinite(gamma)) {
                throw new IllegalArgumentException("Fourier head: gamma must be finite and >= 0, got " + gamma);
            }
        }

        /** The decoder's head: gamma 1e-6, the weights divided by 100 and the bias left as initialised. */
        public static Settings defaults() {
            return new Settings(GAMMA, false);
        }

        /** fourier_head.py's head with the given gamma: weights and bias divided by 100. */
        public static Settings reference(double gamma) {
            return new Settings(gamma, true);
        }
    }

    private final int d;
    private final int outDim;
    private final Settings settings;
    private final Linear projection;
    private final FourierDensityOp density;
    private final Bins bins;

    /** Declares {@code prefix.weight} (outDim 2(N+1), d) and {@code prefix.bias} (outDim 2(N+1)). */
    public FourierHead(Parameters.Builder b, String prefix, int d, int outDim, int frequencies, int binCount,
                       Settings settings, Backend backend) {
        this.d = d;
        this.outDim = outDim;
        this.settings = settings;
        this.density = backend.fourierDensity(frequencies, binCount);
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

    /**
     * Scales the linear layer's initialisation down by 100 as the reference does: the weights, and
     * the bias too if the settings say so.
     */
    @Override
    public void initialise() {
        projection.scaleWeights(INIT_SCALE);
        if (settings.shrinkBias()) {
            projection.scaleBias(INIT_SCALE);
        }
    }

    /** Buffers of a forward and backward over {@code rows} rows. */
    public final class Activations implements Head.Activations {
        final Tensor z;          // (rows, outDim * 2(N+1)), read by the density as (rows * outDim, 2(N+1))
        final Tensor dz;         // (rows, outDim * 2(N+1))
        final Tensor losses;     // (rows * outDim)
        final Tensor dlosses;    // (rows * outDim)
        final float[] hostLosses; // (rows * outDim)
        final float[] hostDlosses; // (rows * outDim)
        final int[] targets;     // (rows * outDim) bin indices of continuous targets
        final FourierDensityOp.Saved density;

        Activations(Allocator alloc, int rows) {
            int width = FourierHead.this.density.width();
            z = alloc.take("z", rows, outDim * width);
            dz = alloc.take("dz", rows, outDim * width);
            losses = alloc.take("losses", rows * outDim);
            dlosses = alloc.take("dlosses", rows * outDim);
            hostLosses = new float[rows * outDim];
            hostDlosses = new float[rows * outDim];
            targets = new int[rows * outDim];
            density = FourierHead.this.density.allocate(rows * outDim);
        }
    }

    @Override
    public Activations allocate(Allocator alloc, int rows) {
        return new Activations(alloc, rows);
    }

    @Override
    public int[] outputShape() {
        return new int[] {outDim, bins.count()};
    }

    /** Bin probabilities (n, outDim, B) for n rows of hidden state h (n, d); no logits are computed. */
    @Override
    public void output(Backend k, Tensor probs, Tensor h, Head.Activations activations) {
        Activations a = (Activations) activations;
        Tensor z = coefficients(k, h, a);
        density.probabilities(probs.view(z.dim(0), bins.count()), z, a.density);
    }

    /**
     * Weighted mean cross-entropy (nats per value) plus the regulariser. Targets are continuous
     * values in [-1, 1], which the head quantises into its bins, or bin indices already
     * (token targets, IGNORE_TARGET where a value carries no loss), (rows * outDim) either way.
     */
    @Override
    public double forward(Backend k, Tensor h, Targets targets, Head.Activations activations) {
        Activations a = (Activations) activations;
        int rows = a.losses.size() / outDim;
        if (targets.isTokens()) {
            int[] ids = targets.tokens();
            if (ids.length != rows * outDim) {
                throw new IllegalArgumentException("Fourier head: " + ids.length + " target bins for " + rows
                        + " rows of " + outDim);
            }
            System.arraycopy(ids, 0, a.targets, 0, ids.length);
        } else {
            float[] values = targets.values();
            if (values.length != rows * outDim) {
                throw new IllegalArgumentException("Fourier head: " + values.length + " target values for " + rows
                        + " rows of " + outDim);
            }
            bins.indices(a.targets, Tensor.of(values, values.length));
        }
        return weightedForward(k, h, a.targets, targets.isTokens() ? null : targets.weights(), a);
    }

    /** dh (rows, d) overwritten; the projection's gradients accumulated. */
    @Override
    public void backward(Backend k, Tensor dh, Tensor h, Targets targets, Head.Activations activations) {
        Activations a = (Activations) activations;
        weightedBackward(k, dh, h, a.targets, targets.isTokens() ? null : targets.weights(), a);
    }

    /** The loss with one weight per row: {@code weights} (rows), or null for all ones. */
    private double weightedForward(Backend k, Tensor h, int[] binTargets, float[] weights, Activations a) {
        int rows = a.losses.size() / outDim;
        projection.forward(k, a.z, Linear.rows(h, d));
        density.crossEntropy(a.losses, perValue(a.z), binTargets, a.density);
        k.download(a.hostLosses, a.losses);
        double sum = 0;
        double total = 0;
        for (int r = 0; r < rows; r++) {
            double w = weight(weights, r);
            for (int j = 0; j < outDim; j++) {
                sum += w * a.hostLosses[r * outDim + j];
            }
            total += w * outDim;
        }
        double gamma = settings.gamma();
        return (total == 0 ? 0 : sum / total) + (gamma > 0 ? density.regularizer(gamma, a.density) : 0);
    }

    private void weightedBackward(Backend k, Tensor dh, Tensor h, int[] binTargets, float[] weights, Activations a) {
        int rows = a.losses.size() / outDim;
        double total = 0;
        for (int r = 0; r < rows; r++) {
            total += weight(weights, r) * outDim;
        }
        for (int r = 0; r < rows; r++) {
            float w = total == 0 ? 0f : (float) (weight(weights, r) / total);
            for (int j = 0; j < outDim; j++) {
                a.hostDlosses[r * outDim + j] = w;
            }
        }
        k.upload(a.dlosses, a.hostDlosses);
        density.crossEntropyBackward(perValue(a.dz), a.dlosses, binTargets, settings.gamma(), a.density);
        projection.backward(k, dh, a.dz, Linear.rows(h, d), false);
    }

    private static float weight(float[] weights, int r) {
        return weights == null ? 1f : weights[r];
    }

    /**
     * probs and logits log(p + 1e-5), each (rows * outDim, B), for hidden state h (rows, d), with
     * rows up to the number a's buffers were made for; a's buffers then hold this forward instead
     * of the last training one.
     */
    public void distribution(Backend k, Tensor probs, Tensor logits, Tensor h, Activations a) {
        density.forward(probs, logits, coefficients(k, h, a), a.density);
    }

    /** The coefficients (rows * outDim, 2(N+1)) of hidden state h (rows, d), projected into a's z. */
    private Tensor coefficients(Backend k, Tensor h, Activations a) {
        Tensor z = Linear.rowsOf(a.z, h.size() / d);
        projection.forward(k, z, Linear.rows(h, d));
        return perValue(z);
    }

    /** (rows, outDim * 2(N+1)) seen as one row of coefficients per predicted value. */
    private Tensor perValue(Tensor z) {
        return z.view(z.size() / density.width(), density.width());
    }
}
