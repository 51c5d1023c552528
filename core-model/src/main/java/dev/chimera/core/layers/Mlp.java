package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.Activation;
import dev.chimera.core.model.ModelConfig.MlpKind;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The MLP after each mixer. SwiGLU (Llama): y = W2 (silu(W1 x) * W3 x). ReLU: y = W2 relu(W1 x),
 * whose activation sparsity inference can exploit (Sparsing Law). No biases.
 */
public final class Mlp implements Layer {
    private final MlpKind kind;
    private final int hidden;
    private final Linear gate;  // W1: d -> hidden
    private final Linear up;    // W3: d -> hidden (SwiGLU only)
    private final Linear down;  // W2: hidden -> d

    public Mlp(Parameters.Builder b, String prefix, MlpKind kind, int d, int hidden) {
        this.kind = kind;
        this.hidden = hidden;
        this.gate = new Linear(b, prefix + ".w1", d, hidden, false);
        this.up = kind == MlpKind.SWIGLU ? new Linear(b, prefix + ".w3", d, hidden, false) : null;
        this.down = new Linear(b, prefix + ".w2", hidden, d, false);
    }

    @Override
    public void bind(Parameters p) {
        gate.bind(p);
        if (up != null) {
            up.bind(p);
        }
        down.bind(p);
    }

    public Linear gate() {
        return gate;
    }

    public Linear up() {
        return up;
    }

    public Linear down() {
        return down;
    }

    public int hidden() {
        return hidden;
    }

    public boolean gated() {
        return kind == MlpKind.SWIGLU;
    }

    /** What forward saves for backward, and backward's scratch, for a fixed number of rows. */
    public final class Activations {
        final Tensor g;     // (rows, hidden) W1 x
        final Tensor u;     // (rows, hidden) W3 x (SwiGLU only)
        final Tensor h;     // (rows, hidden) the input of W2
        final Tensor dh;    // (rows, hidden)
        final Tensor dg;    // (rows, hidden)

        public Activations(Allocator alloc, int rows) {
            g = alloc.take("g", rows, hidden);
            u = kind == MlpKind.SWIGLU ? alloc.take("u", rows, hidden) : null;
            h = alloc.take("h", rows, hidden);
            dh = alloc.take("dh", rows, hidden);
            dg = alloc.take("dg", rows, hidden);
        }
    }

    /** y (rows, d) from x (rows, d). */
    public void forward(Backend k, Tensor y, Tensor x, Activations a) {
        forward(k, y, x, a.g, a.u, a.h);
    }

    /**
     * y (rows, d) from x (rows, d) in the given buffers, each (rows, hidden) (u unused by a ReLU
     * MLP): how inference runs the MLP in buffers shared by every block.
     */
    public void forward(Backend k, Tensor y, Tensor x, Tensor g, Tensor u, Tensor h) {
        gate.forward(k, g, x);
        if (kind == MlpKind.SWIGLU) {
            up.forward(k, u, x);
            k.activation(Activation.SILU, h, g);
            k.mul(h, h, u);
        } else {
            k.activation(Activation.RELU, h, g);
        }
        down.forward(k, y, h);
    }

    /** dx (rows, d) overwritten from dy (rows, d); parameter gradients accumulated. */
    public void backward(Backend k, Tensor dx, Tensor dy, Tensor x, Activations a) {
        down.backward(k, a.dh, dy, a.h, false);
        if (kind == MlpKind.SWIGLU) {
            // h = silu(g) * u, so du = dh * silu(g) and dg = dh * u * silu'(g); a.h (no longer needed) holds du.
            k.activation(Activation.SILU, a.h, a.g);
            k.mul(a.h, a.dh, a.h);
            k.mul(a.dh, a.dh, a.u);
            k.activationBackward(Activation.SILU, a.dg, a.dh, a.g);
            gate.backward(k, dx, a.dg, x, false);
            up.backward(k, dx, a.h, x, true);
        } else {
            k.activationBackward(Activation.RELU, a.dg, a.dh, a.g);
            gate.backward(k, dx, a.dg, x, false);
        }
    }
}
