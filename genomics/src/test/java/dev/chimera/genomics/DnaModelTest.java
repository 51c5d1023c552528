package dev.chimera.genomics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.runtime.Checkout;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DnaModelTest {

    /** The default architecture of 'dna pretrain' is the shipped E. coli model's, 772,872 parameters. */
    @Test
    void theDefaultArchitectureIsTheShippedModels() throws IOException {
        ModelConfig shipped = ModelConfig.read(Checkout.locate().resolve("models/ecoli-hybrid/model-config.json"));
        assertEquals(shipped, DnaModel.defaultConfig());
        try (ComputePool pool = new ComputePool(1)) {
            assertEquals(772_872, new Decoder(DnaModel.defaultConfig(), 64, new VectorBackend(pool)).parameters().size());
        }
    }
}
