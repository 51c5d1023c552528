package dev.chimera.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.decoder.ModelFlops;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelFlopsTest {

    @Test
    void smallPresetCountMatchesAHandCount() {
        ModelConfig c = ModelConfig.small();
        int t = 2048;
        // Mamba2 layer per token: in_proj 2*256*(1024+128+8), conv 2*640*4, SSD 4*8*64*64, out_proj 2*512*256.
        double mamba = 2 * 256 * 1160 + 2 * 640 * 4 + 4 * 8 * 64 * 64 + 2 * 512 * 256;
        // attention per token: q and o 2*2*256*256, k and v 2*2*256*128; scores and sum over (t+1) keys.
        double attnProj = 2 * 2 * 256 * 256 + 2 * 2 * 256 * 128;
        double keys = t * (t + 1) / 2.0;
        double mlp = 3 * 2 * 256 * 512;
        double head = 2 * 256 * 16;
        double expected = (7 * mamba + attnProj + 8 * mlp + head) * t + 4 * 4 * 64 * keys;
        assertEquals(expected, ModelFlops.forwardPerSequence(c, t), 1e-6 * expected);
        assertEquals(3 * 4 * expected, ModelFlops.trainingStep(c, 4, t), 1e-6 * expected);
    }

    @Test
    void windowedAttentionCountsOnlyTheWindow() {
        ModelConfig full = ModelConfig.small();
        ModelConfig windowed = ModelConfig.builder().dModel(256).nLayers(8).mixerPattern("MMMMMMMA")
                .mlp(ModelConfig.MlpKind.SWIGLU).mlpHidden(512).attnHeads(4).kvHeads(2).ropeBase(10_000)
                .attnSpans(List.of("window:16")).dState(64).headdim(64).expand(2).ngroups(1).dConv(4).chunkSize(256)
                .input(CoreComponents.tokens(16)).head(CoreComponents.softmax(16, true)).build();
        int t = 100;
        double fullKeys = t * (t + 1) / 2.0;
        double windowKeys = 16 * 17 / 2.0 + (t - 16) * 16.0;
        double diff = ModelFlops.forwardPerSequence(full, t) - ModelFlops.forwardPerSequence(windowed, t);
        assertEquals(4 * 4 * 64 * (fullKeys - windowKeys), diff, 1e-6 * diff);
    }
}
