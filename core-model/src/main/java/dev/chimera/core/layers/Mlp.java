package dev.chimera.core.layers;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.model.ModelConfig.MlpKind;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The MLP after each mixer. SwiGLU (Llama): y = W2 (silu(W1 x) * W3 x). ReLU: y = W2 relu(W1 x),
 * whose activation sparsity inference can exploit (Sparsing Law). No biases.
 */
public final class Mlp implements Layer {
    private final MlpKind kind;
    private final int d;
    private final int hidden;
    private final Linear gate;  // W1: d -> hidden
    private final Linear up;    // W3: d -> hidden (SwiGLU only)
    private final Linear down;  // W2: hidden -> d

    public Mlp(Parameters.Builder b, String prefix, MlpKind kind, int d, int hidden) {
        this.kind = kind;
        this.d = d;
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

    /** What forward saves for backward, and backward's scratch, for a fixed number of rows. */
    public final class Activations {
        final Tensor g;     // (rows, hidden) W1 x
        final Tensor u;     // (rows, hidden) W3 x (SwiGLU only)
        final Tensor h;     // (rows, hidden) the input of W2
        final Tensor dh;    // (rows, hidden)
        final Tensor dg;    // (rows, hidden)

        public Activations(int rows) {
            g = Tensor.zeros(rows, hidden);
            u = kind == MlpKind.SWIGLU ? Tensor.zeros(rows, hidden) : null;
            h = Tensor.zeros(rows, hidden);
            dh = Tensor.zeros(rows, hidden);
            dg = Tensor.zeros(rows, hidden);
        }
    }

    /** y (rows, d) from x (rows, d). */
    public void forward(Kernels k, Tensor y, Tensor x, Activations a) {
        gate.forward(k, a.g, x);
        if (kind == MlpKind.SWIGLU) {
            up.forward(k, a.u, x);
            k.activation(Activation.SILU, a.h, a.g);
            k.mul(a.h, a.h, a.u);
        } else {
            k.activation(Activation.RELU, a.h, a.g);
        }
        down.forward(k, y, a.h);
    }

    /** dx (rows, d) overwritten from dy (rows, d); parameter gradients accumulated. */
    public void backward(Kernels k, Tensor dx, Tensor dy, Tensor x, Activations a) {
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
