package dev.chimera.cuda.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.CausalConvOp;
import dev.chimera.core.kernel.Activation;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code conv.cu} against {@link ScalarBackend}'s causal convolution (and its SiLU activation for the fused
 * variants) on awkward sizes: channels not a multiple of 32, lengths not a multiple of the 256-position
 * tiles, sequences shorter than the filter, every width from 1 to 8, and more tiles than the backward has
 * blocks. fp32, normwise relative 1e-4.
 */
@GpuTest
class ConvKernelsGpuTest {
    private static final double FP32 = 1e-4;
    /** (batch, T, C, K): the model's width 4 on awkward sizes, short sequences, other widths, many tiles. */
    private static final int[][] TRAINING = {{3, 301, 77, 4}, {2, 5, 33, 3}, {1, 2, 7, 4}, {2, 257, 45, 1},
        {2, 100, 40, 8}, {1, 513, 31, 2}, {5, 7000, 33, 4}};
    private static CudaDevice gpu;
    private static ConvKernels k;
    private final Backend ref = new ScalarBackend();

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new ConvKernels(gpu);
    }

    /**
     * TestGpu.assertClose, after checking that every value the reference has finite is finite here too
     * (assertClose's running maximum forgets a NaN when a later element differs at all).
     */
    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.isFinite(expected[i]) && !Float.isFinite(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
        TestGpu.assertClose(expected, actual, tolerance, what);
    }

    @Test
    void forwardAndFusedSiluForward() {
        for (int[] s : TRAINING) {
            int batch = s[0], seqlen = s[1], channels = s[2], width = s[3];
            String what = Arrays.toString(s);
            Tensor x = Tensor.uniform(1, -2f, 2f, batch, seqlen, channels);
            Tensor w = Tensor.uniform(2, -1f, 1f, channels, width);
            Tensor b = Tensor.uniform(3, -1f, 1f, channels);
            Tensor y = Tensor.zeros(batch, seqlen, channels);
            Tensor act = Tensor.zeros(batch, seqlen, channels);
            ref.causalConv(channels, width).forward(y, x, w, b);
            ref.activation(Activation.SILU, act, y);
            long n = x.size();
            try (DeviceBuffer dx = gpu.upload(x.data()); DeviceBuffer dw = gpu.upload(w.data());
                 DeviceBuffer db = gpu.upload(b.data()); DeviceBuffer out = gpu.allocate(n);
                 DeviceBuffer pre = gpu.allocate(n)) {
                k.forward(out.at(0), dx.at(0), dw.at(0), db.at(0), batch, seqlen, channels, width);
                assertClose(y.data(), out.toArray(), FP32, "forward " + what);
                out.fill(Float.NaN);
                k.forwardSilu(out.at(0), pre.at(0), dx.at(0), dw.at(0), db.at(0), batch, seqlen, channels, width);
                assertClose(y.data(), pre.toArray(), FP32, "fused forward's pre-activation " + what);
                assertClose(act.data(), out.toArray(), FP32, "fused forward's SiLU " + what);
            }
        }
    }

    /** dx overwritten, dweight and dbias added to what they held; plain, and fused with SiLU. */
    @Test
    void backwardAndFusedSiluBackward() {
        for (int[] s : TRAINING) {
            int batch = s[0], seqlen = s[1], channels = s[2], width = s[3];
            String what = Arrays.toString(s);
            CausalConvOp op = ref.causalConv(channels, width);
            Tensor x = Tensor.uniform(4, -2f, 2f, batch, seqlen, channels);
            Tensor w = Tensor.uniform(5, -1f, 1f, channels, width);
            Tensor b = Tensor.uniform(6, -1f, 1f, channels);
            Tensor dy = Tensor.uniform(7, -1f, 1f, batch, seqlen, channels);
            Tensor dw0 = Tensor.uniform(8, -1f, 1f, channels, width);
            Tensor db0 = Tensor.uniform(9, -1f, 1f, channels);
            Tensor pre = Tensor.zeros(batch, seqlen, channels);
            op.forward(pre, x, w, b);
            try (DeviceBuffer gx = gpu.upload(x.data()); DeviceBuffer gw = gpu.upload(w.data());
                 DeviceBuffer gdy = gpu.upload(dy.data()); DeviceBuffer gpre = gpu.upload(pre.data());
                 DeviceBuffer gdx = gpu.allocate(x.size()); DeviceBuffer gdw = gpu.upload(dw0.data());
                 DeviceBuffer gdb = gpu.upload(db0.data());
                 DeviceBuffer work = gpu.allocate(ConvKernels.backwardWorkspace(channels, width))) {
                Tensor dx = Tensor.uniform(10, -1f, 1f, batch, seqlen, channels);
                Tensor dw = dw0.copy();
                Tensor db = db0.copy();
                op.backward(dx, dw, db, dy, x, w);
                gdx.fill(Float.NaN);
                k.backward(gdx.at(0), gdw.at(0), gdb.at(0), gdy.at(0), gx.at(0), gw.at(0), work.at(0), batch, seqlen,
                        channels, width);
                assertClose(dx.data(), gdx.toArray(), FP32, "dx " + what);
                assertClose(dw.data(), gdw.toArray(), FP32, "dweight accumulated " + what);
                assertClose(db.data(), gdb.toArray(), FP32, "dbias accumulated " + what);

                // act = silu(pre): the core's activation backward, then the convolution's.
                Tensor dPre = Tensor.zeros(batch, seqlen, channels);
                ref.activationBackward(Activation.SILU, dPre, dy, pre);
                dw = dw0.copy();
                db = db0.copy();
                op.backward(dx, dw, db, dPre, x, w);
                gdw.upload(dw0.data(), dw0.size(), 0);
                gdb.upload(db0.data(), db0.size(), 0);
                gdx.fill(Float.NaN);
                k.backwardSilu(gdx.at(0), gdw.at(0), gdb.at(0), gdy.at(0), gpre.at(0), gx.at(0), gw.at(0), work.at(0),
                        batch, seqlen, channels, width);
                assertClose(dx.data(), gdx.toArray(), FP32, "fused SiLU dx " + what);
                assertClose(dw.data(), gdw.toArray(), FP32, "fused SiLU dweight " + what);
                assertClose(db.data(), gdb.toArray(), FP32, "fused SiLU dbias " + what);
            }
        }
    }

    /** Two prefills in a row (the second continuing from the first's state), chunks shorter and longer than K. */
    @Test
    void prefillContinuesFromAndAdvancesTheState() {
        for (int[] s : new int[][] {{300, 2, 77, 4}, {1, 5, 33, 4}, {3, 258, 40, 8}, {70, 1, 35, 1}}) {
            int channels = s[2], width = s[3];
            String what = Arrays.toString(s);
            CausalConvOp op = ref.causalConv(channels, width);
            Tensor w = Tensor.uniform(11, -1f, 1f, channels, width);
            Tensor b = Tensor.uniform(12, -1f, 1f, channels);
            Tensor state = Tensor.uniform(13, -2f, 2f, channels, width);
            try (DeviceBuffer gw = gpu.upload(w.data()); DeviceBuffer gb = gpu.upload(b.data());
                 DeviceBuffer gstate = gpu.upload(state.data()); DeviceBuffer gstate2 = gpu.upload(state.data())) {
                Tensor state2 = state.copy();
                for (int chunk = 0; chunk < 2; chunk++) {
                    int seqlen = s[chunk];
                    Tensor x = Tensor.uniform(14 + chunk, -2f, 2f, seqlen, channels);
                    Tensor y = Tensor.zeros(seqlen, channels);
                    op.prefill(y, state, x, w, b);
                    Tensor act = Tensor.zeros(seqlen, channels);
                    ref.activation(Activation.SILU, act, y);
                    try (DeviceBuffer gx = gpu.upload(x.data()); DeviceBuffer gy = gpu.allocate(x.size())) {
                        k.prefill(gy.at(0), gstate.at(0), gx.at(0), gw.at(0), gb.at(0), seqlen, channels, width);
                        assertClose(y.data(), gy.toArray(), FP32, "prefill y, chunk " + chunk + " of " + what);
                        assertClose(state.data(), gstate.toArray(), 0, "prefill state, chunk " + chunk + " of " + what);
                        k.prefillSilu(gy.at(0), gstate2.at(0), gx.at(0), gw.at(0), gb.at(0), seqlen, channels, width);
                        assertClose(act.data(), gy.toArray(), FP32, "fused SiLU prefill, chunk " + chunk + " of " + what);
                        assertClose(state.data(), gstate2.toArray(), 0, "fused SiLU prefill state " + what);
                    }
                }
            }
        }
    }

    /**
     * Steps of 5 sequences whose states lie in a buffer of 7, sequence i's at stateOffset(i) = the CPU's
     * states[i]: the first 5 roll, the last 2 stay.
     */
    @Test
    void stepRollsTheFirstNStatesOfTheBuffer() {
        int slots = 7;
        int n = 5;
        for (int[] cw : new int[][] {{77, 4}, {33, 1}, {40, 8}}) {
            int channels = cw[0], width = cw[1];
            CausalConvOp op = ref.causalConv(channels, width);
            Tensor w = Tensor.uniform(21, -1f, 1f, channels, width);
            Tensor b = Tensor.uniform(22, -1f, 1f, channels);
            Tensor all = Tensor.uniform(23, -2f, 2f, slots, channels, width);
            Tensor[] states = new Tensor[slots];
            for (int i = 0; i < slots; i++) {
                states[i] = all.select(i);
            }
            try (DeviceBuffer gw = gpu.upload(w.data()); DeviceBuffer gb = gpu.upload(b.data());
                 DeviceBuffer gstates = gpu.upload(all.data()); DeviceBuffer gy = gpu.allocate((long) n * channels)) {
                for (int t = 0; t < 3; t++) {
                    Tensor x = Tensor.uniform(24 + t, -2f, 2f, n, channels);
                    Tensor y = Tensor.zeros(n, channels);
                    op.step(y, states, x, w, b);
                    try (DeviceBuffer gx = gpu.upload(x.data())) {
                        if (t < 2) {
                            k.step(gy.at(0), gstates.at(0), gx.at(0), gw.at(0), gb.at(0), n, channels, width);
                            assertClose(y.data(), gy.toArray(), FP32, "step " + t + ", C " + channels + " K " + width);
                        } else {
                            Tensor act = Tensor.zeros(n, channels);
                            ref.activation(Activation.SILU, act, y);
                            k.stepSilu(gx.at(0), gstates.at(0), gx.at(0), gw.at(0), gb.at(0), n, channels, width);
                            assertClose(act.data(), gx.toArray(), FP32, "fused SiLU step in place, C " + channels);
                        }
                    }
                    assertClose(all.data(), gstates.toArray(), 0, "states after step " + t + ", C " + channels);
                }
            }
        }
    }

    @Test
    void pointersWithoutRoomAreRefused() {
        try (DeviceBuffer small = gpu.allocate(10); DeviceBuffer big = gpu.allocate(4096)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.backward(big.at(0),
                    big.at(0), big.at(0), big.at(0), big.at(0), big.at(0), small.at(0), 2, 10, 20, 4));
            assertTrue(e.getMessage().contains("workspace needs"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> k.step(big.at(0), big.at(4000), big.at(0), big.at(0), big.at(0), 3, 20, 4));
            assertTrue(e.getMessage().contains("states needs 240"), e.getMessage());
        }
    }
}
