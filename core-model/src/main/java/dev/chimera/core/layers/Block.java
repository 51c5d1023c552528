package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.RowViews;
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

        public Activations(Allocator alloc, int batch, int seqlen) {
            n1 = alloc.take("n1", batch, seqlen, d);
            rstd1 = alloc.take("rstd1", batch * seqlen);
            x1 = alloc.take("x1", batch, seqlen, d);
            n2 = alloc.take("n2", batch, seqlen, d);
            rstd2 = alloc.take("rstd2", batch * seqlen);
            branch = alloc.take("branch", batch, seqlen, d);
            dx1 = alloc.take("dx1", batch, seqlen, d);
            mixerActs = mixer.allocate(alloc.scoped("mixer"), batch, seqlen);
            mlpActs = mlp.new Activations(alloc.scoped("mlp"), batch * seqlen);
        }
    }

    /** out (batch, T, d) from x (batch, T, d); out may not alias x. */
    public void forward(Backend k, Tensor out, Tensor x, Activations a) {
        norm1.forward(k, a.n1, a.rstd1, x);
        mixer.forward(k, a.branch, a.n1, a.mixerActs);
        k.add(a.x1, x, a.branch);
        norm2.forward(k, a.n2, a.rstd2, a.x1);
        mlp.forward(k, a.branch, a.n2, a.mlpActs);
        k.add(out, a.x1, a.branch);
    }

    /** dx (batch, T, d) overwritten from the residual gradient dOut; parameter gradients accumulated. */
    public void backward(Backend k, Tensor dx, Tensor dOut, Tensor x, Activations a) {
        // out = x1 + mlp(norm2(x1)): dx1 = dOut + norm2'(mlp'(dOut)).
        mlp.backward(k, a.branch, dOut, a.n2, a.mlpActs);
        norm2.backward(k, a.dx1, a.branch, a.x1, a.rstd2);
        k.add(a.dx1, a.dx1, dOut);
        // x1 = x + mixer(norm1(x)): dx = dx1 + norm1'(mixer'(dx1)).
        mixer.backward(k, a.branch, a.dx1, a.n1, a.mixerActs);
        norm1.backward(k, dx, a.branch, x, a.rstd1);
        k.add(dx, dx, a.dx1);
    }

    // ------------------------------------------------------------ inference

    /**
     * The inference buffers of a block, shared by every block of a decoder (they run one after
     * another and have the same widths): prefills use them whole, a step of n sequences the first
     * n rows through views made here.
     */
    public static final class Workspace {
        final Tensor normed;  // (maxRows, d)
        final Tensor branch;  // (maxRows, d)
        final Tensor x1;      // (maxRows, d)
        final Tensor rstd;    // (maxRows)
        final Tensor g;       // (maxRows, hidden)
        final Tensor u;       // (maxRows, hidden), SwiGLU only
        final Tensor h;       // (maxRows, hidden)
        final RowViews stepNormed;
        final RowViews stepBranch;
        final RowViews stepX1;
        final RowViews stepRstd;
        final RowViews stepG;
        final RowViews stepU;
        final RowViews stepH;

        /** Buffers for the blocks of a model of width d whose MLPs are like {@code mlp}. */
        public Workspace(Allocator alloc, int d, Mlp mlp, int maxBatch, int maxLength) {
            int maxRows = maxBatch * maxLength;
            int hidden = mlp.hidden();
            normed = alloc.take("normed", maxRows, d);
            branch = alloc.take("branch", maxRows, d);
            x1 = alloc.take("x1", maxRows, d);
            rstd = alloc.take("rstd", maxRows);
            g = alloc.take("mlp.g", maxRows, hidden);
            u = mlp.gated() ? alloc.take("mlp.u", maxRows, hidden) : null;
            h = alloc.take("mlp.h", maxRows, hidden);
            stepNormed = new RowViews(normed, maxBatch, d);
            stepBranch = new RowViews(branch, maxBatch, d);
            stepX1 = new RowViews(x1, maxBatch, d);
            stepRstd = new RowViews(rstd, maxBatch);
            stepG = new RowViews(g, maxBatch, hidden);
            stepU = u == null ? null : new RowViews(u, maxBatch, hidden);
            stepH = new RowViews(h, maxBatch, hidden);
        }
    }

    /**
     * Inference over n = x.dim(0) sequences of T positions, x, out (n, T, d), each sequence taking
     * lengths[i] of them, continuing and advancing the mixer's states.
     */
    public void prefill(Backend k, Tensor out, Tensor x, Mixer.State[] states, int[] lengths, Workspace w,
                        Mixer.Workspace mixerWorkspace) {
        int rows = x.dim(0) * x.dim(1);
        Tensor xRows = x.view(rows, d);
        Tensor normed = w.normed.slice(0, rows);
        Tensor x1 = w.x1.slice(0, rows);
        Tensor rstd = w.rstd.slice(0, rows);
        norm1.forward(k, normed, rstd, xRows);
        mixer.prefill(k, x1.view(x.shape()), normed.view(x.shape()), states, lengths, mixerWorkspace);
        k.add(x1, x1, xRows);
        norm2.forward(k, normed, rstd, x1);
        Tensor outRows = out.view(rows, d);
        mlp.forward(k, outRows, normed, w.g.slice(0, rows), w.u == null ? null : w.u.slice(0, rows),
                w.h.slice(0, rows));
        k.add(outRows, outRows, x1);
    }

    /** Inference: x (n, d) -> out (n, d) for n sequences at their next position. Allocates nothing. */
    public void step(Backend k, Tensor out, Tensor x, Mixer.State[] states, Workspace w,
                     Mixer.Workspace mixerWorkspace) {
        int n = x.dim(0);
        Tensor normed = w.stepNormed.rows(n);
        Tensor branch = w.stepBranch.rows(n);
        Tensor x1 = w.stepX1.rows(n);
        Tensor rstd = w.stepRstd.rows(n);
        norm1.forward(k, normed, rstd, x);
        mixer.step(k, branch, normed, states, mixerWorkspace);
        k.add(x1, x, branch);
        norm2.forward(k, normed, rstd, x1);
        mlp.forward(k, branch, normed, w.stepG.rows(n), w.stepU == null ? null : w.stepU.rows(n), w.stepH.rows(n));
        k.add(out, x1, branch);
    }
}
