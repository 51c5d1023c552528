package dev.chimera.genomics;

import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.core.checkpoint.TrainerState;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Small DNA models for tests. */
public final class TestModels {
    private TestModels() {
    }

    /** The 'tiny' preset (both mixers, d 16) with the nucleotide tokenizer's 9 ids. */
    public static ModelConfig tinyDnaConfig() {
        ModelConfig c = ModelConfig.tiny();
        int v = NucleotideTokenizer.VOCAB_SIZE;
        return c.toBuilder().input(CoreComponents.tokens(v)).head(CoreComponents.softmax(v, false)).build();
    }

    /** Saves a seeded, untrained tiny model as a checkpoint with the given info (DnaModel.info for a DNA model). */
    public static Path save(Path dir, Map<String, String> info, long seed) throws IOException {
        ModelConfig config = tinyDnaConfig();
        try (ComputePool pool = new ComputePool(1)) {
            Decoder d = new Decoder(config, 8, new VectorBackend(pool));
            d.initialise(seed);
            Checkpoint.save(dir, config, d.parameters(), null, new TrainerState(5, seed, null, info), 1);
        }
        return dir;
    }
}
