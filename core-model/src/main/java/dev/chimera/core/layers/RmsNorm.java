package dev.chimera.core.layers;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/** RMSNorm with a learned scale (initialised to 1, no weight decay); saves 1/rms per row for backward. */
public final class RmsNorm implements Layer {
    public static final float EPS = 1e-5f;
    private final String name;
    private final int d;
    private Tensor weight;   // (d)
    private Tensor dWeight;  // (d)

    public RmsNorm(Parameters.Builder b, String prefix, int d) {
        this.name = prefix + ".weight";
        this.d = d;
        b.add(name, false, d);
    }

    @Override
    public void bind(Parameters p) {
        weight = p.value(name);
        dWeight = p.grad(name);
    }

    /** Sets the scale to 1, the standard initialisation. */
    public void initialise() {
        weight.fill(1f);
    }

    /** out (rows, d) = x * rstd * w; rstd (rows) is saved for backward. */
    public void forward(Backend k, Tensor out, Tensor rstd, Tensor x) {
        k.rmsNorm(Linear.rows(out, d), rstd, Linear.rows(x, d), weight, EPS);
    }

    /** dx overwritten; dw accumulated. */
    public void backward(Backend k, Tensor dx, Tensor dOut, Tensor x, Tensor rstd) {
        k.rmsNormBackward(Linear.rows(dx, d), dWeight, Linear.rows(dOut, d), Linear.rows(x, d), weight, rstd);
    }
}
