package dev.chimera.core.eval.mqar;

import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.DataSource;
import dev.chimera.core.train.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Multi-query associative recall (Arora et al., "Zoology", 2023): a sequence opens with
 * {@code pairs} key-value pairs {@code k1 v1 k2 v2 ...}; later the keys reappear one by one, in
 * a random order at random positions among filler tokens (0), and at each such position the
 * model must predict the key's value. Only those positions carry a loss.
 *
 * <p>Keys are drawn without repetition from [1, vocab/2), values from [vocab/2, vocab), as in
 * Zoology. Batch {@code index} is a pure function of (seed, index).
 */
public final class MqarTask implements DataSource {
    /** The filler token between queries. */
    public static final int FILLER = 0;

    private final int vocab;
    private final int seqlen;
    private final int pairs;
    private final int batch;
    private final long seed;

    public MqarTask(int vocab, int seqlen, int pairs, int batch, long seed) {
        if (vocab < 4 || pairs < 1 || pairs > vocab / 2 - 1) {
            throw new IllegalArgumentException("MQAR needs vocab >= 4 and 1 <= pairs < vocab/2, got vocab " + vocab
                    + ", pairs " + pairs);
        }
        if (seqlen < 3 * pairs) {
            throw new IllegalArgumentException("MQAR with " + pairs + " pairs needs a sequence of at least "
                    + 3 * pairs + " positions, got " + seqlen);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("MQAR batch must be >= 1, got " + batch);
        }
        this.vocab = vocab;
        this.seqlen = seqlen;
        this.pairs = pairs;
        this.batch = batch;
        this.seed = seed;
    }

    public int vocab() {
        return vocab;
    }

    public int seqlen() {
        return seqlen;
    }

    public int batchSize() {
        return batch;
    }

    @Override
    public Batch batch(long index) {
        SplittableRandom random = Seeds.stream(seed, index);
        int[] inputs = new int[batch * seqlen];
        int[] targets = new int[batch * seqlen];
        Arrays.fill(targets, Backend.IGNORE_TARGET);
        for (int b = 0; b < batch; b++) {
            fillSequence(random, inputs, targets, b * seqlen);
        }
        return Batch.of(Inputs.tokens(inputs, batch, seqlen), Targets.tokens(targets), describe());
    }

    private void fillSequence(SplittableRandom random, int[] inputs, int[] targets, int base) {
        int half = vocab / 2;
        int[] keys = distinct(random, pairs, 1, half);
        int[] values = new int[pairs];
        for (int i = 0; i < pairs; i++) {
            values[i] = half + random.nextInt(vocab - half);
            inputs[base + 2 * i] = keys[i];
            inputs[base + 2 * i + 1] = values[i];
        }
        // Query slots: distinct positions after the pairs, each key asked once in random order.
        int context = 2 * pairs;
        int[] slots = distinct(random, pairs, context, seqlen);
        int[] order = distinct(random, pairs, 0, pairs);
        for (int q = 0; q < pairs; q++) {
            inputs[base + slots[q]] = keys[order[q]];
            targets[base + slots[q]] = values[order[q]];
        }
    }

    /** n distinct integers from [from, to), in random order (partial Fisher-Yates). */
    private static int[] distinct(SplittableRandom random, int n, int from, int to) {
        int[] pool = new int[to - from];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = from + i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(pool.length - i);
            int t = pool[i];
            pool[i] = pool[j];
            pool[j] = t;
        }
        return Arrays.copyOf(pool, n);
    }

    @Override
    public String describe() {
        return "MQAR vocab " + vocab + ", T " + seqlen + ", " + pairs + " pairs, batch " + batch + ", seed " + seed;
    }
}
