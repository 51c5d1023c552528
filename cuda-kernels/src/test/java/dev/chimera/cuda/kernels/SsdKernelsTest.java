package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.ssd.SsdShape;
import dev.chimera.cuda.KernelSignature;
import dev.chimera.cuda.LaunchGeometry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The SSD launcher's host side: limits, chunk-state and workspace sizes, variants and launch geometry. */
class SsdKernelsTest {

    @Test
    void chunkStatesHaveTheCpuOpsShape() {
        for (int chunk : new int[] {1, 16, 64, 128, 256}) {
            for (int seqlen : new int[] {1, 63, 64, 65, 300}) {
                SsdShape s = new SsdShape(2, seqlen, 6, 40, 3, 20);
                int[] cpu = new ScalarBackend().ssdScan(chunk).chunkStatesShape(s);
                assertArrayEquals(cpu, SsdKernels.chunkStatesShape(s, chunk), s + " chunk " + chunk);
                long size = 1;
                for (int d : cpu) {
                    size *= d;
                }
                assertEquals(size, SsdKernels.chunkStatesSize(s, chunk));
            }
        }
        assertEquals(3, SsdKernels.nchunks(300, 128));
        assertEquals(1, SsdKernels.nchunks(5, 256));
    }

    @Test
    void backwardWorkspaceRegionsFollowEachOtherWithoutOverlap() {
        SsdShape s = new SsdShape(2, 300, 4, 40, 2, 20);
        SsdKernels.BackwardWorkspace w = SsdKernels.BackwardWorkspace.of(s, 128);
        long pairs = 2 * 4;
        int nchunks = 3;
        int slices = 4; // ceil(40 * 20 / 256)
        int tiles = 2; // ceil(128 / 64)
        long[] starts = {w.dstates(), w.dcumL(), w.dcumS(), w.zs(), w.wpart(), w.tend(), w.partA(), w.partD(), w.dBh(),
            w.dCh(), w.cb(), w.size()};
        long[] sizes = {pairs * nchunks * 40 * 20, pairs * 300, pairs * 300, pairs * 300, tiles * pairs * 300,
            pairs * nchunks * slices, pairs * nchunks, pairs * nchunks, 2L * 300 * 4 * 20, 2L * 300 * 4 * 20,
            2L * 2 * nchunks * 128 * 128};
        assertEquals(0, starts[0]);
        for (int i = 0; i < sizes.length; i++) {
            assertEquals(starts[i] + sizes[i], starts[i + 1], "region " + i);
        }
        assertEquals(w.size(), SsdKernels.backwardWorkspaceSize(s, 128));
        assertEquals(2L * 2 * nchunks * 128 * 128, SsdKernels.forwardWorkspaceSize(s, 128));
        // C B^T tiles cover min(chunk, seqlen) rounded up to 64 steps.
        assertEquals(3L * 1 * 64 * 64, SsdKernels.forwardWorkspaceSize(new SsdShape(3, 10, 4, 8, 1, 8), 256));
        // One head per group: the kernels write dB and dC themselves, no per-head rows.
        SsdKernels.BackwardWorkspace one = SsdKernels.BackwardWorkspace.of(new SsdShape(2, 300, 4, 40, 4, 20), 128);
        assertEquals(one.dBh(), one.cb());
        assertEquals(one.dCh(), one.cb());
    }

    @Test
    void tiledGridsCoverEveryChunkAndTile() {
        SsdShape mamba = new SsdShape(8, 2048, 16, 64, 1, 128);
        assertGrid(SsdKernels.tileGrid(mamba, 128), 16 * 2, 16, 8);
        assertGrid(SsdKernels.stateGrid(mamba, 128), 16, 16, 8);
        assertGrid(SsdKernels.passGrid(mamba), 32, 16, 8);
        assertGrid(SsdKernels.chunkGrid(mamba, 128), 16, 16, 8);
        assertGrid(SsdKernels.cbGrid(mamba, 128), 16 * 3, 1, 8); // tile pairs (0, 0), (1, 0), (1, 1)
        // A sequence shorter than a chunk is one chunk of as many 64-step tiles as it needs.
        SsdShape shortSeq = new SsdShape(3, 70, 5, 128, 1, 33);
        assertGrid(SsdKernels.tileGrid(shortSeq, 256), 2, 5, 3);
        assertGrid(SsdKernels.stateGrid(shortSeq, 256), 2, 5, 3);
        assertGrid(SsdKernels.passGrid(shortSeq), 17, 5, 3);
        // The last chunk partial: 300 steps in chunks of 256 need 2 chunks x 4 tiles.
        assertGrid(SsdKernels.tileGrid(new SsdShape(1, 300, 2, 8, 1, 8), 256), 8, 2, 1);
        assertGrid(SsdKernels.cbGrid(new SsdShape(1, 300, 2, 8, 1, 8), 256), 2 * 10, 1, 1);
        assertGrid(SsdKernels.tileGrid(new SsdShape(1, 7, 2, 8, 1, 8), 1), 7, 2, 1);
        assertGrid(SsdKernels.stepGrid(5, 16, 64), 16, 5, 8);
        assertGrid(SsdKernels.stepGrid(5, 16, 3), 16, 5, 1);
        assertEquals(4096, SsdKernels.groupSumGrid(1L << 30).gridX());
        assertEquals(2, SsdKernels.groupSumGrid(300).gridX());
    }

    private static void assertGrid(LaunchGeometry g, int x, int y, int z) {
        assertEquals(x, g.gridX(), "grid x of " + g);
        assertEquals(y, g.gridY(), "grid y of " + g);
        assertEquals(z, g.gridZ(), "grid z of " + g);
        assertEquals(256, g.threadsPerBlock());
        assertEquals(0, g.sharedBytes());
    }

    @Test
    void variantsPadHeaddimAndDstateTo64Or128() {
        assertEquals(64, SsdKernels.width(1));
        assertEquals(64, SsdKernels.width(64));
        assertEquals(128, SsdKernels.width(65));
        assertEquals(128, SsdKernels.width(128));
        SsdShape narrow = new SsdShape(1, 10, 2, 64, 1, 17);
        SsdShape wide = new SsdShape(1, 10, 2, 100, 1, 128);
        assertSame(SsdKernels.CHUNK_SCAN_P64, SsdKernels.forwardScanSignature(narrow));
        assertSame(SsdKernels.CHUNK_SCAN_P128, SsdKernels.forwardScanSignature(wide));
        assertSame(SsdKernels.CHUNK_STATE_N64, SsdKernels.chunkStateSignature(narrow, false));
        assertSame(SsdKernels.CHUNK_DSTATE_N128, SsdKernels.chunkStateSignature(wide, true));
        assertSame(SsdKernels.BACKWARD_DX_P128, SsdKernels.backwardDxSignature(wide));
        assertSame(SsdKernels.BACKWARD_DB_N64, SsdKernels.backwardDbSignature(narrow));
        assertSame(SsdKernels.BACKWARD_DC_N128, SsdKernels.backwardDcSignature(wide));
    }

    @Test
    void limitsAreCheckedWithTheOffendingValues() {
        SsdShape ok = new SsdShape(2, 100, 4, 64, 1, 128);
        SsdKernels.check(ok, 1);
        SsdKernels.check(ok, 256);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SsdKernels.check(ok, 257))
                .getMessage().contains("got 257"));
        assertThrows(IllegalArgumentException.class, () -> SsdKernels.check(ok, 0));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SsdKernels.check(new SsdShape(1, 10, 1, 129, 1, 64), 64)).getMessage().contains("headdim 129"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> SsdKernels.check(new SsdShape(1, 10, 1, 64, 1, 130), 64)).getMessage().contains("dstate 130"));
        assertThrows(IllegalArgumentException.class, () -> SsdKernels.check(new SsdShape(1, 10, 70_000, 8, 1, 8), 64));
        assertThrows(IllegalArgumentException.class,
                () -> SsdKernels.check(new SsdShape(1 << 14, 1 << 14, 16, 64, 1, 64), 64));
    }

    @Test
    void everyDeclaredKernelIsLoadedOnceUnderItsOwnName() throws IllegalAccessException {
        Set<String> names = new HashSet<>();
        for (Field f : SsdKernels.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == KernelSignature.class) {
                KernelSignature k = (KernelSignature) f.get(null);
                assertTrue(k.name().startsWith("ssd_"), k.name());
                assertTrue(names.add(k.name()), k.name() + " declared twice");
                assertTrue(SsdKernels.ALL.contains(k), k.name() + " is not loaded");
            }
        }
        assertEquals(names.size(), SsdKernels.ALL.size());
        assertEquals(19, names.size());
    }
}
