package dev.chimera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.Activation;
import dev.chimera.cuda.kernels.ElementwiseKernels;
import org.junit.jupiter.api.Test;

/** Launch geometry and argument checks: host-side code that runs the same with or without a GPU. */
class LaunchGeometryTest {

    @Test
    void limitsAreEnforcedWithTheOffendingShape() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 1, 1, 64, 32, 1, 0))
                .getMessage().contains("1,024"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 70_000, 1, 32, 1, 1, 0))
                .getMessage().contains("65,535"));
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(0, 1, 1, 32, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LaunchGeometry(1, 1, 1, 32, 1, 1, 48 * 1024 + 4));
        assertEquals(48 * 1024, new LaunchGeometry(1, 1, 1, 32, 1, 1, 48 * 1024).sharedBytes());
    }

    @Test
    void anUncappedGridStrideLaunchCoversEveryElement() {
        for (long n : new long[] {1, 255, 256, 257, 1_000_003}) {
            LaunchGeometry g = LaunchGeometry.gridStride(n, Integer.MAX_VALUE);
            assertTrue(g.threads() >= n && g.threads() - n < 256, n + " -> " + g);
        }
        assertEquals(1, LaunchGeometry.gridStride(0).gridX(), "an empty launch still has one block");
        assertThrows(IllegalArgumentException.class, () -> LaunchGeometry.blocks(1L << 40, 32));
    }

    @Test
    void gridStrideLaunchesAreCappedAndColumnSumsCoverEveryColumn() {
        assertEquals(1, LaunchGeometry.gridStride(1).gridX());
        assertEquals(4, LaunchGeometry.gridStride(1000).gridX());
        assertEquals(7, LaunchGeometry.gridStride(256L * 7).gridX());
        assertEquals(4096, LaunchGeometry.gridStride(1L << 30).gridX());
        assertEquals(4096, LaunchGeometry.gridStride(1L << 32).gridX());
        assertEquals(256, LaunchGeometry.gridStride(10_000_000).threadsPerBlock());
        assertEquals(256, LaunchGeometry.gridStride(10_000_000, 256).gridX(), "a kernel leaving partials caps it");
        LaunchGeometry g = ElementwiseKernels.columnSums(70);
        assertEquals(3, g.gridX());
        assertEquals(256, g.threadsPerBlock());
    }

    @Test
    void everyActivationHasItsOwnCode() {
        java.util.Set<Integer> codes = new java.util.HashSet<>();
        for (Activation f : Activation.values()) {
            assertTrue(codes.add(ElementwiseKernels.code(f)), f + " shares a code");
        }
    }

    @Test
    void argumentsAreCheckedAgainstTheSignature() {
        KernelSignature s = ElementwiseKernels.SCALE;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.check(1, 2, 3))
                .getMessage().contains("takes 4 arguments"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.check(null, null, 3, 2f));
        assertTrue(e.getMessage().contains("argument 0 must be PTR, got null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ElementwiseKernels.FILL.check(null, 3, 2.0));
        assertTrue(e.getMessage().contains("argument 0"), e.getMessage());
    }
}
