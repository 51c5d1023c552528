package dev.chimera.core.decoder;

import dev.chimera.core.backend.Arena;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.RowViews;
import dev.chimera.core.layers.AttentionMixer;
import dev.chimera.core.layers.Block;
import dev.chimera.core.layers.Head;
import dev.chimera.core.layers.InputAdapter;
import dev.chimera.core.layers.Mamba2Mixer;
import dev.chimera.core.layers.Mixer;
import dev.chimera.core.layers.RmsNorm;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.Components;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The hybrid decoder (DESIGN "The core"): input adapter -> N blocks (pre-RMSNorm, Mamba2 or
 * attention mixer, MLP, residuals) -> final RMSNorm -> head. The input adapter and the head are
 * the config's registered components ({@link Components}); every operation runs on the
 * {@link Backend} the decoder was built with. Training runs the parallel forms over
 * {@link Training} buffers allocated once for a (batch, T); inference runs the recurrent path
 * over a {@link DecoderState} per sequence, in {@link Inference} buffers allocated once for a
 * largest batch.
 */
public final class Decoder {
    /** Standard deviation of the normal initialisation of every matrix (GPT-2). */
    private static final double INIT_STD = 0.02;
    /** Positions per prefill chunk of {@link #prefill(DecoderState, Inputs)}: its buffers' size. */
    static final int PREFILL_CHUNK = 8192;

    private final ModelConfig config;
    private final int maxLength;
    private final Backend backend;
    private final Parameters parameters;
    private final InputAdapter input;
    private final Block[] blocks;
    private final RmsNorm finalNorm;
    private final Head head;

    /**
     * A decoder whose full-span attention layers hold at most {@code maxLength} positions (their KV
     * caches; also the longest training sequence). Windowed attention and Mamba2 layers take a
     * sequence of any length at inference.
     */
    public Decoder(ModelConfig config, int maxLength, Backend backend) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be >= 1, got " + maxLength);
        }
        this.config = config;
        this.maxLength = maxLength;
        this.backend = backend;
        Parameters.Builder b = Parameters.builder();
        int d = config.dModel();
        this.input = Components.input(config.input()).create(config.input(),
                new Components.Context(b, d, backend, null));
        this.blocks = new Block[config.nLayers()];
        List<ModelConfig.Span> spans = config.spans();
        int attention = 0;
        for (int l = 0; l < blocks.length; l++) {
            String prefix = "layers." + l;
            Mixer mixer = config.isAttention(l)
                    ? new AttentionMixer(b, prefix + ".attn", d, config.attnHeads(), config.kvHeads(),
                    spans.get(attention++), config.ropeBase(), maxLength, backend)
                    : new Mamba2Mixer(b, prefix + ".mamba", config, backend);
            blocks[l] = new Block(b, prefix, d, mixer, config.mlp(), config.mlpHidden());
        }
        this.finalNorm = new RmsNorm(b, "final_norm", d);
        this.head = Components.head(config.head()).create(config.head(), new Components.Context(b, d, backend, input));
        this.parameters = b.build();
        input.bind(parameters);
        for (Block block : blocks) {
            block.bind(parameters);
        }
        finalNorm.bind(parameters);
        head.bind(parameters);
    }

    public ModelConfig config() {
        return config;
    }

    public Parameters parameters() {
        return parameters;
    }

    public Backend backend() {
        return backend;
    }

    public int maxLength() {
        return maxLength;
    }

    public Head head() {
        return head;
    }

    /** The head as its own class, for what only that kind of head offers (a Fourier head's bins). */
    public <T extends Head> T head(Class<T> kind) {
        if (!kind.isInstance(head)) {
            throw new IllegalStateException("this model has a '" + config.head().kind() + "' head, not a "
                    + kind.getSimpleName());
        }
        return kind.cast(head);
    }

    /**
     * Seeded initialisation: every matrix N(0, 0.02), the projections into the residual stream
     * scaled by 1/sqrt(2 nLayers) (GPT-2), biases 0, norm scales 1, Mamba2's dt_bias, A_log, D
     * and conv as in its reference, then whatever the input adapter and the head change (the
     * Fourier head's layer shrunk by 100, as its reference).
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
        input.initialise();
        head.initialise();
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    // ------------------------------------------------------------ training

    /**
     * Every activation the parallel forward saves for backward, for one (batch, T), in one
     * {@link Arena} (named after the layers: {@code layers.3.mixer.proj}, ...), allocated once.
     */
    public final class Training {
        final int batch;
        final int seqlen;
        final Arena arena;
        final Tensor[] residual;          // nLayers + 1 of (batch, T, d)
        final Block.Activations[] acts;
        final Tensor hidden;              // (batch, T, d) after the final norm
        final Tensor rstd;                // (batch * T)
        final Tensor dHidden;             // (batch, T, d)
        final Tensor dResidual;           // (batch, T, d)
        final Tensor dScratch;            // (batch, T, d)
        final InputAdapter.Activations inputActs;
        final Head.Activations headActs;

        public Training(int batch, int seqlen) {
            if (batch < 1 || seqlen < 1 || seqlen > maxLength) {
                throw new IllegalArgumentException("training buffers for batch " + batch + " x length " + seqlen
                        + ": need batch >= 1 and 1 <= length <= maxLength " + maxLength);
            }
            this.batch = batch;
            this.seqlen = seqlen;
            int d = config.dModel();
            int rows = batch * seqlen;
            arena = new Arena(backend);
            residual = new Tensor[blocks.length + 1];
            acts = new Block.Activations[blocks.length];
            for (int i = 0; i <= blocks.length; i++) {
                residual[i] = arena.take("residual." + i, batch, seqlen, d);
            }
            for (int l = 0; l < blocks.length; l++) {
                acts[l] = blocks[l].new Activations(arena.scoped("layers." + l), batch, seqlen);
            }
            hidden = arena.take("hidden", batch, seqlen, d);
            rstd = arena.take("final_norm.rstd", rows);
            dHidden = arena.take("d_hidden", batch, seqlen, d);
            dResidual = arena.take("d_residual", batch, seqlen, d);
            dScratch = arena.take("d_scratch", batch, seqlen, d);
            inputActs = input.allocate(arena.scoped("input"), rows);
            headActs = head.allocate(arena.scoped("head"), rows);
            arena.allocate();
        }

        /** The final-norm hidden states of the last forward, (batch, T, d). */
        public Tensor hidden() {
            return hidden;
        }

        /** The head's buffers, e.g. a softmax head's probabilities of the last forward. */
        public Head.Activations headActivations() {
            return headActs;
        }
    }

    /** Runs the model over the inputs and returns the head's loss against the targets. */
    public double forward(Inputs in, Targets targets, Training t) {
        hiddenStates(in, t);
        return head.forward(backend, t.hidden, targets, t.headActs);
    }

    /** The final-norm hidden states (batch, T, d) without a head (embeddings). */
    public Tensor hiddenStates(Inputs in, Training t) {
        requireShape(in, t);
        input.forward(backend, t.residual[0], in, t.inputActs);
        for (int l = 0; l < blocks.length; l++) {
            blocks[l].forward(backend, t.residual[l + 1], t.residual[l], t.acts[l]);
        }
        finalNorm.forward(backend, t.hidden, t.rstd, t.residual[blocks.length]);
        return t.hidden;
    }

    /** Accumulates d(loss)/d(parameters) of the last forward into the gradient array. */
    public void backward(Inputs in, Targets targets, Training t) {
        requireShape(in, t);
        head.backward(backend, t.dHidden, t.hidden, targets, t.headActs);
        backwardBelowHead(in, t.dHidden, t);
    }

    /**
     * For a loss computed from the hidden states of the last {@link #hiddenStates} rather than by
     * the head (a classifier over pooled states): given d(loss)/d(hidden) (batch, T, d), accumulates
     * d(loss)/d(parameters) of every layer below the head into the gradient array; the head's
     * gradients are left as they are. {@code dHidden} is only read.
     */
    public void backwardFromHidden(Inputs in, Tensor dHidden, Training t) {
        requireShape(in, t);
        if (dHidden.rank() != 3 || dHidden.dim(0) != t.batch || dHidden.dim(1) != t.seqlen
                || dHidden.dim(2) != config.dModel()) {
            throw new IllegalArgumentException("d(hidden) must be (" + t.batch + ", " + t.seqlen + ", "
                    + config.dModel() + "), got " + dHidden.shapeString());
        }
        backwardBelowHead(in, dHidden, t);
    }

    /** The final norm, the blocks and the input adapter, backwards from d(loss)/d(hidden) (batch, T, d). */
    private void backwardBelowHead(Inputs in, Tensor dHidden, Training t) {
        finalNorm.backward(backend, t.dResidual, dHidden, t.residual[blocks.length], t.rstd);
        Tensor dOut = t.dResidual;
        Tensor dIn = t.dScratch;
        for (int l = blocks.length - 1; l >= 0; l--) {
            blocks[l].backward(backend, dIn, dOut, t.residual[l], t.acts[l]);
            Tensor swap = dOut;
            dOut = dIn;
            dIn = swap;
        }
        input.backward(backend, dOut, in, t.inputActs);
    }

    private void requireShape(Inputs in, Training t) {
        if (in.batch() != t.batch || in.seqlen() != t.seqlen) {
            throw new IllegalArgumentException("inputs are batch " + in.batch() + " x length " + in.seqlen()
                    + " but the training buffers were allocated for " + t.batch + " x " + t.seqlen);
        }
        requireKind(in);
    }

    private void requireKind(Inputs in) {
        if (in.isTokens() != input.takesTokens()) {
            throw new IllegalArgumentException("this model takes " + (input.takesTokens() ? "token ids"
                    : "continuous vectors") + " as input");
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

    /** Buffers for batched inference: steps of up to {@code maxBatch} sequences, prefills of up to maxBatch x maxLength. */
    public Inference inference(int maxBatch, int maxPrefill) {
        return new Inference(maxBatch, maxPrefill);
    }

    /**
     * Batched inference over this decoder in buffers allocated once (one {@link Arena}): prefills
     * of up to maxBatch sequences of up to maxPrefill positions, and steps of up to maxBatch
     * sequences that allocate nothing. The mixers of one kind share their buffers, as do the
     * blocks (layers run one after another). One Inference serves one caller at a time; what it
     * returns is a view of its buffers, valid until its next call.
     */
    public final class Inference {
        private final int maxBatch;
        private final int maxPrefill;
        private final Arena arena;
        private final Tensor x;           // (maxRows, d) the residual stream entering a layer
        private final Tensor next;        // (maxRows, d) leaving it
        private final Tensor hidden;      // (maxRows, d) after the final norm
        private final Tensor rstd;        // (maxRows)
        private final Tensor output;      // (maxBatch, head output row)
        private final RowViews stepX;
        private final RowViews stepNext;
        private final RowViews stepHidden;
        private final RowViews stepRstd;
        private final RowViews stepOutput;
        private final Block.Workspace blockWorkspace;
        private final Mixer.Workspace[] mixerWorkspaces;  // per layer, shared by the layers of one mixer kind
        private final InputAdapter.Activations inputActs;
        private final Head.Activations headActs;
        private final Mixer.State[][] layerStates;        // (nLayers, maxBatch): the states of a call, by layer

        private Inference(int maxBatch, int maxPrefill) {
            if (maxBatch < 1 || maxPrefill < 1) {
                throw new IllegalArgumentException("inference buffers need maxBatch >= 1 and maxPrefill >= 1, got "
                        + maxBatch + ", " + maxPrefill);
            }
            this.maxBatch = maxBatch;
            this.maxPrefill = maxPrefill;
            int d = config.dModel();
            int maxRows = Math.multiplyExact(maxBatch, maxPrefill);
            arena = new Arena(backend);
            x = arena.take("x", maxRows, d);
            next = arena.take("next", maxRows, d);
            hidden = arena.take("hidden", maxRows, d);
            rstd = arena.take("rstd", maxRows);
            int[] outRow = head.outputShape();
            int outSize = 1;
            for (int s : outRow) {
                outSize *= s;
            }
            output = arena.take("output", maxBatch, outSize);
            stepX = new RowViews(x, maxBatch, d);
            stepNext = new RowViews(next, maxBatch, d);
            stepHidden = new RowViews(hidden, maxBatch, d);
            stepRstd = new RowViews(rstd, maxBatch);
            stepOutput = new RowViews(output, maxBatch, outRow);
            blockWorkspace = new Block.Workspace(arena.scoped("block"), d, blocks[0].mlp(), maxBatch, maxPrefill);
            mixerWorkspaces = new Mixer.Workspace[blocks.length];
            Map<Class<?>, Mixer.Workspace> byKind = new IdentityHashMap<>();
            for (int l = 0; l < blocks.length; l++) {
                Mixer m = blocks[l].mixer();
                mixerWorkspaces[l] = byKind.computeIfAbsent(m.getClass(),
                        kind -> m.allocateWorkspace(arena.scoped(kind.getSimpleName()), maxBatch, maxPrefill));
            }
            inputActs = input.allocate(arena.scoped("input"), maxRows);
            headActs = head.allocate(arena.scoped("head"), maxBatch);
            layerStates = new Mixer.State[blocks.length][maxBatch];
            arena.allocate();
        }

        /**
         * Continues n = in.batch() sequences: sequence i takes the first lengths[i] of the in.seqlen()
         * <= maxPrefill positions of its row of inputs (the rest is padding) and states[i] advances
         * by that many. Returns the final-norm hidden states (n, T, d); rows past a sequence's length
         * are meaningless.
         */
        public Tensor prefill(DecoderState[] states, Inputs in, int[] lengths) {
            int n = in.batch();
            int seqlen = in.seqlen();
            if (n > maxBatch || seqlen > maxPrefill || n > states.length || lengths.length < n) {
                throw new IllegalArgumentException("prefill of " + n + " sequences x " + seqlen + " positions ("
                        + states.length + " states, " + lengths.length + " lengths) in buffers for " + maxBatch + " x "
                        + maxPrefill);
            }
            requireKind(in);
            for (int i = 0; i < n; i++) {
                if (lengths[i] < 0 || lengths[i] > seqlen) {
                    throw new IllegalArgumentException("prefill: length " + lengths[i] + " of sequence " + i
                            + " is outside [0, " + seqlen + "]");
                }
                requireRoom(states[i], lengths[i]);
            }
            gatherStates(states, n);
            int rows = n * seqlen;
            int d = config.dModel();
            Tensor cur = x.slice(0, rows).view(n, seqlen, d);
            Tensor nxt = next.slice(0, rows).view(n, seqlen, d);
            input.forward(backend, cur, in, inputActs);
            for (int l = 0; l < blocks.length; l++) {
                blocks[l].prefill(backend, nxt, cur, layerStates[l], lengths, blockWorkspace, mixerWorkspaces[l]);
                Tensor swap = cur;
                cur = nxt;
                nxt = swap;
            }
            Tensor h = hidden.slice(0, rows);
            finalNorm.forward(backend, h, rstd.slice(0, rows), cur.view(rows, d));
            for (int i = 0; i < n; i++) {
                states[i].position += lengths[i];
            }
            return h.view(n, seqlen, d);
        }

        /**
         * One position for each of n = in.batch() <= maxBatch sequences (inputs (n, 1)): states[i]
         * advances by one; returns the final-norm hidden states (n, d). Every projection is one
         * GEMM over the n rows. With inputs reused from call to call ({@link Inputs#tokensIn}),
         * a step allocates nothing.
         */
        public Tensor step(DecoderState[] states, Inputs in) {
            int n = in.batch();
            if (in.seqlen() != 1 || n > maxBatch || n > states.length) {
                throw new IllegalArgumentException("step takes one position per state: " + states.length
                        + " states, inputs " + n + " x " + in.seqlen() + ", buffers for " + maxBatch);
            }
            requireKind(in);
            for (int i = 0; i < n; i++) {
                requireRoom(states[i], 1);
            }
            gatherStates(states, n);
            Tensor cur = stepX.rows(n);
            Tensor nxt = stepNext.rows(n);
            input.forward(backend, cur, in, inputActs);
            for (int l = 0; l < blocks.length; l++) {
                blocks[l].step(backend, nxt, cur, layerStates[l], blockWorkspace, mixerWorkspaces[l]);
                Tensor swap = cur;
                cur = nxt;
                nxt = swap;
            }
            Tensor h = stepHidden.rows(n);
            finalNorm.forward(backend, h, stepRstd.rows(n), cur);
            for (int i = 0; i < n; i++) {
                states[i].position++;
            }
            return h;
        }

        /**
         * The head's output (n, outputShape...) for hidden states (n, d), n <= maxBatch: logits, bin
         * probabilities or values, in this Inference's buffer.
         */
        public Tensor output(Tensor hidden) {
            Tensor out = stepOutput.rows(hidden.dim(0));
            head.output(backend, out, hidden, headActs);
            return out;
        }

        private void gatherStates(DecoderState[] states, int n) {
            for (int i = 0; i < n; i++) {
                Mixer.State[] layers = states[i].layers;
                if (layers.length != blocks.length) {
                    throw new IllegalArgumentException("state " + i + " has " + layers.length + " layers, this decoder "
                            + blocks.length);
                }
                for (int l = 0; l < blocks.length; l++) {
                    layerStates[l][i] = layers[l];
                }
            }
        }

        public int maxBatch() {
            return maxBatch;
        }

        public int maxPrefill() {
            return maxPrefill;
        }
    }

    /**
     * Feeds T positions of one sequence (batch 1) into its state, which may be fresh or already
     * part-way through the sequence; returns the final-norm hidden states (T, d), a new tensor.
     * Works in chunks of {@value #PREFILL_CHUNK} positions in buffers made for this call: a caller
     * that prefills again and again should hold an {@link Inference} instead.
     */
    public Tensor prefill(DecoderState state, Inputs in) {
        if (in.batch() != 1) {
            throw new IllegalArgumentException("prefill takes one sequence, got batch " + in.batch());
        }
        requireRoom(state, in.seqlen());
        int seqlen = in.seqlen();
        Inference inf = inference(1, Math.min(seqlen, PREFILL_CHUNK));
        Tensor result = backend.allocate(seqlen, config.dModel());
        DecoderState[] one = {state};
        for (int t0 = 0; t0 < seqlen; t0 += inf.maxPrefill) {
            int len = Math.min(inf.maxPrefill, seqlen - t0);
            Tensor hidden = inf.prefill(one, in.positions(t0, len), new int[] {len});
            backend.copy(result.slice(t0, t0 + len), hidden.view(len, config.dModel()));
        }
        return result;
    }

    /**
     * One position for each of n sequences (inputs of batch n, length 1) in buffers made for this
     * call; returns the final-norm hidden states (n, d), a new tensor. A decoding loop should hold
     * an {@link Inference} instead, whose steps allocate nothing.
     */
    public Tensor step(DecoderState[] states, Inputs in) {
        Inference inf = inference(in.batch(), 1);
        Tensor hidden = inf.step(states, in);
        Tensor result = backend.allocate(hidden.shape());
        backend.copy(result, hidden);
        return result;
    }

    /** The head's output (n, outputShape...) into out for hidden states (n, d), in buffers made for this call. */
    public void headOutput(Tensor out, Tensor hidden) {
        Arena arena = new Arena(backend);
        Head.Activations a = head.allocate(arena, hidden.size() / config.dModel());
        arena.allocate();
        head.output(backend, out, hidden, a);
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
}
