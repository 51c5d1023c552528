package dev.chimera.genomics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --held-out-scoring}: each mode is the scorer it names, on a model trained with full spans. */
class HeldOutScoringTest {
    @TempDir
    Path dir;

    private TrainEvalSplit data() throws IOException {
        Random rnd = new Random(5);
        StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            seq.append("ACGT".charAt(rnd.nextInt(4)));
        }
        Path fasta = dir.resolve("g.fa");
        Files.writeString(fasta, ">g\n" + seq + "\n");
        return TrainEvalSplit.holdout(fasta, new Holdout(0.2), new NucleotideTokenizer());
    }

    @Test
    void carryIsTheCarriedScoreOfTheModelWithContextSpans() throws IOException {
        int t = 16;
        TrainEvalSplit data = data();
        try (ComputePool pool = new ComputePool(1)) {
            VectorBackend backend = new VectorBackend(pool);
            Decoder trained = new Decoder(TestModels.tinyDnaConfig(), t, backend);  // full spans, as training builds it
            trained.initialise(8);
            ModelConfig bounded = InferenceSpan.parse("context").apply(trained.config(), t);
            Decoder reference = new Decoder(bounded, WindowedPrefill.DEFAULT_WINDOW, backend);
            System.arraycopy(trained.parameters().values(), 0, reference.parameters().values(), 0,
                    trained.parameters().values().length);
            HeldOutScore.Result expected = new CarriedHeldOutScore(reference, t, WindowedPrefill.DEFAULT_WINDOW)
                    .heldOut(data, null);
            HeldOutScore.Result carried = HeldOutScoring.CARRY.score(trained, t, 4, data, backend, null);
            assertEquals(expected.bases(), carried.bases());
            assertEquals(expected.nats(), carried.nats(), 0.0);

            HeldOutScore.Result windows = HeldOutScoring.WINDOWS.score(trained, t, 4, data, backend, null);
            HeldOutScore.Result direct = new HeldOutScore(trained, t, 4).heldOut(data, null);
            assertEquals(direct.nats(), windows.nats(), 0.0);
            assertEquals(120, windows.bases(), "the last 20 % of 600 bases");
        }
    }

    @Test
    void parsesItsTwoModesAndNamesThemInErrors() {
        assertEquals(HeldOutScoring.CARRY, HeldOutScoring.parse(" Carry "));
        assertEquals(HeldOutScoring.WINDOWS, HeldOutScoring.parse("windows"));
        UserException e = assertThrows(UserException.class, () -> HeldOutScoring.parse("window"));
        assertTrue(e.getMessage().contains("carry|windows"), e.getMessage());
        assertTrue(HeldOutScoring.CARRY.describe(1024, false).contains("1023 bases"));
        assertTrue(HeldOutScoring.CARRY.describe(1024, true).contains("1022 bases"));
    }
}
