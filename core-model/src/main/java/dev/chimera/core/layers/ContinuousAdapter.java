package dev.chimera.core.layers;

import dev.chimera.core.kernel.Activation;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.model.ModelConfig.AdapterKind;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * Brings continuous input vectors (rows, D) into the model width d: a Linear, or a 2-layer MLP
 * Linear -> SiLU -> Linear (AutoTimes embeds segments this way). A NaN or infinite input is
 * rejected with its row and column.
 */
public final class ContinuousAdapter implements Layer {
    private final AdapterKind kind;
    private final int inDim;
    private final int d;
    private final Linear first;
    private final Linear second;  // MLP only

    public ContinuousAdapter(Parameters.Builder b, String prefix, AdapterKind kind, int inDim, int d) {
        this.kind = kind;
        this.inDim = inDim;
        this.d = d;
        this.first = new Linear(b, prefix + (kind == AdapterKind.MLP ? ".fc1" : ".proj"), inDim, d, true);
        this.second = kind == AdapterKind.MLP ? new Linear(b, prefix + ".fc2", d, d, true) : null;
    }

    @Override
    public void bind(Parameters p) {
        first.bind(p);
        if (second != null) {
            second.bind(p);
        }
    }

    public int inDim() {
        return inDim;
    }

    public final class Activations {
        final Tensor pre;   // (rows, d) first layer output (MLP only)
        final Tensor act;   // (rows, d) silu(pre) (MLP only)
        final Tensor dAct;  // (rows, d)

        public Activations(int rows) {
            boolean mlp = kind == AdapterKind.MLP;
            pre = mlp ? Tensor.zeros(rows, d) : null;
            act = mlp ? Tensor.zeros(rows, d) : null;
            dAct = mlp ? Tensor.zeros(rows, d) : null;
        }
    }

    /** out (rows, d) from x (rows, inDim). */
    public void forward(Kernels k, Tensor out, Tensor x, Activations a) {
        requireFinite(x);
        if (second == null) {
            first.forward(k, out, x);
            return;
        }
        first.forward(k, a.pre, x);
        k.activation(Activation.SILU, a.act, a.pre);
        second.forward(k, out, a.act);
    }

    /** dx (rows, inDim) overwritten unless null; parameter gradients accumulated. */
    public void backward(Kernels k, Tensor dx, Tensor dOut, Tensor x, Activations a) {
        if (second == null) {
            first.backward(k, dx, dOut, x, false);
            return;
        }
        second.backward(k, a.dAct, dOut, a.act, false);
        k.activationBackward(Activation.SILU, a.dAct, a.dAct, a.pre);
        first.backward(k, dx, a.dAct, x, false);
    }

    private void requireFinite(Tensor x) {
        Tensor rows = Linear.rows(x, inDim);
        for (int i = 0; i < rows.size(); i++) {
            float v = rows.at(i);
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("continuous input " + v + " at position " + i / inDim
                        + ", channel " + i % inDim + " is not a finite number");
            }
        }
    }
}
