package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.GemmForm;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;
import dev.chimera.cuda.ParamKind;
import dev.chimera.cuda.kernels.GemmKernels.Span;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The gemm family's host side: kernel names, launch geometry and argument checks. */
class GemmKernelsTest {

    @Test
    void everyPrecisionAndFormHasItsOwnKernel() {
        Set<String> names = new HashSet<>();
        for (Precision p : Precision.values()) {
            for (GemmForm f : GemmForm.values()) {
                KernelSignature s = GemmKernels.signature(p, f);
                assertEquals("gemm_" + p.name().toLowerCase(Locale.ROOT) + "_" + f.name().toLowerCase(Locale.ROOT),
                        s.name());
                assertEquals(List.of(ParamKind.PTR, ParamKind.PTR, ParamKind.PTR, ParamKind.I32, ParamKind.I32,
                        ParamKind.I32, ParamKind.I32, ParamKind.I32), s.params());
                assertTrue(names.add(s.name()), s.name() + " twice");
            }
        }
        assertEquals(9, names.size());
    }

    @Test
    void theGridHasOneBlockPerTileOfC() {
        int[] sizes = {1, 7, 127, 128, 129, 300, 1100, 4096, 8193};
        for (int m : sizes) {
            for (int n : sizes) {
                LaunchGeometry g = GemmKernels.geometry(m, n, 1);
                assertEquals((long) GemmKernels.tiles(m) * GemmKernels.tiles(n), g.gridX(), m + " x " + n);
                assertEquals(1, g.gridY());
                assertEquals(1, g.gridZ());
                assertEquals(256, g.threadsPerBlock());
                assertEquals(0, g.sharedBytes(), "static shared memory only");
            }
            int t = GemmKernels.tiles(m);
            assertTrue(128L * t >= m && 128L * (t - 1) < m, m + " -> " + t + " tiles");
        }
    }

    /** gemm.cu's tile_origin: block x to the tile of C, 8 tile rows per group, tile rows fastest. */
    private static int[] tileOrigin(int block, int tilesM, int tilesN) {
        int perGroup = 8 * tilesN;
        int group = block / perGroup;
        int first = group * 8;
        int rows = Math.min(tilesM - first, 8);
        int inGroup = block - group * perGroup;
        return new int[] {first + inGroup % rows, inGroup / rows};
    }

    @Test
    void theKernelsGroupedOrderVisitsEveryTileOnce() {
        for (int tilesM = 1; tilesM <= 27; tilesM++) {
            for (int tilesN = 1; tilesN <= 9; tilesN++) {
                int blocks = GemmKernels.geometry(128 * tilesM, 128 * tilesN, 1).gridX();
                Set<Long> seen = new HashSet<>();
                for (int x = 0; x < blocks; x++) {
                    int[] t = tileOrigin(x, tilesM, tilesN);
                    assertTrue(t[0] >= 0 && t[0] < tilesM && t[1] >= 0 && t[1] < tilesN,
                            "block " + x + " of " + tilesM + " x " + tilesN + " tiles -> " + t[0] + ", " + t[1]);
                    assertTrue(seen.add((long) t[0] * tilesN + t[1]), "tile visited twice");
                }
                assertEquals(tilesM * tilesN, seen.size());
            }
        }
    }

    @Test
    void theBatchRunsAlongZUpToTheGridLimit() {
        assertEquals(3, GemmKernels.geometry(17, 33, 3).gridZ());
        assertEquals(65_535, GemmKernels.geometry(17, 33, 65_535).gridZ());
        assertEquals(65_535, GemmKernels.geometry(17, 33, 200_000).gridZ(), "blocks loop over the rest");
    }

    @Test
    void sizesOutsideTheLimitsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmKernels.geometry(0, 5, 1));
        assertTrue(e.getMessage().contains("m 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GemmKernels.geometry(5, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> GemmKernels.geometry((1 << 30) + 1, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> GemmKernels.geometry(5, 5, (1 << 30) + 1));
        e = assertThrows(IllegalArgumentException.class, () -> GemmKernels.geometry(1 << 30, 1 << 30, 1));
        assertTrue(e.getMessage().contains("tiles"), e.getMessage());
        Span big = new Span(new Object(), 0, Long.MAX_VALUE);
        e = assertThrows(IllegalArgumentException.class,
                () -> GemmKernels.validate(5, 6, -1, 1, big, big, big));
        assertTrue(e.getMessage().contains("k -1"), e.getMessage());
    }

    @Test
    void operandsMustLieInsideTheirBuffers() {
        Object ba = new Object();
        Object bb = new Object();
        Object bc = new Object();
        int m = 17;
        int n = 33;
        int k = 65;
        int batch = 3;
        Span a = new Span(ba, 5, 5 + batch * m * k);
        Span b = new Span(bb, 0, batch * k * n);
        Span c = new Span(bc, 2, 2 + batch * m * n);
        assertDoesNotThrow(() -> GemmKernels.validate(m, n, k, batch, c, a, b));
        Span shortA = new Span(ba, 6, 5 + batch * m * k);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmKernels.validate(m, n, k, batch, c, shortA, b));
        assertTrue(e.getMessage().startsWith("A needs elements [6, " + (6 + batch * m * k) + ")"), e.getMessage());
        Span shortC = new Span(bc, 2, 1 + batch * m * n);
        assertThrows(IllegalArgumentException.class, () -> GemmKernels.validate(m, n, k, batch, shortC, a, b));
        Span huge = new Span(bc, 0, Long.MAX_VALUE);
        e = assertThrows(IllegalArgumentException.class,
                () -> GemmKernels.validate(1 << 30, 1 << 30, 1, 1 << 30, huge, huge, huge));
        assertTrue(e.getMessage().contains("overflow"), e.getMessage());
    }

    @Test
    void cMustNotOverlapAOrB() {
        Object buf = new Object();
        int m = 4;
        int n = 5;
        int k = 6;
        Span a = new Span(buf, 0, 1000);
        Span b = new Span(buf, 24, 1000);
        Span c = new Span(buf, 54, 1000);
        assertDoesNotThrow(() -> GemmKernels.validate(m, n, k, 1, c, a, b), "adjacent windows of one buffer");
        Span overB = new Span(buf, 53, 1000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmKernels.validate(m, n, k, 1, overB, a, b));
        assertTrue(e.getMessage().contains("overlaps B [24, 54)"), e.getMessage());
        Span overA = new Span(buf, 0, 1000);
        assertThrows(IllegalArgumentException.class, () -> GemmKernels.validate(m, n, k, 1, overA, a, b));
        Span otherBuffer = new Span(new Object(), 0, 1000);
        assertDoesNotThrow(() -> GemmKernels.validate(m, n, k, 1, otherBuffer, a, b));
    }
}
