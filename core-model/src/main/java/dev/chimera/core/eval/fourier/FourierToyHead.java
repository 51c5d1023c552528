package dev.chimera.core.eval.fourier;

import dev.chimera.core.heads.FourierActivations;
import dev.chimera.core.heads.FourierDensity;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.layers.Linear;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The Fourier head of the synthetic experiment: Linear(d -> 2(N+1)) with bias, then
 * {@link FourierDensity} (REFERENCE.md §4; fourier_head.py). The same maths as
 * {@link dev.chimera.core.layers.FourierHead} for one value per row, with the regulariser's
 * gamma as a parameter (that layer fixes it at 1e-6; the paper's table was trained with 0) and
 * the reference's initialisation, which divides both the weight and the bias by 100. The loss is
 * the mean cross-entropy of the logits log(p + 1e-5) plus gamma's regulariser.
 */
public final class FourierToyHead implements ToyHead {
    /** fourier_head.py's init_denominator_weight and init_denominator_bias. */
    public static final float INIT_DENOMINATOR = 100f;

    private final int bins;
    private final double gamma;
    private final Linear projection;
    private final FourierDensity density;

    public FourierToyHead(Parameters.Builder b, String prefix, int d, int frequencies, int bins, double gamma,
                          ComputePool pool) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("Fourier head: gamma must be finite and >= 0, got " + gamma);
        }
        this.bins = bins;
        this.gamma = gamma;
        this.density = new FourierDensity(frequencies, bins, pool);
        this.projection = new Linear(b, prefix, d, density.width(), true);
    }

    @Override
    public void bind(Parameters p) {
        projection.bind(p);
    }

    @Override
    public HeadKind kind() {
        return HeadKind.FOURIER;
    }

    @Override
    public Linear projection() {
        return projection;
    }

    @Override
    public int bins() {
        return bins;
    }

    public int frequencies() {
        return density.frequencies();
    }

    public double gamma() {
        return gamma;
    }

    @Override
    public void initialise(Tensor weight, Tensor bias) {
        scale(weight, 1 / INIT_DENOMINATOR);
        scale(bias, 1 / INIT_DENOMINATOR);
    }

    private static void scale(Tensor t, float factor) {
        float[] v = t.data();
        for (int i = t.offset(); i < t.offset() + t.size(); i++) {
            v[i] *= factor;
        }
    }

    private final class Buffers implements Activations {
        final Tensor z;          // (rows, 2(N+1))
        final Tensor dz;         // (rows, 2(N+1))
        final Tensor probs;      // (rows, B), written by logits()
        final Tensor losses;     // (rows)
        final Tensor dlosses;    // (rows)
        final FourierActivations density;

        Buffers(int rows) {
            int width = FourierToyHead.this.density.width();
            z = Tensor.zeros(rows, width);
            dz = Tensor.zeros(rows, width);
            probs = Tensor.zeros(rows, bins);
            losses = Tensor.zeros(rows);
            dlosses = Tensor.zeros(rows);
            density = FourierToyHead.this.density.allocate(rows);
        }

        @Override
        public int rows() {
            return losses.size();
        }

        FourierToyHead owner() {
            return FourierToyHead.this;
        }
    }

    @Override
    public Activations allocate(int rows) {
        return new Buffers(rows);
    }

    @Override
    public double forward(Kernels k, Tensor h, int[] targets, Activations a) {
        Buffers s = own(a);
        projection.forward(k, s.z, h);
        density.crossEntropy(s.losses, s.z, targets, s.density);
        double sum = 0;
        for (int r = 0; r < s.rows(); r++) {
            sum += s.losses.at(r);
        }
        return sum / s.rows() + (gamma > 0 ? density.regularizer(gamma, s.density) : 0);
    }

    @Override
    public void backward(Kernels k, Tensor dh, Tensor h, int[] targets, Activations a) {
        Buffers s = own(a);
        s.dlosses.fill(1f / s.rows());
        density.crossEntropyBackward(s.dz, s.dlosses, targets, gamma, s.density);
        projection.backward(k, dh, s.dz, h, false);
    }

    @Override
    public void logits(Kernels k, Tensor logits, Tensor h, Activations a) {
        Buffers s = own(a);
        projection.forward(k, s.z, h);
        density.forward(s.probs, logits, s.z, s.density);
    }

    private Buffers own(Activations a) {
        if (!(a instanceof Buffers) || ((Buffers) a).owner() != this) {
            throw new IllegalArgumentException("Fourier head: activations were allocated by another head");
        }
        return (Buffers) a;
    }
}
