package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.train.SgdSai;
import dev.chimera.cuda.LaunchGeometry;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link OptimKernels}' launch geometry, the g-SNR's host side and argument checks: no GPU. */
class OptimKernelsTest {

    @Test
    void momentsLeaveAtMostTheirPartialsBufferOfDoubles() {
        for (long n : new long[] {1, 257, 65_536, 65_537, 10_000_000}) {
            LaunchGeometry g = OptimKernels.momentsGeometry(n);
            assertTrue(g.gridX() <= OptimKernels.MOMENT_BLOCKS, n + " -> " + g);
            assertTrue(g.threads() >= Math.min(n, (long) OptimKernels.MOMENT_BLOCKS * LaunchGeometry.STRIDE_BLOCK));
            assertEquals(0, g.blockX() % 32, "whole warps: the kernel's shuffles take all 32 lanes");
        }
    }

    @Test
    void theShiftTravelsAsTwoFloatsToFortyEightBits() {
        for (double shift : new double[] {0, 1, -0.1, 1.0 / 3, 123_456.789, -7.25e-9, 3.4e30}) {
            float[] s = OptimKernels.split(shift);
            double back = (double) s[0] + (double) s[1];
            assertTrue(Math.abs(back - shift) <= Math.abs(shift) * 0x1p-47, shift + " -> " + back);
        }
        assertEquals(0f, OptimKernels.split(0.5)[1], "a float shift is its high part alone");
    }

    /**
     * The g-SNR from the two passes' sums (what the device leaves, summed here in the same order) equals
     * SgdSai's, read from its state after a first step on the CPU: one element, a constant gradient
     * (sigma exactly 0), a gradient far from zero mean, and an ordinary one.
     */
    @Test
    void gsnrFromTheMomentsMatchesSgdSai() {
        Parameters params = Parameters.builder().add("one", true, 1).add("constant", true, 100)
                .add("offset", false, 37, 11).add("plain", true, 1000).build();
        SplittableRandom random = new SplittableRandom(7);
        float[] g = params.grads();
        for (Parameters.Entry e : params.entries()) {
            for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                g[i] = switch (e.name()) {
                    case "constant" -> 0.375f;
                    case "offset" -> (float) (100 + random.nextDouble(-1, 1));
                    default -> (float) random.nextDouble(-1, 1);
                };
            }
        }
        SgdSai.Settings settings = SgdSai.Settings.defaults();
        SgdSai sai = new SgdSai(params, settings, new ScalarBackend());
        sai.step(1e-3);
        float[] expected = sai.state().get("gsnr");
        int k = 0;
        for (Parameters.Entry e : params.entries()) {
            double sum = 0;
            double squares = 0;
            for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                sum += g[i];
                squares += (double) g[i] * g[i];
            }
            float[] shift = OptimKernels.split(sum / e.size());
            double mean = (double) shift[0] + (double) shift[1];
            double deviations = 0;
            for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                double d = g[i] - mean;
                deviations += d * d;
            }
            float got = (float) OptimKernels.gsnr(e.size(), squares, deviations, settings.eps());
            assertEquals(expected[k], got, Math.ulp(expected[k]), e.name());
            k++;
        }
        assertEquals(0.375f * 10 / 1e-8f, expected[1], 1e3f, "constant gradient: ||g|| / eps");
    }

    @Test
    void countsAreChecked() {
        OptimKernels.checkCount("adamwUpdate", 1);
        String m = assertThrows(IllegalArgumentException.class, () -> OptimKernels.checkCount("adamwUpdate", 0))
                .getMessage();
        assertTrue(m.contains("adamwUpdate") && m.contains("0 elements"), m);
    }

    @Test
    void signaturesCheckTheirArguments() {
        assertEquals("optim_adamw", OptimKernels.ADAMW.name());
        assertEquals(12, OptimKernels.ADAMW.params().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimKernels.SGD_SAI.check(null, null, null, 3, 1f, 0.9f, 0.1f, 1f, true));
        assertTrue(e.getMessage().contains("argument 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OptimKernels.MOMENTS.check(1));
        assertTrue(e.getMessage().contains("takes 5 arguments"), e.getMessage());
    }
}
