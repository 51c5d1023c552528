package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link RowKernels}' launch geometry, workspace sizes and argument checks: host-side, no GPU. */
class RowKernelsTest {
    private static final int[] WIDTHS = {1, 5, 16, 31, 32, 127, 128, 129, 512, 1000, 1536, 4096, 4097, 50257};

    @Test
    void rowBlocksAreWholeWarpsOfAboutFourElementsEach() {
        for (int n : WIDTHS) {
            int t = RowKernels.threadsPerRow(n);
            assertEquals(0, t % 32, n + " -> " + t);
            assertTrue(t >= 32 && t <= 1024, n + " -> " + t);
            assertTrue(t == 1024 || 4L * t >= n, n + " elements on " + t + " threads: more than 4 each");
            assertTrue(t == 32 || 4L * (t - 32) < n, n + " elements on " + t + " threads: a warp with nothing to do");
        }
        assertEquals(128, RowKernels.threadsPerRow(512));
        assertEquals(384, RowKernels.threadsPerRow(1536));
        assertEquals(1024, RowKernels.threadsPerRow(Integer.MAX_VALUE));
        LaunchGeometry g = RowKernels.perRow(8192, 50257);
        assertEquals(8192, g.gridX());
        assertEquals(1024, g.threadsPerBlock());
        assertEquals(0, g.sharedBytes());
    }

    @Test
    void backwardStripsFillTheGpuAndCoverEveryRowOnce() {
        for (int rows : new int[] {1, 3, 257, 8192, 100_000}) {
            for (int width : WIDTHS) {
                int strips = RowKernels.strips(rows, width);
                assertTrue(strips >= 1 && strips <= rows, rows + "x" + width + " -> " + strips);
                long threads = (long) strips * RowKernels.threadsPerRow(width);
                assertTrue(threads <= RowKernels.RESIDENT_THREADS, rows + "x" + width + ": " + threads + " threads");
                // The kernel's strip b is rows [b * rows / strips, (b + 1) * rows / strips): contiguous, none empty.
                long next = 0;
                for (long b = 0; b < strips; b++) {
                    long r0 = b * rows / strips;
                    long r1 = (b + 1) * rows / strips;
                    assertEquals(next, r0);
                    assertTrue(r1 > r0, "strip " + b + " of " + strips + " over " + rows + " rows is empty");
                    next = r1;
                }
                assertEquals(rows, next);
            }
        }
        assertEquals(2048, RowKernels.strips(8192, 512));
        assertEquals(682, RowKernels.strips(8192, 1536));
        assertEquals(3, RowKernels.strips(3, 5));
    }

    @Test
    void backwardSumsInSharedMemoryWhereTheRowFitsElseInTheWorkspace() {
        int fits = (LaunchGeometry.MAX_SHARED_BYTES - RowKernels.BACKWARD_STATIC_SHARED) / Float.BYTES;
        assertEquals(12_256, fits);
        LaunchGeometry g = RowKernels.normBackward(257, fits, 1);
        assertEquals(fits * Float.BYTES, g.sharedBytes());
        assertEquals(0, RowKernels.normBackward(257, fits + 1, 1).sharedBytes());
        assertEquals(0, RowKernels.normBackward(3, 50257, 1).sharedBytes());
        g = RowKernels.normBackward(8192, 1536, 8);
        assertEquals(RowKernels.threadsPerRow(192), g.threadsPerBlock(), "threads follow a group's width");
        assertEquals(1536 * Float.BYTES, g.sharedBytes(), "the strip's sums span all groups");
        assertEquals(RowKernels.strips(8192, 192), g.gridX());
        assertEquals((long) RowKernels.strips(8192, 192) * 1536, RowKernels.workspaceElements(8192, 1536, 8));
        assertEquals(682L * 1536, RowKernels.workspaceElements(8192, 1536, 1));
        assertEquals(1L, RowKernels.workspaceElements(1, 1, 1));
    }

    @Test
    void columnSumsCoverEveryColumn() {
        for (int cols : WIDTHS) {
            LaunchGeometry g = RowKernels.columnSums(cols);
            assertTrue(32L * g.gridX() >= cols && 32L * (g.gridX() - 1) < cols, cols + " -> " + g);
            assertEquals(32, g.blockX(), "a warp per 32 columns: coalesced rows of the workspace");
            assertEquals(1024, g.threadsPerBlock());
        }
    }

    @Test
    void sizesAreCheckedWithTheOffendingValues() {
        RowKernels.checkNorm("op", 1, 1, 1);
        RowKernels.checkNorm("op", 8192, 1536, 8);
        String m = assertThrows(IllegalArgumentException.class, () -> RowKernels.checkNorm("rmsNorm", 0, 5, 1))
                .getMessage();
        assertTrue(m.contains("rmsNorm") && m.contains("rows 0"), m);
        assertThrows(IllegalArgumentException.class, () -> RowKernels.checkNorm("op", 3, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> RowKernels.checkNorm("op", 3, 5, 0));
        m = assertThrows(IllegalArgumentException.class, () -> RowKernels.checkNorm("gatedRmsNorm", 3, 10, 4))
                .getMessage();
        assertTrue(m.contains("10 channels") && m.contains("4 groups"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> RowKernels.checkNorm("op", 1 << 30, 8, 4)).getMessage();
        assertTrue(m.contains("2^31"), m);
        DevicePointer.requireRoom("op: x", 10, 10);
        m = assertThrows(IllegalArgumentException.class, () -> DevicePointer.requireRoom("rmsNorm: rstd", 4, 5))
                .getMessage();
        assertTrue(m.contains("rstd needs 5 elements") && m.contains("has 4"), m);
    }

    @Test
    void signaturesAreUniqueFamilyNamesAndCheckTheirArguments() throws IllegalAccessException {
        Set<String> names = new HashSet<>();
        for (Field f : RowKernels.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == KernelSignature.class) {
                String name = ((KernelSignature) f.get(null)).name();
                assertTrue(name.startsWith("rows_"), name);
                assertTrue(names.add(name), name + " declared twice");
            }
        }
        assertEquals(7, names.size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RowKernels.RMSNORM.check(null, null, null, null, 3, 5, 1e-5));
        assertTrue(e.getMessage().contains("argument 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RowKernels.SOFTMAX_CROSS_ENTROPY.check(1, 2));
        assertTrue(e.getMessage().contains("takes 6 arguments"), e.getMessage());
    }
}
