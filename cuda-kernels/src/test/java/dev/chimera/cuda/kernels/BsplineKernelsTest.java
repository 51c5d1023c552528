package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.LaunchGeometry;
import dev.chimera.cuda.kernels.BsplineKernels.Shape;
import org.junit.jupiter.api.Test;

/** The B-spline family's host side: shapes and token counts, the packed constants, launch geometry, checks. */
class BsplineKernelsTest {

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void shapesCountTokensAsTheCpuTokenizer() {
        // the released tokenizer (50 steps, 10 points) on 7 DoF with a gripper, C0: 9 per joint, 10 per gripper
        Shape s = Shape.of(50, 10, 1, new boolean[] {false, false, false, false, false, false, true});
        assertEquals(7, s.dof());
        assertEquals(1, s.grippers());
        assertEquals(9, s.free());
        assertEquals(6 * 9 + 10, s.tokensPerChunk());
        assertEquals(10 * 2 + 8 * 12, new Shape(20, 10, 2, 14, 2).tokensPerChunk()); // C1: 8 per joint
        assertEquals(5, new Shape(10, 5, 2, 1, 1).tokensPerChunk(), "a lone gripper: all N points");
        assertEquals(4, new Shape(13, 5, 1, 1, 0).tokensPerChunk());
    }

    @Test
    void shapesAreValidatedWithTheOffendingValues() {
        assertTrue(message(() -> new Shape(1, 1, 1, 1, 0)).contains("T >= 2"));
        assertTrue(message(() -> new Shape(10, 5, 3, 1, 0)).contains("got 3"));
        assertTrue(message(() -> new Shape(10, 2, 2, 1, 0)).contains("between 3 and T = 10"));
        assertTrue(message(() -> new Shape(10, 11, 1, 1, 0)).contains("got 11"));
        assertTrue(message(() -> new Shape(10, 5, 1, 0, 0)).contains("0 DoF"));
        assertTrue(message(() -> new Shape(10, 5, 1, 2, 3)).contains("2 DoF with 3 grippers"));
    }

    @Test
    void segmentsAreTheCpuGripperSegments() {
        // action m belongs to segment floor((m + 1/2) N / T)
        assertArrayEquals(new int[] {0, 3, 5, 8, 10, 13}, BsplineKernels.segmentStarts(13, 5));
        assertArrayEquals(new int[] {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50}, BsplineKernels.segmentStarts(50, 10));
        for (int t = 2; t <= 60; t++) {
            for (int n = 1; n <= t; n++) {
                int[] start = BsplineKernels.segmentStarts(t, n);
                assertEquals(0, start[0]);
                assertEquals(t, start[n]);
                for (int s = 0; s < n; s++) {
                    int length = start[s + 1] - start[s];
                    assertTrue(length == t / n || length == (t + n - 1) / n, t + " steps, " + n + " segments");
                    for (int m = start[s]; m < start[s + 1]; m++) {
                        assertEquals(s, (int) Math.floor((m + 0.5) * n / t), "T " + t + " N " + n + " m " + m);
                    }
                }
            }
        }
    }

    @Test
    void constantsArePackedAsTheKernelsReadThem() {
        Shape s = new Shape(4, 3, 1, 2, 1); // F = 2
        double[] pseudo = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] fit = BsplineKernels.packFit(s, pseudo, new double[] {11, 12}, new double[] {13, 14},
                new double[] {9, 10, 0.5, 0.25});
        assertEquals(s.fitLength(), fit.length);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0.5f, 0.25f, 11, 12, 13, 14}, fit);
        assertArrayEquals(new float[] {-1, 0.5f, 1, 2}, BsplineKernels.packBounds(s, new double[] {-1, 0.5},
                new double[] {1, 2}));
        // ranks among the grippers (-1: continuous), then the N + 1 segment starts
        assertArrayEquals(new int[] {-1, 0, 0, 1, 3, 4}, BsplineKernels.packLayout(s, new boolean[] {false, true}));
        Shape two = new Shape(4, 3, 2, 4, 2);
        assertArrayEquals(new int[] {0, -1, 1, -1, 0, 1, 3, 4},
                BsplineKernels.packLayout(two, new boolean[] {true, false, true, false}));
    }

    @Test
    void constantsOfTheWrongSizeAreRefused() {
        Shape s = new Shape(4, 3, 1, 2, 1);
        double[] two = new double[2];
        assertTrue(message(() -> BsplineKernels.packFit(s, new double[7], two, two, new double[4]))
                .contains("pseudo-inverse (F, T) has 7 values, expected 8"));
        assertTrue(message(() -> BsplineKernels.packFit(s, new double[8], two, two, new double[3]))
                .contains("feedback (F, F) has 3 values, expected 4"));
        assertTrue(message(() -> BsplineKernels.packFit(s, new double[8], two, new double[1], new double[4]))
                .contains("pinned1 (F) has 1 values"));
        assertTrue(message(() -> BsplineKernels.packBounds(s, two, new double[3])).contains("upper bounds (D)"));
        assertTrue(message(() -> BsplineKernels.packLayout(s, new boolean[] {true})).contains("1 gripper flags for 2 DoF"));
        assertTrue(message(() -> BsplineKernels.packLayout(s, new boolean[] {true, true}))
                .contains("2 gripper flags set for a shape of 1"));
    }

    @Test
    void encodeGeometryHoldsOneChunkPerBlockInSharedMemory() {
        Shape s = new Shape(50, 10, 1, 14, 2);
        LaunchGeometry g = BsplineKernels.encodeGeometry(s, 37);
        assertEquals(37, g.gridX());
        assertEquals(BsplineKernels.ENCODE_BLOCK, g.threadsPerBlock());
        assertEquals(4 * (9 * (50 + 9 + 2) + 50 * 14 + 10 * 14), g.sharedBytes());
        assertEquals(BsplineKernels.MAX_BLOCKS, BsplineKernels.encodeGeometry(s, 1_000_000).gridX());
        assertEquals(1, BsplineKernels.encodeGeometry(new Shape(13, 5, 1, 1, 0), 1).gridX());
        String m = message(() -> BsplineKernels.encodeGeometry(new Shape(1000, 10, 1, 14, 0), 4));
        assertTrue(m.contains("T = 1000") && m.contains("D = 14") && m.contains("shared memory"), m);
        assertTrue(message(() -> BsplineKernels.encodeGeometry(s, 0)).contains("batch must be positive, got 0"));
    }

    @Test
    void dequantiseAndEvaluateGeometry() {
        Shape s = new Shape(50, 10, 2, 14, 2);
        LaunchGeometry g = BsplineKernels.dequantiseGeometry(s, 37);
        assertTrue(g.threads() >= 37 * 10 * 14 && g.gridX() == LaunchGeometry.blocks(37 * 140, LaunchGeometry.STRIDE_BLOCK));
        assertEquals(BsplineKernels.MAX_BLOCKS, BsplineKernels.dequantiseGeometry(s, 1_000_000).gridX());
        LaunchGeometry e = BsplineKernels.evaluateGeometry(s, 4096, 1000);
        assertEquals(4096, e.gridX());
        assertEquals(BsplineKernels.EVALUATE_BLOCK, e.threadsPerBlock());
        assertEquals(4 * (10 * 14 + 50 * 2), e.sharedBytes());
        assertEquals(4 * 10, BsplineKernels.evaluateGeometry(new Shape(13, 10, 1, 1, 0), 1, 7).sharedBytes());
        assertTrue(message(() -> BsplineKernels.evaluateGeometry(s, 3, 0)).contains("samples must be positive"));
        assertTrue(message(() -> BsplineKernels.evaluateGeometry(s, 3, Integer.MAX_VALUE / 7))
                .contains("too many setpoints per chunk"));
        assertTrue(message(() -> BsplineKernels.evaluateGeometry(new Shape(4000, 10, 1, 8, 4), 1, 10))
                .contains("shared memory"));
    }

    @Test
    void operandsTooSmallAreRefusedByName() {
        DevicePointer.requireRoom("tokens (B, K)", 370, 370);
        assertTrue(message(() -> DevicePointer.requireRoom("tokens (B, K)", 369, 370))
                .contains("tokens (B, K) needs 370 elements, its buffer has 369"));
    }

    @Test
    void signaturesTakeOutputsFirstThenConstantsThenSizes() {
        assertEquals(15, BsplineKernels.ENCODE.params().size());
        assertEquals(12, BsplineKernels.DEQUANTISE.params().size());
        assertEquals(12, BsplineKernels.EVALUATE.params().size());
        assertTrue(message(() -> BsplineKernels.EVALUATE.check(1, 2)).contains("takes 12 arguments"));
    }
}
