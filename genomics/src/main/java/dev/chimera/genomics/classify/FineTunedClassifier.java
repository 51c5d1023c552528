package dev.chimera.genomics.classify;

import dev.chimera.core.checkpoint.SafeTensors;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hybrid decoder with a classification head: the model reads BOS + the record's bases, the
 * final-norm hidden states at the bases' positions (not BOS's, the same for every record) are
 * averaged, and a linear map of that mean gives the class logits; softmax cross-entropy.
 *
 * <pre>
 *   h = decoder(BOS x_1 .. x_n)                 (n + 1, d)
 *   pooled = (1/n) sum_{t=1..n} h_t             (d)
 *   logits = W pooled + b                       (K)      W (K, d), b (K): the head
 * </pre>
 *
 * A record longer than {@code maxBases} is read by its central {@code maxBases} bases
 * ({@link Example#centralCrop}), in training and in prediction.
 * Records of a batch are padded after their end with PAD to the batch's length rounded up to
 * {@link #LENGTH_QUANTUM}; the decoder is causal, so padding does not change a record's states
 * (mathematically; sums over other shapes may round differently).
 * Backward hands d(loss)/d(h) = W^T (p - y) / (n B) at each pooled position to
 * {@link Decoder#backwardFromHidden}, so the whole decoder is trained through the head.
 * The head's parameters live in their own {@link Parameters} ({@code classifier.weight},
 * {@code classifier.bias}), saved as {@code finetune.safetensors} beside the decoder's checkpoint.
 */
public final class FineTunedClassifier implements Classifier {
    /** Records per forward when predicting. */
    public static final int PREDICT_BATCH = 16;
    static final String WEIGHT = "classifier.weight";
    static final String BIAS = "classifier.bias";
    /** Batch lengths are rounded up to a multiple of this, so few distinct buffer shapes are made. */
    static final int LENGTH_QUANTUM = 16;
    private static final int CACHED_SHAPES = 4;

    private final Decoder decoder;
    private final int classes;
    private final int maxBases;
    private final int d;
    private final Parameters head;
    private final Map<Long, Decoder.Training> buffers = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Decoder.Training> eldest) {
            return size() > CACHED_SHAPES;
        }
    };
    // What the last forward kept for backward.
    private List<Example> lastBatch;
    private Inputs lastInputs;
    private Decoder.Training lastBuffers;
    private double[][] lastPooled;    // (B, d)
    private double[][] lastProbs;     // (B, K)

    /**
     * A classifier over {@code decoder} that reads up to {@code maxBases} bases of a record (at most the
     * decoder's maxLength less BOS), with a zero head: every class equally likely at first.
     */
    public FineTunedClassifier(Decoder decoder, int classes, int maxBases) {
        if (classes < 2 || maxBases < 1 || maxBases >= decoder.maxLength()) {
            throw new IllegalArgumentException("a classifier needs >= 2 classes and 1 <= maxBases < maxLength "
                    + decoder.maxLength() + ", got " + classes + ", " + maxBases);
        }
        this.decoder = decoder;
        this.classes = classes;
        this.maxBases = maxBases;
        this.d = decoder.config().dModel();
        this.head = Parameters.builder().add(WEIGHT, true, classes, d).add(BIAS, false, classes).build();
    }

    public Decoder decoder() {
        return decoder;
    }

    /** The head's parameters (and gradients). */
    public Parameters head() {
        return head;
    }

    @Override
    public Method method() {
        return Method.FINETUNE;
    }

    @Override
    public double[][] probabilities(List<Example> records) {
        return probabilities(records, PREDICT_BATCH);
    }

    /** Mean cross-entropy of a batch of labelled records; keeps what {@link #backward} needs. */
    public double forward(List<Example> batch) {
        List<Example> read = run(batch);
        double loss = 0;
        for (int i = 0; i < read.size(); i++) {
            loss -= Math.log(Math.max(lastProbs[i][read.get(i).label()], Double.MIN_NORMAL));
        }
        lastBatch = read;
        return loss / read.size();
    }

    /** Adds d(loss)/d(parameters) of the last {@link #forward} to the head's and the decoder's gradients. */
    public void backward() {
        List<Example> batch = lastBatch;
        if (batch == null) {
            throw new IllegalStateException("backward needs a forward of a labelled batch just before it");
        }
        lastBatch = null;
        int b = batch.size();
        int seqlen = lastInputs.seqlen();
        float[] w = head.values();
        float[] gw = head.grads();
        int biasAt = head.entry(BIAS).offset();
        Tensor dHidden = Tensor.zeros(b, seqlen, d);  // (B, T, d)
        float[] dh = dHidden.data();
        double[] dPooled = new double[d];
        for (int i = 0; i < b; i++) {
            java.util.Arrays.fill(dPooled, 0);
            for (int k = 0; k < classes; k++) {
                double dLogit = (lastProbs[i][k] - (k == batch.get(i).label() ? 1 : 0)) / b;
                gw[biasAt + k] += (float) dLogit;
                for (int j = 0; j < d; j++) {
                    gw[k * d + j] += (float) (dLogit * lastPooled[i][j]);
                    dPooled[j] += dLogit * w[k * d + j];
                }
            }
            int n = batch.get(i).length();
            for (int t = 1; t <= n; t++) {
                int row = (i * seqlen + t) * d;
                for (int j = 0; j < d; j++) {
                    dh[row + j] = (float) (dPooled[j] / n);
                }
            }
        }
        decoder.backwardFromHidden(lastInputs, dHidden, lastBuffers);
    }

    /**
     * p(class | record) for each record, computed in batches of {@code batchSize} in the order
     * given (a fixed grouping, so the same records give the same bits however they are reached).
     */
    public double[][] probabilities(List<Example> records, int batchSize) {
        lastBatch = null;
        double[][] out = new double[records.size()][];
        for (int from = 0; from < records.size(); from += batchSize) {
            List<Example> batch = records.subList(from, Math.min(records.size(), from + batchSize));
            run(batch);
            for (int i = 0; i < batch.size(); i++) {
                out[from + i] = lastProbs[i];
            }
        }
        return out;
    }

    /** The decoder's forward over a batch, the pooled means and the class probabilities; returns the records read. */
    private List<Example> run(List<Example> records) {
        int b = records.size();
        List<Example> batch = new ArrayList<>(b);
        int longest = 0;
        for (Example e : records) {
            if (e.length() < 1) {
                throw new UserException(e.where() + ": no bases");
            }
            batch.add(e.centralCrop(maxBases));
            longest = Math.max(longest, batch.get(batch.size() - 1).length());
        }
        int seqlen = Math.min(maxBases + 1, roundUp(longest + 1));
        int[] ids = new int[b * seqlen];
        java.util.Arrays.fill(ids, NucleotideTokenizer.PAD);
        for (int i = 0; i < b; i++) {
            byte[] x = batch.get(i).tokens();
            ids[i * seqlen] = NucleotideTokenizer.BOS;
            for (int t = 0; t < x.length; t++) {
                ids[i * seqlen + 1 + t] = x[t];
            }
        }
        Inputs in = Inputs.tokens(ids, b, seqlen);
        Decoder.Training t = buffers.computeIfAbsent(((long) b << 32) | seqlen, k -> decoder.new Training(b, seqlen));
        Tensor hidden = decoder.hiddenStates(in, t);  // (B, T, d)
        float[] h = hidden.data();
        int base = hidden.offset();
        float[] w = head.values();
        int biasAt = head.entry(BIAS).offset();
        double[][] pooled = new double[b][d];
        double[][] probs = new double[b][classes];
        for (int i = 0; i < b; i++) {
            int n = batch.get(i).length();
            for (int pos = 1; pos <= n; pos++) {
                int row = base + (i * seqlen + pos) * d;
                for (int j = 0; j < d; j++) {
                    pooled[i][j] += h[row + j];
                }
            }
            for (int j = 0; j < d; j++) {
                pooled[i][j] /= n;
            }
            for (int k = 0; k < classes; k++) {
                double s = w[biasAt + k];
                for (int j = 0; j < d; j++) {
                    s += w[k * d + j] * pooled[i][j];
                }
                probs[i][k] = s;
            }
            double logZ = SoftmaxRegression.logSumExp(probs[i]);
            for (int k = 0; k < classes; k++) {
                probs[i][k] = Math.exp(probs[i][k] - logZ);
            }
        }
        lastInputs = in;
        lastBuffers = t;
        lastPooled = pooled;
        lastProbs = probs;
        return batch;
    }

    private static int roundUp(int n) {
        return (n + LENGTH_QUANTUM - 1) / LENGTH_QUANTUM * LENGTH_QUANTUM;
    }

    /** Writes the head to {@code dir}/finetune.safetensors. */
    @Override
    public void save(Path dir) throws IOException {
        Parameters.Entry w = head.entry(WEIGHT);
        Parameters.Entry b = head.entry(BIAS);
        StoredTensors.write(dir.resolve(method().file()), Map.of("method", method().id(), "pooling",
                        "mean of the final-norm states over the bases of BOS+x"), List.of(
                new SafeTensors.Slice(WEIGHT, w.shape(), head.values(), w.offset()),
                new SafeTensors.Slice(BIAS, b.shape(), head.values(), b.offset())));
    }

    /** The classifier over {@code decoder} (fine-tuned weights already in it) with the head saved in {@code dir}. */
    public static FineTunedClassifier load(Path dir, Decoder decoder, int classes, int maxBases) {
        FineTunedClassifier c = new FineTunedClassifier(decoder, classes, maxBases);
        StoredTensors stored = StoredTensors.read(dir.resolve(Method.FINETUNE.file()));
        Parameters.Entry w = c.head.entry(WEIGHT);
        Parameters.Entry b = c.head.entry(BIAS);
        System.arraycopy(stored.floats(WEIGHT, w.size()), 0, c.head.values(), w.offset(), w.size());
        System.arraycopy(stored.floats(BIAS, b.size()), 0, c.head.values(), b.offset(), b.size());
        return c;
    }
}
