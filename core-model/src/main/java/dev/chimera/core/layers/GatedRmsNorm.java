package dev.chimera.core.layers;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * Mamba2's gated RMSNorm (REFERENCE §2 step 5, gate before norm): v = y * silu(z), then each
 * group of dInner/G channels is scaled by 1/sqrt(mean(v^2) + eps) and by a learned weight.
 */
public final class GatedRmsNorm implements Layer {
    private final String name;
    private final int width;
    private final int groups;
    private Tensor weight;   // (dInner)
    private Tensor dWeight;  // (dInner)

    public GatedRmsNorm(Parameters.Builder b, String prefix, int width, int groups) {
        this.name = prefix + ".weight";
        this.width = width;
        this.groups = groups;
        b.add(name, false, width);
    }

    @Override
    public void bind(Parameters p) {
        weight = p.value(name);
        dWeight = p.grad(name);
    }

    public void initialise() {
        weight.fill(1f);
    }

    /** out (rows, dInner) from y and z (rows, dInner); rstd (rows * G) saved for backward. */
    public void forward(Backend k, Tensor out, Tensor rstd, Tensor y, Tensor z) {
        k.gatedRmsNorm(Linear.rows(out, width), rstd, Linear.rows(y, width), Linear.rows(z, width), weight, groups,
                RmsNorm.EPS);
    }

    /** dy and dz (rows, dInner) overwritten; dWeight accumulated. */
    public void backward(Backend k, Tensor dy, Tensor dz, Tensor dOut, Tensor y, Tensor z, Tensor rstd) {
        k.gatedRmsNormBackward(Linear.rows(dy, width), Linear.rows(dz, width), dWeight, Linear.rows(dOut, width),
                Linear.rows(y, width), Linear.rows(z, width), weight, rstd, groups);
    }
}
