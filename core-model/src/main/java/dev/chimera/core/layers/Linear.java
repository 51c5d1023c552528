package dev.chimera.core.layers;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * y = x·Wᵀ (+ b), with W stored (out, in) as in PyTorch so checkpoints keep the usual layout.
 * Forward is the ABt GEMM; backward is dx = dy·W (AB) and dW += dyᵀ·x (AtB).
 */
public final class Linear implements Layer {
    private final String weightName;
    private final String biasName;
    private final int in;
    private final int out;
    private Tensor weight;   // (out, in)
    private Tensor dWeight;  // (out, in)
    private Tensor bias;     // (out) or null
    private Tensor dBias;    // (out) or null

    /** Declares {@code prefix.weight} (out, in) and, if {@code withBias}, {@code prefix.bias} (out). */
    public Linear(Parameters.Builder b, String prefix, int in, int out, boolean withBias) {
        this.in = in;
        this.out = out;
        this.weightName = prefix + ".weight";
        this.biasName = withBias ? prefix + ".bias" : null;
        b.add(weightName, true, out, in);
        if (withBias) {
            b.add(biasName, false, out);
        }
    }

    @Override
    public void bind(Parameters p) {
        weight = p.value(weightName);
        dWeight = p.grad(weightName);
        if (biasName != null) {
            bias = p.value(biasName);
            dBias = p.grad(biasName);
        }
    }

    /** Multiplies the weights (not the bias) by {@code factor}; used by initialisations that shrink a layer. */
    public void scaleWeights(float factor) {
        scale(weight, factor);
    }

    /** Multiplies the bias by {@code factor}; the layer must have one. */
    public void scaleBias(float factor) {
        if (biasName == null) {
            throw new IllegalStateException("Linear " + weightName + " has no bias to scale");
        }
        scale(bias, factor);
    }

    private static void scale(Tensor t, float factor) {
        for (int i = 0; i < t.size(); i++) {
            t.data()[t.offset() + i] *= factor;
        }
    }

    public String weightName() {
        return weightName;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    /** y (rows, out) = x (rows, in)·Wᵀ + b. */
    public void forward(Backend k, Tensor y, Tensor x) {
        Tensor y2 = rows(y, out);
        k.gemm(GemmForm.ABt, y2, rows(x, in), weight, false);
        if (bias != null) {
            k.addRowVector(y2, bias);
        }
    }

    /**
     * dx (rows, in) = dy·W, overwritten or, with {@code accumulateDx}, added (skipped if dx is null);
     * dW += dyᵀ·x; db += column sums of dy.
     */
    public void backward(Backend k, Tensor dx, Tensor dy, Tensor x, boolean accumulateDx) {
        Tensor dy2 = rows(dy, out);
        Tensor x2 = rows(x, in);
        if (dx != null) {
            k.gemm(GemmForm.AB, rows(dx, in), dy2, weight, accumulateDx);
        }
        k.gemm(GemmForm.AtB, dWeight, dy2, x2, true);
        if (dBias != null) {
            k.addColumnSums(dBias, dy2);
        }
    }

    /** The first {@code rows} rows (along axis 0) of a buffer made for at least that many; the buffer itself when it has exactly that many. */
    static Tensor rowsOf(Tensor t, int rows) {
        return t.dim(0) == rows ? t : t.slice(0, rows);
    }

    /** t viewed as (rows, cols); its trailing axes must multiply to exactly cols, e.g. (B, T, heads, headDim). */
    static Tensor rows(Tensor t, int cols) {
        long trailing = 1;
        for (int axis = t.rank() - 1; axis >= 0 && trailing < cols; axis--) {
            trailing *= t.dim(axis);
        }
        if (t.rank() == 0 || trailing != cols) {
            throw new IllegalArgumentException("expected trailing axes of " + cols + " values, got " + t.shapeString());
        }
        return t.rank() == 2 && t.dim(1) == cols ? t : t.view(t.size() / cols, cols);
    }
}
