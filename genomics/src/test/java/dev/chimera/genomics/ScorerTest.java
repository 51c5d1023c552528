package dev.chimera.genomics;

import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scoring and embedding against a direct forward of the decoder, in windows and in one piece. */
class ScorerTest {
    private static final int CONTEXT = 48;
    @TempDir
    static Path dir;
    private static DnaModel full;
    private static DnaModel windowed;
    private static ComputePool pool;

    @BeforeAll
    static void models() throws IOException {
        pool = new ComputePool(2);
        full = DnaModel.open(TinyDnaModel.train(dir.resolve("full"), "full", CONTEXT));
        windowed = DnaModel.open(TinyDnaModel.train(dir.resolve("windowed"), "window:20", CONTEXT));
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    private static byte[] tokens(String bases) {
        return new NucleotideTokenizer().encode(bases.getBytes(), "test");
    }

    /** log p of each base by the parallel training forward over BOS + all bases but the last; NaN for N. */
    private static double[] directLogProbs(Decoder d, byte[] tokens) {
        int n = tokens.length;
        int[] ids = new int[n];
        ids[0] = NucleotideTokenizer.BOS;
        for (int i = 1; i < n; i++) {
            ids[i] = tokens[i - 1];
        }
        Tensor hidden = d.hiddenStates(Inputs.tokens(ids, 1, n), d.new Training(1, n));
        int vocab = d.config().tokenVocab();
        Tensor logits = Tensor.zeros(n, vocab);
        d.headOutput(logits, hidden.view(n, d.config().dModel()));
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits.get(i, v));
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits.get(i, v) - max);
            }
            out[i] = tokens[i] == NucleotideTokenizer.N ? Double.NaN : logits.get(i, tokens[i]) - max - Math.log(sum);
        }
        return out;
    }

    private record Scored(Scorer.Score score, double[] logProbs) {
    }

    private static Scored score(Decoder d, byte[] tokens, int window) {
        double[] lp = new double[tokens.length];
        long[] progress = {0};
        Scorer.Score s = new Scorer(d, window).score(tokens, "test", (from, toks, logProbs) -> {
            assertEquals(progress[0], from, "windows in order");
            System.arraycopy(logProbs, 0, lp, (int) from, logProbs.length);
        }, n -> progress[0] += n);
        assertEquals(tokens.length, progress[0]);
        return new Scored(s, lp);
    }

    /**
     * A 40-base record with two N, shorter than the context (so --span context changes nothing):
     * the scorer's per-position values and sum equal the decoder's parallel forward, and N
     * is neither scored nor counted.
     */
    @Test
    void scoreEqualsADirectForwardOfTheDecoder() throws IOException {
        byte[] tokens = tokens(TinyDnaModel.dna(3, 18) + "NN" + TinyDnaModel.dna(4, 20));
        Decoder d = full.decoder(CONTEXT, new VectorBackend(pool));
        double[] want = directLogProbs(d, tokens);
        for (int window : new int[] {40, 7, 16}) {
            Scored got = score(d, tokens, window);
            double sum = 0;
            for (int i = 0; i < tokens.length; i++) {
                if (Double.isNaN(want[i])) {
                    assertTrue(Double.isNaN(got.logProbs()[i]), "N at " + i + " has no log-probability");
                    continue;
                }
                // Prefill (recurrent path, other GEMM blocking) vs training forward: float rounding, ~1e-6.
                assertEquals(want[i], got.logProbs()[i], 1e-4, "window " + window + ", position " + i);
                sum += want[i];
            }
            assertEquals(40, got.score().length());
            assertEquals(38, got.score().scored());
            assertEquals(sum, got.score().logLikelihood(), 1e-4 * Math.abs(sum));
            assertEquals(-got.score().logLikelihood() / (Math.log(2) * 38), got.score().bitsPerBase(), 1e-12);
        }
    }

    /** Per-position log-probabilities sum (in order) to the record's log-likelihood. */
    @Test
    void perPositionValuesSumToTheLogLikelihood() throws IOException {
        byte[] tokens = tokens(TinyDnaModel.dna(5, 300) + "N" + TinyDnaModel.dna(6, 77));
        Scored s = score(windowed.decoder(CONTEXT, new VectorBackend(pool)), tokens, 64);
        double sum = 0;
        int n = 0;
        for (double lp : s.logProbs()) {
            if (!Double.isNaN(lp)) {
                assertTrue(lp < 0, "a log-probability is negative");
                sum += lp;
                n++;
            }
        }
        assertEquals(s.score().logLikelihood(), sum, 0.0, "the same doubles summed in the same order");
        assertEquals(n, s.score().scored());
        assertEquals(377, n);
    }

    /**
     * A 3,000-base record, far longer than the context, with windowed spans: scoring in windows
     * of 64, 100 and 4096 (one prefill) agree to the relative 1e-4; and the same bits on
     * one and two threads.
     */
    @Test
    void scoringInWindowsEqualsOnePrefill() throws IOException {
        byte[] tokens = tokens(TinyDnaModel.dna(8, 3000));
        for (DnaModel m : new DnaModel[] {windowed, full}) {
            ModelConfig c = InferenceSpan.parse("context").apply(m.config(), m.context());
            Decoder d = m.decoder(c, CONTEXT, new VectorBackend(pool));
            Scored one = score(d, tokens, 4096);
            for (int window : new int[] {64, 100}) {
                Scored w = score(d, tokens, window);
                assertEquals(one.score().logLikelihood(), w.score().logLikelihood(),
                        1e-4 * Math.abs(one.score().logLikelihood()), "windows of " + window);
                for (int i = 0; i < tokens.length; i++) {
                    assertEquals(one.logProbs()[i], w.logProbs()[i], 1e-4 * Math.max(1, Math.abs(one.logProbs()[i])),
                            "windows of " + window + ", position " + i);
                }
            }
            try (ComputePool single = new ComputePool(1)) {
                Scored t1 = score(m.decoder(c, CONTEXT, new VectorBackend(single)), tokens, 100);
                Scored t2 = score(d, tokens, 100);
                assertArrayEquals(t1.logProbs(), t2.logProbs(), "1 and 2 threads give the same bits");
            }
        }
    }

    /** Learned something: the motif-rich sequence the model was trained on scores under 2 bits per base. */
    @Test
    void theTrainedModelBeatsUniform() throws IOException {
        ModelConfig c = InferenceSpan.parse("context").apply(full.config(), full.context());
        Scored s = score(full.decoder(c, CONTEXT, new VectorBackend(pool)), tokens(TinyDnaModel.dna(9, 2000)), 512);
        assertTrue(s.score().bitsPerBase() < 2.0, "bits per base " + s.score().bitsPerBase());
    }

    /** With a full span as trained, a record longer than maxLength fails before any work, naming it. */
    @Test
    void fullSpanRecordsLongerThanMaxLengthFailClearly() throws IOException {
        Decoder d = full.decoder(CONTEXT, new VectorBackend(pool));
        UserException e = assertThrows(UserException.class,
                () -> new Scorer(d, 16).score(tokens(TinyDnaModel.dna(1, 49)), "x.fa: record 1 'r'", null, null));
        assertTrue(e.getMessage().startsWith("x.fa: record 1 'r': needs 49 positions")
                && e.getMessage().contains("at most 48"), e.getMessage());
        assertEquals(48, new Scorer(d, 16).score(tokens(TinyDnaModel.dna(1, 48)), "r", null, null).length());
    }

    /**
     * Each pooling against one prefill of the whole sequence: mean of the base states, that mean
     * less the centre, the last base's state, the mean over the second copy of BOS + x + x.
     */
    @Test
    void embeddingPoolsTheBaseStatesAsEachPoolingSays() throws IOException {
        byte[] tokens = tokens(TinyDnaModel.dna(10, 90));
        Decoder d = windowed.decoder(CONTEXT, new VectorBackend(pool));
        int dim = d.config().dModel();
        float[] centre = new float[dim];
        for (int j = 0; j < dim; j++) {
            centre[j] = 0.25f * j - 1;
        }
        for (Embedder.Pooling pooling : Embedder.Pooling.values()) {
            boolean echo = pooling == Embedder.Pooling.ECHO;
            List<Integer> seq = new ArrayList<>();
            seq.add((int) NucleotideTokenizer.BOS);
            for (int copy = 0; copy < (echo ? 2 : 1); copy++) {
                for (byte t : tokens) {
                    seq.add((int) t);
                }
            }
            int n = seq.size();
            Tensor hidden = d.prefill(d.newState(), Inputs.tokens(seq.stream().mapToInt(Integer::intValue).toArray(),
                    1, n));
            int from = switch (pooling) {
                case ECHO -> 91;
                case LAST -> 90;
                default -> 1;
            };
            float[] got = new Embedder(d, 37, pooling, pooling == Embedder.Pooling.CENTRED ? centre : null)
                    .embed(tokens, "test", null);
            for (int j = 0; j < dim; j++) {
                double sum = 0;
                for (int p = from; p < n; p++) {
                    sum += hidden.get(p, j);
                }
                double want = sum / (n - from) - (pooling == Embedder.Pooling.CENTRED ? centre[j] : 0);
                // windows of 37 vs one prefill: relative 1e-4 on states of size ~1
                assertEquals(want, got[j], 1e-4, pooling + ", component " + j);
            }
        }
        assertThrows(UserException.class, () -> new Embedder(d, 8, Embedder.Pooling.MEAN, null).embed(new byte[0], "r", null));
        assertThrows(IllegalArgumentException.class, () -> new Embedder(d, 8, Embedder.Pooling.CENTRED, null));
        assertThrows(IllegalArgumentException.class, () -> new Embedder(d, 8, Embedder.Pooling.MEAN, centre));
    }
}
