package dev.chimera.cuda.kernels;

import static dev.chimera.cuda.TestGpu.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.SgdSai;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuTest;
import dev.chimera.cuda.TestGpu;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code optim.cu} against {@link ScalarBackend}: several consecutive steps of each update on awkward
 * sizes, tensors at offsets into their buffers, with and without decay; the kernels repeat the CPU's
 * float operations one by one, so the state agrees to rounding (rel 1e-6, tighter than the 1e-5 a state
 * comparison needs). The g-SNR against {@link SgdSai}'s own first step.
 */
@GpuTest
class OptimKernelsGpuTest {
    private static final double STATE = 1e-6;
    private static final int AT = 5;
    private static CudaDevice gpu;
    private static OptimKernels k;
    private final Backend ref = new ScalarBackend();

    @BeforeAll
    static void load() {
        gpu = TestGpu.device();
        k = new OptimKernels(gpu);
    }

    private static DeviceBuffer upload(Tensor t) {
        DeviceBuffer b = gpu.allocate(AT + t.size());
        b.upload(t.data(), t.size(), AT);
        return b;
    }

    private static float[] window(DeviceBuffer b, int n) {
        return Arrays.copyOfRange(b.toArray(), AT, AT + n);
    }

    @Test
    void adamwOverSeveralSteps() {
        float lr = 3e-3f;
        float b1 = 0.9f;
        float b2 = 0.95f;
        float eps = 1e-8f;
        long seed = 1;
        for (int n : new int[] {1, 257, 1_000_003}) {
            for (boolean decay : new boolean[] {true, false}) {
                String what = "adamw n=" + n + (decay ? " with decay" : "");
                Tensor p = Tensor.uniform(seed++, -1f, 1f, n);
                Tensor m = Tensor.zeros(n);
                Tensor v = Tensor.zeros(n);
                float keep = decay ? (float) (1 - lr * 0.1) : 1f;
                try (DeviceBuffer dp = upload(p); DeviceBuffer dm = upload(m); DeviceBuffer dv = upload(v);
                     DeviceBuffer dg = gpu.allocate(AT + n)) {
                    for (int t = 1; t <= 4; t++) {
                        Tensor g = Tensor.uniform(seed++, -0.5f, 0.5f, n);
                        g.data()[0] = t == 2 ? 0f : g.data()[0];
                        dg.upload(g.data(), n, AT);
                        float c1 = (float) (1 - Math.pow(b1, t));
                        float c2 = (float) (1 - Math.pow(b2, t));
                        ref.adamwUpdate(p, m, v, g, lr, b1, b2, eps, c1, c2, keep);
                        k.adamwUpdate(dp.at(AT), dm.at(AT), dv.at(AT), dg.at(AT), n, lr, b1, b2, eps, c1, c2, keep);
                        assertClose(p.data(), window(dp, n), STATE, what + " p after step " + t);
                        assertClose(m.data(), window(dm, n), STATE, what + " m after step " + t);
                        assertClose(v.data(), window(dv, n), STATE, what + " v after step " + t);
                    }
                }
            }
        }
    }

    @Test
    void sgdSaiOverSeveralSteps() {
        float momentum = 0.9f;
        float dampening = 1 - momentum;
        long seed = 50;
        for (int n : new int[] {1, 257, 1_000_003}) {
            for (boolean decay : new boolean[] {true, false}) {
                String what = "sgdSai n=" + n + (decay ? " with decay" : "");
                Tensor p = Tensor.uniform(seed++, -1f, 1f, n);
                // The first step must overwrite whatever the buffer held.
                Tensor buf = Tensor.uniform(seed++, -9f, 9f, n);
                float stepSize = 1e-2f * 3.7f;
                float keep = decay ? (float) (1 - 1e-2 * 1e-2) : 1f;
                try (DeviceBuffer dp = upload(p); DeviceBuffer db = upload(buf);
                     DeviceBuffer dg = gpu.allocate(AT + n)) {
                    for (int t = 1; t <= 4; t++) {
                        Tensor g = Tensor.uniform(seed++, -0.5f, 0.5f, n);
                        dg.upload(g.data(), n, AT);
                        ref.sgdSaiUpdate(p, buf, g, stepSize, momentum, dampening, keep, t == 1);
                        k.sgdSaiUpdate(dp.at(AT), db.at(AT), dg.at(AT), n, stepSize, momentum, dampening, keep, t == 1);
                        assertClose(p.data(), window(dp, n), STATE, what + " p after step " + t);
                        assertClose(buf.data(), window(db, n), STATE, what + " buf after step " + t);
                    }
                }
            }
        }
    }

    /** Each tensor's g-SNR measured on the device, against what SgdSai's first step on the CPU keeps. */
    @Test
    void gsnrMatchesSgdSaiFirstStep() {
        Parameters params = Parameters.builder().add("one", true, 1).add("constant", true, 100)
                .add("offset", false, 37, 11).add("zeros", true, 9).add("big", true, 1_000_003)
                .add("small", false, 257).build();
        SplittableRandom random = new SplittableRandom(11);
        float[] g = params.grads();
        for (Parameters.Entry e : params.entries()) {
            for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                g[i] = switch (e.name()) {
                    case "constant" -> -0.375f;
                    case "offset" -> (float) (100 + random.nextDouble(-1, 1));
                    case "zeros" -> 0f;
                    default -> (float) random.nextDouble(-1, 1) * 1e-3f;
                };
            }
        }
        try (DeviceBuffer dg = gpu.upload(g)) {
            SgdSai.Settings settings = SgdSai.Settings.defaults();
            SgdSai sai = new SgdSai(params, settings, ref);
            sai.step(1e-2);
            float[] expected = sai.state().get("gsnr");
            float[] got = new float[expected.length];
            int j = 0;
            for (Parameters.Entry e : params.entries()) {
                got[j++] = (float) k.gsnr(dg.at(e.offset()), e.size(), settings.eps());
            }
            // Normwise per tensor: the constant tensor's ||g|| / eps dwarfs the others.
            for (int i = 0; i < expected.length; i++) {
                assertClose(new float[] {expected[i]}, new float[] {got[i]}, 1e-6,
                        "g-SNR of " + params.entries().get(i).name());
            }
            assertEquals(0f, got[3], "an all-zero gradient's g-SNR");
        }
    }
}
