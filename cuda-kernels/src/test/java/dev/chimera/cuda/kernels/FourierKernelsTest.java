package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.cuda.LaunchGeometry;
import org.junit.jupiter.api.Test;

/** {@link FourierKernels}' launch geometry, shared memory, and argument checks: host-side. */
class FourierKernelsTest {

    @Test
    void oneBlockPerRowWithAThreadPerBinUpTo256() {
        LaunchGeometry g = FourierKernels.densityRows(8192, 24, 128);
        assertEquals(8192, g.gridX());
        assertEquals(128, g.blockX());
        assertEquals(4 * (2 * 50 + 128), g.sharedBytes());
        assertEquals(32, FourierKernels.densityRows(3, 7, 2).blockX());
        assertEquals(64, FourierKernels.densityRows(3, 7, 50).blockX());
        assertEquals(256, FourierKernels.densityRows(3, 64, 4096).blockX());
        assertEquals(1, FourierKernels.densityRows(1, 1, 2).gridX());
        LaunchGeometry p = FourierKernels.penaltyRows(37, 64);
        assertEquals(37, p.gridX());
        assertEquals(64, p.blockX());
        assertEquals(4 * 2 * 130, p.sharedBytes());
        for (int n : new int[] {1, 31, 32, 33, 255, 257, 5000}) {
            int t = FourierKernels.threads(n);
            assertTrue(t % 32 == 0 && t >= 32 && t <= 256 && (t >= n || t == 256), n + " -> " + t);
        }
    }

    @Test
    void binsAreLimitedBySharedMemory() {
        assertEquals(12_288 - 4 * 65, FourierKernels.maxBins(64));
        int most = FourierKernels.maxBins(64);
        assertEquals(LaunchGeometry.MAX_SHARED_BYTES, FourierKernels.densityRows(2, 64, most).sharedBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FourierKernels.densityRows(2, 64, most + 1));
        assertTrue(e.getMessage().contains((most + 1) + " bins") && e.getMessage().contains("48 KiB"), e.getMessage());
        assertEquals(0, FourierKernels.maxBins(Integer.MAX_VALUE - 1));
        assertThrows(IllegalArgumentException.class, () -> FourierKernels.penaltyRows(2, 1 << 20));
    }

    @Test
    void sizesGammaAndTargetsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FourierKernels.densityRows(0, 24, 128));
        assertTrue(e.getMessage().contains("rows 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FourierKernels.densityRows(5, 0, 128));
        assertTrue(e.getMessage().contains("frequencies 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FourierKernels.densityRows(5, 3, 1));
        assertTrue(e.getMessage().contains("bins 1"), e.getMessage());
        FourierKernels.checkGamma(0);
        FourierKernels.checkGamma(1e-6);
        assertThrows(IllegalArgumentException.class, () -> FourierKernels.checkGamma(-1e-6));
        assertThrows(IllegalArgumentException.class, () -> FourierKernels.checkGamma(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> FourierKernels.checkGamma(Double.POSITIVE_INFINITY));
        FourierKernels.checkTargets(new int[] {0, 9, Backend.IGNORE_TARGET}, 3, 10);
        e = assertThrows(IllegalArgumentException.class, () -> FourierKernels.checkTargets(new int[] {0, 10}, 2, 10));
        assertTrue(e.getMessage().contains("target 10 at row 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FourierKernels.checkTargets(new int[] {-2}, 1, 10));
        e = assertThrows(IllegalArgumentException.class, () -> FourierKernels.checkTargets(new int[] {1}, 2, 10));
        assertTrue(e.getMessage().contains("1 targets for 2 rows"), e.getMessage());
    }

    @Test
    void theRegulariserIsGammaTwiceTheMeanPenalty() {
        float[] penalties = {1f, 2f, 3f, 100f};
        assertEquals(1e-3 * 2 * 6 / 3, FourierKernels.meanPenalty(1e-3, penalties, 3), 1e-15);
        assertEquals((float) (0.5 * 2 / 7), FourierKernels.gradScale(0.5, 7));
        assertEquals(0f, FourierKernels.gradScale(0, 7));
    }

    @Test
    void signaturesAreNamedForTheFamily() {
        assertTrue(FourierKernels.FORWARD.name().startsWith("fourier_"));
        assertEquals(9, FourierKernels.CROSS_ENTROPY_BACKWARD.params().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FourierKernels.PENALTY.check(null, null, 1, 2));
        assertTrue(e.getMessage().contains("argument 0 must be PTR"), e.getMessage());
    }
}
