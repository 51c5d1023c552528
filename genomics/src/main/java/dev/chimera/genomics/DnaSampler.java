package dev.chimera.genomics;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.decoder.Sampler;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.Seeds;

/**
 * Bases sampled from a DNA language model, continuing a start (BOS, an optional tag, a prompt)
 * through the recurrent inference path: one prefill of the start, then one batched
 * {@link Decoder.Inference#step} per base for all sequences of a group. Each base is drawn from
 * the head's A, C, G, T logits only (other ids are never drawn) after temperature and top-k
 * filtering; sequence {@code i} has its own sampler seeded from (seed, i), so a sequence does not
 * depend on how many are drawn with it.
 */
public final class DnaSampler {
    /** Most sequences stepped together, and the attention-cache bytes a group may hold. */
    private static final int GROUP = 16;
    private static final long GROUP_CACHE_BYTES = 512L << 20;

    private final Decoder decoder;
    private final int length;
    private final double temperature;
    private final int topK;
    private final long seed;
    private final DecoderState start;
    private final Tensor firstLogits;  // (1, vocab) after the start
    private final int group;

    /**
     * @param decoder a decoder for at least {@code start.length + length} positions
     * @param start   the ids the sequences continue, BOS first
     * @param length  bases per sequence
     */
    public DnaSampler(Decoder decoder, int[] start, int length, double temperature, int topK, long seed) {
        if (length < 1 || start.length < 1) {
            throw new IllegalArgumentException("length and start must be >= 1, got " + length + ", " + start.length);
        }
        int positions = start.length + length;
        if (positions > decoder.maxLength()) {
            throw new IllegalArgumentException(positions + " positions, the decoder holds " + decoder.maxLength());
        }
        this.decoder = decoder;
        this.length = length;
        this.temperature = temperature;
        this.topK = topK;
        this.seed = seed;
        this.start = decoder.newState(positions);
        Tensor hidden = decoder.prefill(this.start, Inputs.tokens(start, 1, start.length));  // (start, d)
        this.firstLogits = Tensor.zeros(1, decoder.head().outputShape()[0]);
        decoder.headOutput(firstLogits, hidden.slice(start.length - 1, start.length));
        this.group = groupSize(decoder.config(), positions);
    }

    /** Sequences per group: at most GROUP, fewer when their full-span attention caches would pass GROUP_CACHE_BYTES. */
    private static int groupSize(ModelConfig c, int positions) {
        long attention = c.layerMixers().chars().filter(ch -> ch == 'A').count();
        long perSequence = attention * positions * 2L * c.kvHeads() * c.attnHeadDim() * Float.BYTES;
        return (int) Math.max(1, Math.min(GROUP, perSequence == 0 ? GROUP : GROUP_CACHE_BYTES / perSequence));
    }

    /** Sequences 0..count-1 as base tokens (A C G T), drawn a group at a time. */
    public byte[][] sample(int count) {
        byte[][] out = new byte[count][];
        for (int g = 0; g < count; g += group) {
            int n = Math.min(group, count - g);
            byte[][] bases = sample(g, n);
            System.arraycopy(bases, 0, out, g, n);
        }
        return out;
    }

    /** Sequences first..first+n-1 stepped together. */
    private byte[][] sample(int first, int n) {
        DecoderState[] states = new DecoderState[n];
        Sampler[] samplers = new Sampler[n];
        int vocab = firstLogits.dim(1);
        Tensor logits = Tensor.zeros(n, vocab);
        for (int i = 0; i < n; i++) {
            states[i] = start.copy();
            samplers[i] = new Sampler(temperature, topK, 1.0, Seeds.stream(seed, first + i).nextLong());
            logits.select(i).copyFrom(firstLogits.select(0));
        }
        byte[][] out = new byte[n][length];
        int[] next = new int[n];
        Inputs nextInputs = Inputs.tokensIn(next, n, 1);
        Decoder.Inference inference = decoder.inference(n, 1);
        Tensor baseLogits = Tensor.zeros(4);
        for (int pos = 0; pos < length; pos++) {
            for (int i = 0; i < n; i++) {
                for (int b = 0; b < 4; b++) {
                    baseLogits.set(logits.get(i, b), b);
                }
                next[i] = samplers[i].sampleToken(baseLogits);
                out[i][pos] = (byte) next[i];
            }
            if (pos + 1 < length) {
                logits = inference.output(inference.step(states, nextInputs));  // (n, vocab)
            }
        }
        return out;
    }
}
