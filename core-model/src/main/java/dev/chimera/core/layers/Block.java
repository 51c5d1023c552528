package dev.chimera.core.layers;

import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.model.ModelConfig.MlpKind;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * One decoder layer, pre-norm with residuals (DESIGN "The core"):
 * x1 = x + mixer(norm1(x)); out = x1 + mlp(norm2(x1)).
 * The residual stream's gradient flows straight through both additions.
 */
public final class Block implements Layer {
    private final int d;
    private final RmsNorm norm1;
    private final Mixer mixer;
    private final RmsNorm norm2;
    private final Mlp mlp;

    public Block(Parameters.Builder b, String prefix, int d, Mixer mixer, MlpKind mlpKind, int mlpHidden) {
        this.d = d;
        this.norm1 = new RmsNorm(b, prefix + ".norm1", d);
        this.mixer = mixer;
        this.norm2 = new RmsNorm(b, prefix + ".norm2", d);
        this.mlp = new Mlp(b, prefix + ".mlp", mlpKind, d, mlpHidden);
    }

    @Override
    public void bind(Parameters p) {
        norm1.bind(p);
        mixer.bind(p);
        norm2.bind(p);
        mlp.bind(p);
    }

    public Mixer mixer() {
        return mixer;
    }

    public Mlp mlp() {
        return mlp;
    }

    /** Sets both norm scales to 1. */
    public void initialiseNorms() {
        norm1.initialise();
        norm2.initialise();
    }

    /** Saved activations and backward scratch for one (batch, T). */
    public final class Activations {
        final Tensor n1;      // (batch, T, d) norm1(x)
        final Tensor rstd1;   // (batch*T)
        final Tensor x1;      // (batch, T, d) residual after the mixer
        final Tensor n2;      // (batch, T, d) norm2(x1)
        final Tensor rstd2;   // (batch*T)
        final Tensor branch;  // (batch, T, d) mixer or MLP output; in backward the normed-input gradient
        final Tensor dx1;     // (batch, T, d)
        final Mixer.Activations mixerActs;
        final Mlp.Activations mlpActs;

        public Activations(int batch, int seqlen) {
            n1 = Tensor.zeros(batch, seqlen, d);
            rstd1 = Tensor.zeros(batch * seqlen);
            x1 = Tensor.zeros(batch, seqlen, d);
            n2 = Tensor.zeros(batch, seqlen, d);
            rstd2 = Tensor.zeros(batch * seqlen);
            branch = Tensor.zeros(batch, seqlen, d);
            dx1 = Tensor.zeros(batch, seqlen, d);
            mixerActs = mixer.allocate(batch, seqlen);
            mlpActs = mlp.new Activations(batch * seqlen);
        }
    }

    /** out (batch, T, d) from x (batch, T, d); out may not alias x. */
    public void forward(Kernels k, Tensor out, Tensor x, Activations a) {
        norm1.forward(k, a.n1, a.rstd1, x);
        mixer.forward(k, a.branch, a.n1, a.mixerActs);
        k.add(a.x1, x, a.branch);
        norm2.forward(k, a.n2, a.rstd2, a.x1);
        mlp.forward(k, a.branch, a.n2, a.mlpActs);
        k.add(out, a.x1, a.branch);
    }

    /** dx (batch, T, d) overwritten from the residual gradient dOut; parameter gradients accumulated. */
    public void backward(Kernels k, Tensor dx, Tensor dOut, Tensor x, Activations a) {
        // out = x1 + mlp(norm2(x1)): dx1 = dOut + norm2'(mlp'(dOut)).
        mlp.backward(k, a.branch, dOut, a.n2, a.mlpActs);
        norm2.backward(k, a.dx1, a.branch, a.x1, a.rstd2);
        k.add(a.dx1, a.dx1, dOut);
        // x1 = x + mixer(norm1(x)): dx = dx1 + norm1'(mixer'(dx1)).
        mixer.backward(k, a.branch, a.dx1, a.n1, a.mixerActs);
        norm1.backward(k, dx, a.branch, x, a.rstd1);
        k.add(dx, dx, a.dx1);
    }

    /** Inference: x (n, d) -> out (n, d) for n sequences at their next position; {@code scratch} holds 3 x (n, d). */
    public void step(Kernels k, Tensor out, Tensor x, Mixer.State[] states, Tensor[] scratch) {
        int n = x.dim(0);
        Tensor normed = scratch[0];
        Tensor branch = scratch[1];
        Tensor x1 = scratch[2];
        Tensor rstd = Tensor.zeros(n);
        norm1.forward(k, normed, rstd, x);
        mixer.step(k, branch, normed, states);
        k.add(x1, x, branch);
        norm2.forward(k, normed, rstd, x1);
        mlp.forward(k, branch, normed, mlp.new Activations(n));
        k.add(out, x1, branch);
    }

    /** Rows per MLP call during prefill, so its hidden buffers stay small for long prompts. */
    private static final int PREFILL_ROWS = 2048;

    /** Inference over T positions x (1, T, d) of one sequence, continuing and advancing the mixer's state. */
    public void prefill(Kernels k, Tensor out, Tensor x, Mixer.State state) {
        int seqlen = x.dim(1);
        Tensor normed = Tensor.zeros(1, seqlen, d);
        Tensor x1 = Tensor.zeros(1, seqlen, d);
        norm1.forward(k, normed, Tensor.zeros(seqlen), x);
        mixer.prefill(k, x1, normed, state);
        k.add(x1, x1, x);
        Tensor x1Rows = x1.view(seqlen, d);
        Tensor outRows = out.view(seqlen, d);
        Mlp.Activations acts = null;
        for (int t0 = 0; t0 < seqlen; t0 += PREFILL_ROWS) {
            int len = Math.min(PREFILL_ROWS, seqlen - t0);
            if (acts == null || len != PREFILL_ROWS) {
                acts = mlp.new Activations(len);
            }
            Tensor rows = x1Rows.slice(t0, t0 + len);
            Tensor n2 = normed.view(seqlen, d).slice(t0, t0 + len);
            norm2.forward(k, n2, Tensor.zeros(len), rows);
            Tensor o = outRows.slice(t0, t0 + len);
            mlp.forward(k, o, n2, acts);
            k.add(o, o, rows);
        }
    }
}
