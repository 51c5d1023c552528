package dev.chimera.genomics;

import dev.chimera.core.kernel.VectorBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeldOutScoreTest {

    /**
     * The batched, padded scoring equals scoring each window on its own through the recurrent
     * inference path (prefill of BOS + the window, or BOS, TAG + the window for a tagged region,
     * whose windows hold T-1 bases), position by position.
     */
    @Test
    void matchesWindowByWindowPrefill() {
        int tag = NucleotideTokenizer.VOCAB_SIZE;  // the one tag of a vocabulary of 10
        ModelConfig config = TestModels.tinyDnaConfig().toBuilder().input(CoreComponents.tokens(tag + 1))
                .head(CoreComponents.softmax(tag + 1, false)).build();
        int t = 12;
        Random rnd = new Random(5);
        byte[] a = new byte[40];
        byte[] b = new byte[9];
        for (byte[] s : new byte[][] {a, b}) {
            for (int i = 0; i < s.length; i++) {
                s[i] = (byte) rnd.nextInt(4);
            }
        }
        a[17] = NucleotideTokenizer.N;
        List<HeldOutScore.Region> regions = List.of(new HeldOutScore.Region(a, 5, 40), new HeldOutScore.Region(b, 0, 9),
                new HeldOutScore.Region(a, 3, 40, tag), new HeldOutScore.Region(b, 0, 9, tag));
        try (ComputePool pool = new ComputePool(1)) {
            Decoder model = new Decoder(config, t, new VectorBackend(pool));
            model.initialise(3);
            List<HeldOutScore.Result> got = new HeldOutScore(model, t, 3).score(regions, null);
            for (int r = 0; r < regions.size(); r++) {
                HeldOutScore.Region region = regions.get(r);
                int lead = region.tag() == TrainEvalSplit.NO_TAG ? 1 : 2;
                int perWindow = t - lead + 1;
                double nats = 0;
                long bases = 0;
                long skipped = 0;
                for (int from = region.from(); from < region.to(); from += perWindow) {
                    int length = Math.min(perWindow, region.to() - from);
                    int positions = length + lead - 1;  // the last base is only a target
                    int[] ids = new int[positions];
                    ids[0] = NucleotideTokenizer.BOS;
                    if (lead == 2) {
                        ids[1] = region.tag();
                    }
                    for (int i = lead; i < positions; i++) {
                        ids[i] = region.tokens()[from + i - lead];
                    }
                    DecoderState state = model.newState();
                    Tensor hidden = model.prefill(state, Inputs.tokens(ids, 1, positions));
                    Tensor logits = Tensor.zeros(positions, config.tokenVocab());
                    model.headOutput(logits, hidden);
                    for (int i = 0; i < length; i++) {
                        int target = region.tokens()[from + i];
                        if (target > NucleotideTokenizer.T) {
                            skipped++;
                            continue;
                        }
                        int p = i + lead - 1;  // the position that predicts base i
                        double sum = 0;
                        for (int v = 0; v < 4; v++) {
                            sum += Math.exp(logits.get(p, v));
                        }
                        nats -= logits.get(p, target) - Math.log(sum);
                        bases++;
                    }
                }
                HeldOutScore.Result g = got.get(r);
                assertEquals(bases, g.bases());
                assertEquals(skipped, g.skipped());
                // float forward passes (parallel vs recurrent) summed over ~35 positions: 1e-4 relative.
                assertEquals(nats, g.nats(), 1e-4 * Math.abs(nats), "region " + r);
            }
            // 37 tagged bases in windows of 11: 4 windows, the first holding bases 3..13.
            assertEquals(37, got.get(2).bases() + got.get(2).skipped());
        }
    }

    @Test
    void bitsPerBaseIsMeanNatsOverLn2() {
        assertEquals(2.0, new HeldOutScore.Result(10 * Math.log(4), 10, 3).bitsPerBase(), 1e-12);
    }
}
