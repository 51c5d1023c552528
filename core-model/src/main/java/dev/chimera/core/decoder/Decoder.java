package dev.chimera.core.decoder;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.layers.AttentionMixer;
import dev.chimera.core.layers.Block;
import dev.chimera.core.layers.ContinuousAdapter;
import dev.chimera.core.layers.Embedding;
import dev.chimera.core.layers.FourierHead;
import dev.chimera.core.layers.Mamba2Mixer;
import dev.chimera.core.layers.Mixer;
import dev.chimera.core.layers.RegressionHead;
import dev.chimera.core.layers.RmsNorm;
import dev.chimera.core.layers.SoftmaxHead;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The hybrid decoder (DESIGN "The core"): input adapter -> N blocks (pre-RMSNorm, Mamba2 or
 * attention mixer, MLP, residuals) -> final RMSNorm -> head. Training runs the parallel forms
 * over {@link Training} buffers allocated once for a (batch, T); inference runs the recurrent
 * path over a {@link DecoderState} per sequence.
 */
public final class Decoder {
    /** Standard deviation of the normal initialisation of every matrix (GPT-2). */
    private static final double INIT_STD = 0.02;

    private final ModelConfig config;
    private final int maxLength;
    private final Kernels kernels;
    private final Parameters parameters;
    private final Embedding embedding;
    private final ContinuousAdapter adapter;
    private final Block[] blocks;
    private final RmsNorm finalNorm;
    private final SoftmaxHead softmaxHead;
    private final FourierHead fourierHead;
    private final RegressionHead regressionHead;

    /**
     * A decoder whose full-span attention layers hold at most {@code maxLength} positions (their KV
     * caches; also the longest training sequence). Windowed attention and Mamba2 layers take a
     * sequence of any length at inference.
     */
    public Decoder(ModelConfig config, int maxLength, ComputePool pool) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
        }
        this.config = config;
        this.maxLength = maxLength;
        this.kernels = Kernels.create(pool);
        Parameters.Builder b = Parameters.builder();
        int d = config.dModel();
        ModelConfig.Input in = config.input();
        this.embedding = in.kind() == ModelConfig.InputKind.TOKENS ? new Embedding(b, "embed", in.vocabSize(), d) : null;
        this.adapter = in.kind() == ModelConfig.InputKind.CONTINUOUS
                ? new ContinuousAdapter(b, "adapter", in.adapter(), in.dim(), d) : null;
        this.blocks = new Block[config.nLayers()];
        List<ModelConfig.Span> spans = config.spans();
        int attention = 0;
        for (int l = 0; l < blocks.length; l++) {
            String prefix = "layers." + l;
            Mixer mixer = config.isAttention(l)
                    ? new AttentionMixer(b, prefix + ".attn", d, config.attnHeads(), config.kvHeads(),
                    spans.get(attention++), config.ropeBase(), maxLength, pool)
                    : new Mamba2Mixer(b, prefix + ".mamba", config, pool);
            blocks[l] = new Block(b, prefix, d, mixer, config.mlp(), config.mlpHidden());
        }
        this.finalNorm = new RmsNorm(b, "final_norm", d);
        ModelConfig.Head head = config.head();
        this.softmaxHead = head.kind() == ModelConfig.HeadKind.SOFTMAX
                ? new SoftmaxHead(b, "head", d, head.vocabSize(), head.tied() ? embedding : null) : null;
        this.fourierHead = head.kind() == ModelConfig.HeadKind.FOURIER
                ? new FourierHead(b, "head", d, head.outDim(), head.frequencies(), head.bins(), pool) : null;
        this.regressionHead = head.kind() == ModelConfig.HeadKind.REGRESSION
                ? new RegressionHead(b, "head", d, head.outDim()) : null;
        this.parameters = b.build();
        bindAll();
    }

    private void bindAll() {
        if (embedding != null) {
            embedding.bind(parameters);
        }
        if (adapter != null) {
            adapter.bind(parameters);
        }
        for (Block block : blocks) {
            block.bind(parameters);
        }
        finalNorm.bind(parameters);
        if (softmaxHead != null) {
            softmaxHead.bind(parameters);
        }
        if (fourierHead != null) {
            fourierHead.bind(parameters);
        }
        if (regressionHead != null) {
            regressionHead.bind(parameters);
        }
    }

    public ModelConfig config() {
        return config;
    }

    public Parameters parameters() {
        return parameters;
    }

    public Kernels kernels() {
        return kernels;
    }

    public int maxLength() {
        return maxLength;
    }

    /**
     * Seeded initialisation: every matrix N(0, 0.02), the projections into the residual stream
     * scaled by 1/sqrt(2 nLayers) (GPT-2), biases 0, norm scales 1, Mamba2's dt_bias, A_log, D
     * and conv as in its reference, the Fourier head's layer shrunk by 100 (its reference).
     */
    public void initialise(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = parameters.values();
        for (Parameters.Entry e : parameters.entries()) {
            boolean matrix = e.decay() && e.shape().length == 2;
            for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                v[i] = matrix ? (float) (gaussian(random) * INIT_STD) : 0f;
            }
        }
        float residualScale = (float) (1 / Math.sqrt(2.0 * blocks.length));
        for (Block block : blocks) {
            block.initialiseNorms();
            block.mlp().down().scaleWeights(residualScale);
            if (block.mixer() instanceof Mamba2Mixer) {
                Mamba2Mixer m = (Mamba2Mixer) block.mixer();
                m.initialise(random);
                m.outputProjection().scaleWeights(residualScale);
            } else {
                ((AttentionMixer) block.mixer()).outputProjection().scaleWeights(residualScale);
            }
        }
        finalNorm.initialise();
        if (fourierHead != null) {
            fourierHead.initialise();
        }
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    // ------------------------------------------------------------ training

    /** Every activation the parallel forward saves for backward, for one (batch, T), allocated once. */
    public final class Training {
        final int batch;
        final int seqlen;
        final Tensor[] residual;          // nLayers + 1 of (batch, T, d)
        final Block.Activations[] acts;
        final Tensor hidden;              // (batch, T, d) after the final norm
        final Tensor rstd;                // (batch * T)
        final Tensor dHidden;             // (batch, T, d)
        final Tensor dResidual;           // (batch, T, d)
        final Tensor dScratch;            // (batch, T, d)
        final Tensor dInput;              // (batch, T, D) continuous input gradient, or null
        final ContinuousAdapter.Activations adapterActs;
        final SoftmaxHead.Activations softmaxActs;
        final FourierHead.Activations fourierActs;
        final RegressionHead.Activations regressionActs;

        public Training(int batch, int seqlen) {
            if (batch < 1 || seqlen < 1 || seqlen > maxLength) {
                throw new IllegalArgumentException("training buffers for batch " + batch + " x length " + seqlen
                        + ": need batch >= 1 and 1 <= length <= maxLength " + maxLength);
            }
            this.batch = batch;
            this.seqlen = seqlen;
            int d = config.dModel();
            int rows = batch * seqlen;
            residual = new Tensor[blocks.length + 1];
            acts = new Block.Activations[blocks.length];
            for (int i = 0; i <= blocks.length; i++) {
                residual[i] = Tensor.zeros(batch, seqlen, d);
            }
            for (int l = 0; l < blocks.length; l++) {
                acts[l] = blocks[l].new Activations(batch, seqlen);
            }
            hidden = Tensor.zeros(batch, seqlen, d);
            rstd = Tensor.zeros(rows);
            dHidden = Tensor.zeros(batch, seqlen, d);
            dResidual = Tensor.zeros(batch, seqlen, d);
            dScratch = Tensor.zeros(batch, seqlen, d);
            dInput = adapter != null ? Tensor.zeros(batch, seqlen, adapter.inDim()) : null;
            adapterActs = adapter != null ? adapter.new Activations(rows) : null;
            softmaxActs = softmaxHead != null ? softmaxHead.new Activations(rows) : null;
            fourierActs = fourierHead != null ? fourierHead.new Activations(rows) : null;
            regressionActs = regressionHead != null ? regressionHead.new Activations(rows) : null;
        }

        /** The final-norm hidden states of the last forward, (batch, T, d). */
        public Tensor hidden() {
            return hidden;
        }

        /** dL/d(input) of the last backward for continuous inputs, (batch, T, D). */
        public Tensor inputGradient() {
            return dInput;
        }

        /** Softmax head probabilities of the last forward, (batch*T, vocab). */
        public Tensor probabilities() {
            return softmaxActs.probs();
        }
    }

    /** Runs the model over the inputs and returns the mean loss against the targets. */
    public double forward(Inputs in, Targets targets, Training t) {
        hiddenStates(in, t);
        if (softmaxHead != null) {
            return softmaxHead.forward(kernels, t.hidden, targets, t.softmaxActs);
        }
        if (fourierHead != null) {
            return fourierHead.forward(kernels, t.hidden, targets, t.fourierActs);
        }
        return regressionHead.forward(kernels, t.hidden, targets, t.regressionActs);
    }

    /** The final-norm hidden states (batch, T, d) without a head (embeddings). */
    public Tensor hiddenStates(Inputs in, Training t) {
        requireShape(in, t);
        if (in.isTokens()) {
            embedding.forward(t.residual[0], in.tokens());
        } else {
            adapter.forward(kernels, t.residual[0], in.values(), t.adapterActs);
        }
        for (int l = 0; l < blocks.length; l++) {
            blocks[l].forward(kernels, t.residual[l + 1], t.residual[l], t.acts[l]);
        }
        finalNorm.forward(kernels, t.hidden, t.rstd, t.residual[blocks.length]);
        return t.hidden;
    }

    /** Accumulates d(mean loss)/d(parameters) of the last forward into the gradient array. */
    public void backward(Inputs in, Targets targets, Training t) {
        requireShape(in, t);
        if (softmaxHead != null) {
            softmaxHead.backward(kernels, t.dHidden, t.hidden, targets, t.softmaxActs);
        } else if (fourierHead != null) {
            fourierHead.backward(kernels, t.dHidden, t.hidden, targets, t.fourierActs);
        } else {
            regressionHead.backward(kernels, t.dHidden, t.hidden, targets, t.regressionActs);
        }
        finalNorm.backward(kernels, t.dResidual, t.dHidden, t.residual[blocks.length], t.rstd);
        Tensor dOut = t.dResidual;
        Tensor dIn = t.dScratch;
        for (int l = blocks.length - 1; l >= 0; l--) {
            blocks[l].backward(kernels, dIn, dOut, t.residual[l], t.acts[l]);
            Tensor swap = dOut;
            dOut = dIn;
            dIn = swap;
        }
        if (in.isTokens()) {
            embedding.backward(dOut, in.tokens());
        } else {
            adapter.backward(kernels, t.dInput, dOut, in.values(), t.adapterActs);
        }
    }

    private void requireShape(Inputs in, Training t) {
        if (in.batch() != t.batch || in.seqlen() != t.seqlen) {
            throw new IllegalArgumentException("inputs are batch " + in.batch() + " x length " + in.seqlen()
                    + " but the training buffers were allocated for " + t.batch + " x " + t.seqlen);
        }
        if (in.isTokens() != (embedding != null)) {
            throw new IllegalArgumentException("this model takes " + (embedding != null ? "token ids" : "continuous vectors")
                    + " as input");
        }
    }

    // ------------------------------------------------------------ inference

    /** A fresh state whose full-span attention layers hold up to {@link #maxLength()} positions. */
    public DecoderState newState() {
        return newState(maxLength);
    }

    /**
     * A fresh state for a sequence of at most {@code positions} positions in its full-span
     * attention layers (1 <= positions <= maxLength), so a short sequence does not allocate KV
     * caches of maxLength. Windowed attention layers (rings of W) and Mamba2 layers (constant
     * size) take any number of positions whatever {@code positions} is.
     */
    public DecoderState newState(int positions) {
        if (positions < 1 || positions > maxLength) {
            throw new IllegalArgumentException("a decoder state holds 1 to maxLength = " + maxLength
                    + " positions in its full-span attention layers, asked for " + positions);
        }
        Mixer.State[] states = new Mixer.State[blocks.length];
        for (int l = 0; l < blocks.length; l++) {
            states[l] = blocks[l].mixer().newState(positions);
        }
        return new DecoderState(states);
    }

    /**
     * Feeds T positions of one sequence (batch 1) into its state, which may be fresh or already
     * part-way through the sequence (a long record scored window by window); returns the
     * final-norm hidden states (T, d). Work goes layer by layer over the whole chunk: Mamba2 in
     * pieces that carry its state, attention tiled, so memory grows linearly in T.
     */
    public Tensor prefill(DecoderState state, Inputs in) {
        if (in.batch() != 1) {
            throw new IllegalArgumentException("prefill takes one sequence, got batch " + in.batch());
        }
        requireRoom(state, in.seqlen());
        int d = config.dModel();
        int seqlen = in.seqlen();
        Tensor x = Tensor.zeros(1, seqlen, d);
        embed(x, in);
        Tensor next = Tensor.zeros(1, seqlen, d);
        for (int l = 0; l < blocks.length; l++) {
            blocks[l].prefill(kernels, next, x, state.layers[l]);
            Tensor swap = x;
            x = next;
            next = swap;
        }
        Tensor hidden = Tensor.zeros(seqlen, d);
        finalNorm.forward(kernels, hidden, Tensor.zeros(seqlen), x);
        state.position += seqlen;
        return hidden;
    }

    /**
     * One position for each of n sequences (inputs of batch n, length 1): the states advance and
     * the final-norm hidden states (n, d) are returned. Every projection is one GEMM over the n rows.
     */
    public Tensor step(DecoderState[] states, Inputs in) {
        int n = states.length;
        if (in.batch() != n || in.seqlen() != 1) {
            throw new IllegalArgumentException("step takes one position per state: " + n + " states, inputs "
                    + in.batch() + " x " + in.seqlen());
        }
        for (DecoderState s : states) {
            requireRoom(s, 1);
        }
        int d = config.dModel();
        Tensor x = Tensor.zeros(1, n, d);
        embed(x, in);
        Tensor xs = x.view(n, d);
        Tensor next = Tensor.zeros(n, d);
        Tensor[] scratch = {Tensor.zeros(n, d), Tensor.zeros(n, d), Tensor.zeros(n, d)};
        Mixer.State[] layerStates = new Mixer.State[n];
        for (int l = 0; l < blocks.length; l++) {
            for (int i = 0; i < n; i++) {
                layerStates[i] = states[i].layers[l];
            }
            blocks[l].step(kernels, next, xs, layerStates, scratch);
            Tensor swap = xs;
            xs = next;
            next = swap;
        }
        Tensor hidden = Tensor.zeros(n, d);
        finalNorm.forward(kernels, hidden, Tensor.zeros(n), xs);
        for (DecoderState s : states) {
            s.position++;
        }
        return hidden;
    }

    /**
     * Fails, before any state changes, if {@code positions} more do not fit: a full-span
     * attention layer holds at most the capacity its state was made with (maxLength by default);
     * windowed attention and Mamba2 layers take any position up to 2^31 - 1.
     */
    private void requireRoom(DecoderState s, int positions) {
        long end = (long) s.position + positions;
        if (end > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sequence would reach position " + end + ", beyond 2^31 - 1");
        }
        for (int l = 0; l < blocks.length; l++) {
            if (blocks[l].mixer() instanceof AttentionMixer) {
                AttentionMixer a = (AttentionMixer) blocks[l].mixer();
                if (a.room(s.layers[l]) < positions) {
                    int capacity = a.capacity(s.layers[l]);
                    throw new IllegalArgumentException("sequence would reach position " + end
                            + (capacity == maxLength ? ", beyond this decoder's maxLength " + maxLength
                                    : ", beyond the " + capacity + " positions this state was made for (maxLength "
                                            + maxLength + ")")
                            + ", the most full-span attention (layer " + l + ") holds; windowed spans take any length");
                }
            }
        }
    }

    /** Input embedding of (batch, T) inputs into x (batch, T, d); prefill and step read batch x 1 as n rows. */
    private void embed(Tensor x, Inputs in) {
        if (in.isTokens() != (embedding != null)) {
            throw new IllegalArgumentException("this model takes " + (embedding != null ? "token ids" : "continuous vectors")
                    + " as input");
        }
        if (in.isTokens()) {
            embedding.forward(x, in.tokens());
        } else {
            adapter.forward(kernels, x, in.values(),
                    adapter.new Activations(in.batch() * in.seqlen()));
        }
    }

    /** Softmax-head logits (n, vocab) for hidden states (n, d). */
    public void logits(Tensor out, Tensor hidden) {
        requireHead(softmaxHead, "softmax");
        softmaxHead.logits(kernels, out, hidden);
    }

    /** Fourier-head bin probabilities (n, outDim, bins) for hidden states (n, d). */
    public void binProbabilities(Tensor out, Tensor hidden) {
        requireHead(fourierHead, "Fourier");
        fourierHead.probabilities(kernels, out, hidden);
    }

    /** Regression-head predictions (n, outDim) for hidden states (n, d). */
    public void predictions(Tensor out, Tensor hidden) {
        requireHead(regressionHead, "regression");
        regressionHead.predict(kernels, out, hidden);
    }

    public FourierHead fourierHead() {
        return fourierHead;
    }

    private void requireHead(Object head, String kind) {
        if (head == null) {
            throw new IllegalStateException("this model has a " + config.head().kind() + " head, not a " + kind
                    + " head");
        }
    }
}
