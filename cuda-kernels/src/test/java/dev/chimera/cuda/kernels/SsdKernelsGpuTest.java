package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.TestGpu.assertClose;

import dev.chimera.core.backend.SsdScanOp;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.ssd.SsdShape;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.DevicePointer;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ssd.cu} against the CPU SSD scan of {@link ScalarBackend} (the fp32 recurrence, {@code SsdScan}):
 * forward (y, hFinal, chunk states) and backward (every gradient, dA and dD added to a prior value) on
 * awkward shapes, and decoding step by step against the GPU's own forward pass and the CPU's step.
 *
 * <p>Tolerances: the GPU runs the chunked (matrix) form, the CPU the recurrence, both in fp32, so values
 * differ by rounding only: normwise 1e-4 for outputs, states and activation gradients. ddt and dA get
 * 1e-3: they are A (|A| up to 16) times a sum over the rest of the chunk of terms of both signs (the
 * gradient of the cumulative log-decay), whose rounding is relative to the terms, not to their sum.
 */
@GpuTest
class SsdKernelsGpuTest {
    private static final double FP32 = 1e-4;
    private static final double DECAY_GRADIENTS = 1e-3;
    /** dA and dD start here, to check that they are added to. */
    private static final float PRIOR = 0.25f;
    private static CudaDevice gpu;
    private static SsdKernels k;

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new SsdKernels(gpu);
    }

    /** Seeded inputs shaped like a Mamba2 layer's (core's SsdTestData): dt log-uniform in [1e-3, 0.1] x dtScale. */
    private record Inputs(SsdShape s, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C, Tensor D, Tensor h0,
                          Tensor dy, Tensor dhFinal) {

        static Inputs of(long seed, SsdShape s, boolean withStates, double dtScale) {
            SplittableRandom r = new SplittableRandom(seed);
            Tensor dt = Tensor.zeros(s.dtShape());
            for (int i = 0; i < dt.size(); i++) {
                double u = r.nextDouble();
                dt.data()[i] = (float) (dtScale * Math.exp(Math.log(1e-3) + u * (Math.log(1e-1) - Math.log(1e-3))));
            }
            return new Inputs(s, uniform(r, -1, 1, s.xShape()), dt, uniform(r, -16, -1, s.nheads()),
                    uniform(r, -1, 1, s.bcShape()), uniform(r, -1, 1, s.bcShape()), uniform(r, 0.5f, 1.5f, s.nheads()),
                    withStates ? uniform(r, -1, 1, s.stateShape()) : null, uniform(r, -1, 1, s.xShape()),
                    withStates ? uniform(r, -1, 1, s.stateShape()) : null);
        }
    }

    private static Tensor uniform(SplittableRandom r, float lo, float hi, int... shape) {
        return Tensor.uniform(r.nextLong(), lo, hi, shape);
    }

    @Test
    void oneHeadWithALengthThatIsNoMultipleOfTheChunk() {
        parity(Inputs.of(1, new SsdShape(2, 77, 1, 64, 1, 64), true, 1.0), 32, 0);
    }

    @Test
    void groupedHeadsOfAwkwardWidthsAtBufferOffsets() {
        parity(Inputs.of(2, new SsdShape(2, 150, 4, 40, 2, 20), true, 5.0), 64, 13);
    }

    @Test
    void wideStatesInChunksOf256() {
        parity(Inputs.of(3, new SsdShape(1, 300, 2, 128, 1, 128), true, 1.0), 256, 0);
    }

    @Test
    void wideHeadsNarrowStatesShortChunks() {
        parity(Inputs.of(4, new SsdShape(1, 45, 2, 128, 2, 64), true, 5.0), 16, 0);
    }

    @Test
    void aSequenceShorterThanOneChunkWithoutStates() {
        parity(Inputs.of(5, new SsdShape(2, 50, 4, 64, 4, 64), false, 1.0), 128, 0);
    }

    @Test
    void chunksOfOneStepAndTinyStates() {
        parity(Inputs.of(6, new SsdShape(3, 7, 2, 3, 1, 5), true, 1.0), 1, 0);
    }

    @Test
    void mamba2DefaultsWithThreeHeadsPerGroup() {
        TestGpu.assumeRealGpu("2 x 1,000 steps of 6 heads of 64 x 128 states");
        parity(Inputs.of(7, new SsdShape(2, 1000, 6, 64, 2, 128), true, 1.0), 128, 0);
    }

    /**
     * Forward and backward of the GPU (operands at element {@code offset} of their buffers, outputs and
     * workspace NaN before) against ScalarBackend's op with the same chunk size.
     */
    private static void parity(Inputs in, int chunk, int offset) {
        SsdShape s = in.s();
        SsdScanOp op = new ScalarBackend().ssdScan(chunk);
        boolean states = in.h0() != null;
        Tensor y = Tensor.zeros(s.xShape());
        Tensor hFinal = Tensor.zeros(s.stateShape());
        Tensor chunkStates = Tensor.zeros(op.chunkStatesShape(s));
        op.forward(y, hFinal, chunkStates, in.x(), in.dt(), in.A(), in.B(), in.C(), in.D(), in.h0());
        Tensor dx = Tensor.zeros(s.xShape());
        Tensor ddt = Tensor.zeros(s.dtShape());
        Tensor dA = Tensor.zeros(s.nheads());
        Tensor dB = Tensor.zeros(s.bcShape());
        Tensor dC = Tensor.zeros(s.bcShape());
        Tensor dD = Tensor.zeros(s.nheads());
        Tensor dh0 = Tensor.zeros(s.stateShape());
        dA.fill(PRIOR);
        dD.fill(PRIOR);
        op.backward(dx, ddt, dA, dB, dC, dD, states ? dh0 : null, in.dy(), in.dhFinal(), in.x(), in.dt(), in.A(),
                in.B(), in.C(), in.D(), chunkStates, Tensor.zeros(op.backwardWorkspaceSize(s)));

        try (Dev d = new Dev(offset)) {
            DevicePointer gx = d.put(in.x());
            DevicePointer gdt = d.put(in.dt());
            DevicePointer gA = d.put(in.A());
            DevicePointer gB = d.put(in.B());
            DevicePointer gC = d.put(in.C());
            DevicePointer gD = d.put(in.D());
            DevicePointer gh0 = states ? d.put(in.h0()) : null;
            DevicePointer gdy = d.put(in.dy());
            DevicePointer gdhFinal = states ? d.put(in.dhFinal()) : null;
            DevicePointer gy = d.nan(y.size());
            DevicePointer ghFinal = states ? d.nan(hFinal.size()) : null;
            DevicePointer gStates = d.nan(chunkStates.size());
            k.forward(s, chunk, gy, ghFinal, gStates, gx, gdt, gA, gB, gC, gD, gh0,
                    d.nan(SsdKernels.forwardWorkspaceSize(s, chunk)));
            assertClose(y.data(), d.get(gy, y.size()), FP32, "y");
            assertClose(chunkStates.data(), d.get(gStates, chunkStates.size()), FP32, "chunk states");
            if (states) {
                assertClose(hFinal.data(), d.get(ghFinal, hFinal.size()), FP32, "hFinal");
            }

            DevicePointer gdx = d.nan(dx.size());
            DevicePointer gddt = d.nan(ddt.size());
            DevicePointer gdA = d.put(filled(s.nheads(), PRIOR));
            DevicePointer gdB = d.nan(dB.size());
            DevicePointer gdC = d.nan(dC.size());
            DevicePointer gdD = d.put(filled(s.nheads(), PRIOR));
            DevicePointer gdh0 = states ? d.nan(dh0.size()) : null;
            DevicePointer ws = d.nan(SsdKernels.backwardWorkspaceSize(s, chunk));
            k.backward(s, chunk, gdx, gddt, gdA, gdB, gdC, gdD, gdh0, gdy, gdhFinal, gx, gdt, gA, gB, gC, gD, gStates,
                    ws);
            assertClose(dx.data(), d.get(gdx, dx.size()), FP32, "dx");
            assertClose(dB.data(), d.get(gdB, dB.size()), FP32, "dB");
            assertClose(dC.data(), d.get(gdC, dC.size()), FP32, "dC");
            assertClose(dD.data(), d.get(gdD, dD.size()), FP32, "dD (accumulated)");
            assertClose(ddt.data(), d.get(gddt, ddt.size()), DECAY_GRADIENTS, "ddt");
            assertClose(dA.data(), d.get(gdA, dA.size()), DECAY_GRADIENTS, "dA (accumulated)");
            if (states) {
                assertClose(dh0.data(), d.get(gdh0, dh0.size()), FP32, "dh0");
            }
        }
    }

    @Test
    void decodingStepByStepFollowsTheForwardPass() {
        SsdShape s = new SsdShape(2, 20, 4, 40, 2, 20);
        int chunk = 8;
        Inputs in = Inputs.of(8, s, true, 2.0);
        int n = s.batch();
        int H = s.nheads();
        int P = s.headdim();
        int G = s.ngroups();
        int N = s.dstate();
        SsdScanOp op = new ScalarBackend().ssdScan(chunk);
        Tensor cpuStates = Tensor.of(in.h0().toArray(), s.stateShape());
        Tensor[] perSequence = new Tensor[n + 1]; // the CPU op's array may be longer than n
        for (int i = 0; i < n; i++) {
            perSequence[i] = cpuStates.select(i);
        }
        perSequence[n] = Tensor.zeros(H, P, N);
        try (Dev d = new Dev(0)) {
            DevicePointer gx = d.put(in.x());
            DevicePointer gdt = d.put(in.dt());
            DevicePointer gA = d.put(in.A());
            DevicePointer gB = d.put(in.B());
            DevicePointer gC = d.put(in.C());
            DevicePointer gD = d.put(in.D());
            DevicePointer gh0 = d.put(in.h0());
            DevicePointer gy = d.nan(in.x().size());
            DevicePointer ghFinal = d.nan(in.h0().size());
            k.forward(s, chunk, gy, ghFinal, d.nan(SsdKernels.chunkStatesSize(s, chunk)), gx, gdt, gA, gB, gC, gD, gh0,
                    d.nan(SsdKernels.forwardWorkspaceSize(s, chunk)));
            float[] yForward = d.get(gy, in.x().size());

            DevicePointer states = d.put(in.h0()); // (n, H, P, N): sequence i's state at i * H * P * N
            DevicePointer yt = d.nan(n * H * P);
            for (int t = 0; t < s.seqlen(); t++) {
                Tensor xt = rows(in.x(), s, t, H * P, n, H, P);
                Tensor dtt = rows(in.dt(), s, t, H, n, H);
                Tensor bt = rows(in.B(), s, t, G * N, n, G, N);
                Tensor ct = rows(in.C(), s, t, G * N, n, G, N);
                k.step(n, H, P, G, N, yt, states, d.put(xt), d.put(dtt), gA, d.put(bt), d.put(ct), gD);
                float[] got = d.get(yt, n * H * P);
                Tensor cpuY = Tensor.zeros(n, H, P);
                op.step(cpuY, perSequence, xt, dtt, in.A(), bt, ct, in.D());
                assertClose(cpuY.data(), got, FP32, "step " + t + " against the CPU step");
                assertClose(rows(Tensor.of(yForward, s.xShape()), s, t, H * P, n, H, P).data(), got, FP32,
                        "step " + t + " against the forward pass");
            }
            float[] finalStates = d.get(states, in.h0().size());
            assertClose(d.get(ghFinal, in.h0().size()), finalStates, FP32, "states against the forward hFinal");
            assertClose(cpuStates.data(), finalStates, FP32, "states against the CPU step's");
        }
    }

    /** Step t of a (batch, seqlen, ...) tensor with {@code row} values per step: a new (shape) tensor. */
    private static Tensor rows(Tensor t, SsdShape s, int step, int row, int... shape) {
        Tensor out = Tensor.zeros(shape);
        for (int b = 0; b < s.batch(); b++) {
            System.arraycopy(t.data(), t.offset() + (b * s.seqlen() + step) * row, out.data(), b * row, row);
        }
        return out;
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    /** Device buffers of one test, each operand at {@code offset} of a buffer of its own; all freed at close. */
    private static final class Dev implements AutoCloseable {
        private final int offset;
        private final List<DeviceBuffer> buffers = new ArrayList<>();

        Dev(int offset) {
            this.offset = offset;
        }

        DevicePointer put(Tensor t) {
            return put(t.toArray());
        }

        DevicePointer put(float[] v) {
            DeviceBuffer b = gpu.allocate(offset + v.length);
            buffers.add(b);
            b.upload(v, v.length, offset);
            return b.at(offset);
        }

        /** Room for n values, NaN: what a kernel must overwrite (or, for a workspace, write before reading). */
        DevicePointer nan(long n) {
            DeviceBuffer b = gpu.allocate(offset + n);
            buffers.add(b);
            b.fill(Float.NaN);
            return b.at(offset);
        }

        float[] get(DevicePointer p, int n) {
            float[] out = new float[n];
            p.buffer().download(out, n, p.offset());
            return out;
        }

        @Override
        public void close() {
            buffers.forEach(DeviceBuffer::close);
        }
    }
}
