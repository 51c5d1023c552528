package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.Activation;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * Brings continuous input vectors (rows, D) into the model width d: a Linear, or a 2-layer MLP
 * Linear -> SiLU -> Linear (AutoTimes embeds segments this way). A NaN or infinite input is
 * rejected with its row and column.
 */
public final class ContinuousAdapter implements InputAdapter {
    private final boolean mlp;
    private final int inDim;
    private final int d;
    private final Linear first;
    private final Linear second;  // MLP only

    public ContinuousAdapter(Parameters.Builder b, String prefix, boolean mlp, int inDim, int d) {
        this.mlp = mlp;
        this.inDim = inDim;
        this.d = d;
        this.first = new Linear(b, prefix + (mlp ? ".fc1" : ".proj"), inDim, d, true);
        this.second = mlp ? new Linear(b, prefix + ".fc2", d, d, true) : null;
    }

    @Override
    public void bind(Parameters p) {
        first.bind(p);
        if (second != null) {
            second.bind(p);
        }
    }

    @Override
    public boolean takesTokens() {
        return false;
    }

    private static final class Saved implements InputAdapter.Activations {
        final Tensor pre;   // (rows, d) first layer output
        final Tensor act;   // (rows, d) silu(pre)
        final Tensor dAct;  // (rows, d)

        Saved(Allocator alloc, int rows, int d) {
            pre = alloc.take("pre", rows, d);
            act = alloc.take("act", rows, d);
            dAct = alloc.take("dact", rows, d);
        }
    }

    /** The MLP adapter saves its hidden layer; the linear one needs nothing. */
    @Override
    public InputAdapter.Activations allocate(Allocator alloc, int rows) {
        return mlp ? new Saved(alloc, rows, d) : null;
    }

    /** out (rows of d) from the inputs' values (rows of inDim). */
    @Override
    public void forward(Backend k, Tensor out, Inputs in, InputAdapter.Activations a) {
        Tensor x = in.valueRows();
        requireFinite(x);
        if (!mlp) {
            first.forward(k, out, x);
            return;
        }
        Saved s = (Saved) a;
        Tensor pre = Linear.rowsOf(s.pre, x.size() / inDim);
        Tensor act = Linear.rowsOf(s.act, x.size() / inDim);
        first.forward(k, pre, x);
        k.activation(Activation.SILU, act, pre);
        second.forward(k, out, act);
    }

    /** Parameter gradients accumulated; the inputs' own gradient is not needed by any caller. */
    @Override
    public void backward(Backend k, Tensor dOut, Inputs in, InputAdapter.Activations a) {
        Tensor x = in.valueRows();
        if (!mlp) {
            first.backward(k, null, dOut, x, false);
            return;
        }
        Saved s = (Saved) a;
        int rows = x.size() / inDim;
        Tensor dAct = Linear.rowsOf(s.dAct, rows);
        second.backward(k, dAct, dOut, Linear.rowsOf(s.act, rows), false);
        k.activationBackward(Activation.SILU, dAct, dAct, Linear.rowsOf(s.pre, rows));
        first.backward(k, null, dAct, x, false);
    }

    private void requireFinite(Tensor x) {
        float[] v = x.data();
        for (int i = 0; i < x.size(); i++) {
            if (!Float.isFinite(v[x.offset() + i])) {
                throw new IllegalArgumentException("continuous input " + v[x.offset() + i] + " at position "
                        + i / inDim + ", channel " + i % inDim + " is not a finite number");
            }
        }
    }
}
