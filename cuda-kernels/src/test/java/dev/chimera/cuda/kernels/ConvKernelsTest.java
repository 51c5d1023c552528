package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link ConvKernels}' launch geometry, workspace and state layout, and size checks: host-side. */
class ConvKernelsTest {

    @Test
    void tilesCoverEverySequencePositionAndChannel() {
        for (int seqlen : new int[] {1, 4, 255, 256, 257, 2048, 5001}) {
            for (int channels : new int[] {1, 31, 32, 33, 1792}) {
                LaunchGeometry g = ConvKernels.tiles(3, seqlen, channels);
                int perSeq = ConvKernels.tilesPerSequence(seqlen);
                assertEquals(3 * perSeq, g.gridX());
                assertTrue((long) perSeq * ConvKernels.TILE >= seqlen && (long) (perSeq - 1) * ConvKernels.TILE < seqlen,
                        "T " + seqlen);
                assertTrue(g.gridY() * 32 >= channels && (g.gridY() - 1) * 32 < channels, "C " + channels);
                assertEquals(32, g.blockX());
                assertEquals(8, g.blockY());
                assertEquals(0, g.sharedBytes());
            }
        }
        assertEquals(8 * 8, ConvKernels.tiles(8, 2048, 1792).gridX());
        assertEquals(56, ConvKernels.tiles(8, 2048, 1792).gridY());
    }

    @Test
    void backwardBlocksAreCappedAndTheWorkspaceFitsAnyBatch() {
        assertEquals(64, ConvKernels.backwardParts(8, 2048));
        assertEquals(1, ConvKernels.backwardParts(1, 1));
        assertEquals(128, ConvKernels.backwardParts(8, 8192));
        assertEquals(128, ConvKernels.backwardParts(100_000, 100_000));
        LaunchGeometry g = ConvKernels.backwardTiles(8, 2048, 1792);
        assertEquals(64, g.gridX());
        assertEquals(56, g.gridY());
        assertEquals(256, g.threadsPerBlock());
        assertEquals(128L * 1792 * 5, ConvKernels.backwardWorkspace(1792, 4));
        for (int[] s : new int[][] {{1, 1}, {8, 2048}, {3, 70_000}, {1000, 3}}) {
            assertTrue((long) ConvKernels.backwardParts(s[0], s[1]) * 33 * 9 <= ConvKernels.backwardWorkspace(33, 8));
        }
    }

    @Test
    void theReductionCoversEveryWeightAndBiasColumn() {
        LaunchGeometry g = ConvKernels.reduction(1792, 4);
        assertEquals(280, g.gridX());
        assertEquals(32, g.blockX());
        assertEquals(8, g.blockY());
        for (int channels : new int[] {1, 7, 33, 1792}) {
            for (int width = 1; width <= ConvKernels.MAX_WIDTH; width++) {
                long columns = (long) channels * (width + 1);
                int blocks = ConvKernels.reduction(channels, width).gridX();
                assertTrue(blocks * 32L >= columns && (blocks - 1) * 32L < columns, channels + ", " + width);
            }
        }
    }

    @Test
    void stateLayout() {
        assertEquals(0, ConvKernels.stateOffset(0, 1792, 4));
        assertEquals(3L * 1792 * 4, ConvKernels.stateOffset(3, 1792, 4));
        assertEquals(100_000L * 1792 * 8, ConvKernels.stateOffset(100_000, 1792, 8), "no int overflow");
    }

    @Test
    void sizesAreCheckedWithTheOffendingValues() {
        ConvKernels.checkSizes("forward", 1, 1, 1, 1);
        ConvKernels.checkSizes("forward", 8, 2048, 1792, ConvKernels.MAX_WIDTH);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvKernels.checkSizes("backward", 2, 5, 7, ConvKernels.MAX_WIDTH + 1));
        assertTrue(e.getMessage().contains("backward") && e.getMessage().contains("width 9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.checkSizes("forward", 2, 5, 7, 0));
        assertTrue(e.getMessage().contains("width 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.checkSizes("forward", 0, 5, 7, 4));
        assertTrue(e.getMessage().contains("batch 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.checkSizes("prefill", 1, 0, 7, 4));
        assertTrue(e.getMessage().contains("T 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.checkSizes("step", 3, 1, -1, 4));
        assertTrue(e.getMessage().contains("channels -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvKernels.tiles(Integer.MAX_VALUE, 1 << 20, 1));
        assertTrue(e.getMessage().contains("2^31"), e.getMessage());
    }

    @Test
    void signaturesAreNamedForTheFamilyWithOutputsFirst() {
        Set<String> names = new HashSet<>();
        for (KernelSignature s : new KernelSignature[] {ConvKernels.FORWARD, ConvKernels.FORWARD_SILU,
                ConvKernels.BACKWARD, ConvKernels.BACKWARD_SILU, ConvKernels.REDUCE_WEIGHT_GRADS, ConvKernels.PREFILL,
                ConvKernels.PREFILL_SILU, ConvKernels.STEP, ConvKernels.STEP_SILU}) {
            assertTrue(s.name().startsWith("conv_"), s.name());
            assertTrue(names.add(s.name()), s.name() + " twice");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConvKernels.STEP.check(null, null, null, null, null, 1, 2, 3));
        assertTrue(e.getMessage().contains("argument 0 must be PTR"), e.getMessage());
    }
}
