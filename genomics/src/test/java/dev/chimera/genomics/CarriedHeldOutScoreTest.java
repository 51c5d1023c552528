package dev.chimera.genomics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.runtime.InferenceSpan;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CarriedHeldOutScoreTest {

    /**
     * Carrying the state over a held-out region in chunks equals one prefill of BOS + the T - 1
     * context bases + the region, scored position by position over A, C, G, T, N skipped; chunks of 5
     * and of 1000 agree, so the chunking carries the state exactly.
     */
    @Test
    void equalsOnePrefillOfContextAndRegion() {
        int t = 12;
        Random rnd = new Random(11);
        byte[] tokens = new byte[90];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (byte) rnd.nextInt(4);
        }
        tokens[50] = NucleotideTokenizer.N;
        int from = 40;
        try (ComputePool pool = new ComputePool(1)) {
            ModelConfig config = InferenceSpan.parse("context").apply(TestModels.tinyDnaConfig(), t);
            Decoder model = new Decoder(config, 200, new VectorBackend(pool));
            model.initialise(3);
            HeldOutScore.Region region = new HeldOutScore.Region(tokens, from, tokens.length);
            HeldOutScore.Result small = new CarriedHeldOutScore(model, t, 5).score(region, null);
            HeldOutScore.Result large = new CarriedHeldOutScore(model, t, 1000).score(region, null);

            HeldOutScore.Result expected = onePrefill(model, tokens, from, t, TrainEvalSplit.NO_TAG);
            assertEquals(49, expected.bases());
            for (HeldOutScore.Result r : Arrays.asList(small, large)) {
                assertEquals(expected.bases(), r.bases());
                assertEquals(1, r.skipped());
                assertEquals(expected.nats(), r.nats(), 1e-4 * expected.nats());
            }
        }
    }

    /** A region at the start of its record has no context bases: BOS, then the region. */
    @Test
    void regionAtTheStartReadsFromBos() {
        byte[] tokens = new byte[30];
        Random rnd = new Random(2);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (byte) rnd.nextInt(4);
        }
        try (ComputePool pool = new ComputePool(1)) {
            ModelConfig config = InferenceSpan.parse("context").apply(TestModels.tinyDnaConfig(), 8);
            Decoder model = new Decoder(config, 64, new VectorBackend(pool));
            model.initialise(4);
            HeldOutScore.Result carried = new CarriedHeldOutScore(model, 8, 7)
                    .score(new HeldOutScore.Region(tokens, 0, 30), null);
            HeldOutScore.Result expected = onePrefill(model, tokens, 0, 8, TrainEvalSplit.NO_TAG);
            assertEquals(30, carried.bases());
            assertEquals(expected.nats(), carried.nats(), 1e-4 * expected.nats());
        }
    }

    /** A tagged region is read after BOS and its tag, with T - 2 context bases. */
    @Test
    void aTaggedRegionIsReadAfterItsTag() {
        byte[] tokens = new byte[60];
        Random rnd = new Random(8);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (byte) rnd.nextInt(4);
        }
        int tag = NucleotideTokenizer.VOCAB_SIZE;  // the first tag's id
        try (ComputePool pool = new ComputePool(1)) {
            ModelConfig config = InferenceSpan.parse("context").apply(TestModels.tinyDnaConfig().toBuilder()
                    .input(CoreComponents.tokens(tag + 1)).head(CoreComponents.softmax(tag + 1, false)).build(), 10);
            Decoder model = new Decoder(config, 128, new VectorBackend(pool));
            model.initialise(6);
            HeldOutScore.Result carried = new CarriedHeldOutScore(model, 10, 7)
                    .score(new HeldOutScore.Region(tokens, 25, 60, tag), null);
            HeldOutScore.Result expected = onePrefill(model, tokens, 25, 10, tag);
            assertEquals(35, carried.bases());
            assertEquals(expected.nats(), carried.nats(), 1e-4 * expected.nats());
        }
    }

    /**
     * The reference: one prefill of BOS (and the tag) + the up to T - 1 (T - 2) bases before
     * {@code from} + the rest, scored from {@code from}.
     */
    private static HeldOutScore.Result onePrefill(Decoder model, byte[] tokens, int from, int t, int tag) {
        int lead = tag == TrainEvalSplit.NO_TAG ? 0 : 1;
        int start = Math.max(0, from - (t - 1 - lead));
        int n = lead + tokens.length - start;
        int[] ids = new int[n];
        ids[0] = NucleotideTokenizer.BOS;
        if (lead == 1) {
            ids[1] = tag;
        }
        for (int p = 1 + lead; p < n; p++) {
            ids[p] = tokens[start + p - 1 - lead];
        }
        Tensor hidden = model.prefill(model.newState(), Inputs.tokens(ids, 1, n));
        Tensor logits = Tensor.zeros(n, model.config().tokenVocab());
        model.headOutput(logits, hidden);
        double nats = 0;
        long bases = 0;
        long skipped = 0;
        for (int p = from - start + lead; p < n; p++) {
            int target = tokens[start + p - lead];
            if (target == NucleotideTokenizer.N) {
                skipped++;
                continue;
            }
            double sum = 0;
            for (int v = 0; v < 4; v++) {
                sum += Math.exp(logits.get(p, v));
            }
            nats -= logits.get(p, target) - Math.log(sum);
            bases++;
        }
        return new HeldOutScore.Result(nats, bases, skipped);
    }
}
