package dev.chimera.cuda.bench;

import dev.chimera.core.ssd.SsdShape;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo;
import dev.chimera.cuda.kernels.SsdKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The SSD scan ({@code ssd.cu}) on Mamba2's shapes: the training forward pass (saving the chunk states),
 * its backward pass, and one decoding step, for mamba's defaults (batch 8, 2,048 steps, 16 heads of
 * headdim 64, dstate 128, chunks of 128) and the 'small' preset's layers (8 heads of 64, dstate 64, chunks
 * of 256). Operands are seeded and shaped like a trained layer's: dt in [1e-3, 0.1], A in [-16, -1].
 *
 * <p>Flops are those of the chunked algorithm (REFERENCE §2) with each product counted once: per
 * (sequence, head) and chunk of L steps the forward pass does the chunk state and the state readout, 2 L P N
 * each, and the causal products of the diagonal block, P L (L+1), plus C B^T once per group, N L (L+1);
 * the backward pass does four products of 2 L P N (the chunk's dL/dS_in, and the state paths of dx, dB and
 * dC) and the causal dy x^T, u, dB and dC products, 2 (P + N) L (L+1), plus C B^T once per group. The
 * kernels do more (C B^T per head, dy x^T three times in the backward), so these are minima; the
 * decays, the pass over chunks and D x are left out. Bytes are the operands each pass must read and
 * write once: forward x, dt, B, C in, y and the chunk states out; backward x, dt, B, C, dy and the chunk
 * states in, dx, ddt, dB and dC out (the workspace's traffic is not counted); the step reads and writes
 * every state once.
 */
public final class SsdBench implements KernelBench {

    /** A measured configuration: its shape, its chunk size and a name. */
    private record Config(String name, SsdShape shape, int chunk) {
    }

    private static final List<Config> CONFIGS = List.of(
            new Config("mamba2", new SsdShape(8, 2048, 16, 64, 1, 128), 128),
            new Config("small", new SsdShape(8, 2048, 8, 64, 1, 64), 256));

    @Override
    public String family() {
        return "ssd";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        SsdKernels k = new SsdKernels(device);
        List<BenchRow> rows = new ArrayList<>();
        for (Config c : CONFIGS) {
            SsdShape s = c.shape();
            int q = c.chunk();
            String shape = c.name() + " b" + s.batch() + " T" + s.seqlen() + " H" + s.nheads() + " P" + s.headdim()
                    + " G" + s.ngroups() + " N" + s.dstate() + " Q" + q;
            long xs = (long) s.batch() * s.seqlen() * s.nheads() * s.headdim();
            long dts = (long) s.batch() * s.seqlen() * s.nheads();
            long bcs = (long) s.batch() * s.seqlen() * s.ngroups() * s.dstate();
            SplittableRandom r = new SplittableRandom(42);
            try (DeviceBuffer x = device.upload(uniform(r, xs, -1, 1));
                 DeviceBuffer dt = device.upload(logUniform(r, dts, 1e-3, 1e-1));
                 DeviceBuffer a = device.upload(uniform(r, s.nheads(), -16, -1));
                 DeviceBuffer b = device.upload(uniform(r, bcs, -1, 1));
                 DeviceBuffer cm = device.upload(uniform(r, bcs, -1, 1));
                 DeviceBuffer d = device.upload(uniform(r, s.nheads(), 0.5, 1.5));
                 DeviceBuffer dy = device.upload(uniform(r, xs, -1, 1));
                 DeviceBuffer y = device.allocate(xs);
                 DeviceBuffer states = device.allocate(SsdKernels.chunkStatesSize(s, q));
                 DeviceBuffer dx = device.allocate(xs);
                 DeviceBuffer ddt = device.allocate(dts);
                 DeviceBuffer dA = device.allocate(s.nheads());
                 DeviceBuffer dB = device.allocate(bcs);
                 DeviceBuffer dC = device.allocate(bcs);
                 DeviceBuffer dD = device.allocate(s.nheads());
                 DeviceBuffer ws = device.allocate(SsdKernels.backwardWorkspaceSize(s, q))) {
                double fwd = timer.medianMs(() -> k.forward(s, q, y.at(0), null, states.at(0), x.at(0), dt.at(0),
                        a.at(0), b.at(0), cm.at(0), d.at(0), null, ws.at(0)));
                rows.add(new BenchRow("ssd_forward", shape, fwd, forwardFlops(s, q),
                        4.0 * (2 * xs + dts + 2 * bcs + SsdKernels.chunkStatesSize(s, q)), GpuInfo.Precision.FP32));
                double bwd = timer.medianMs(() -> k.backward(s, q, dx.at(0), ddt.at(0), dA.at(0), dB.at(0), dC.at(0),
                        dD.at(0), null, dy.at(0), null, x.at(0), dt.at(0), a.at(0), b.at(0), cm.at(0), d.at(0),
                        states.at(0), ws.at(0)));
                rows.add(new BenchRow("ssd_backward", shape, bwd, backwardFlops(s, q),
                        4.0 * (3 * xs + 2 * dts + 4 * bcs + SsdKernels.chunkStatesSize(s, q)), GpuInfo.Precision.FP32));
                // One decoding step of the batch: the states are the first chunk states' window.
                int n = s.batch();
                double stepMs = timer.medianMs(() -> k.step(n, s.nheads(), s.headdim(), s.ngroups(), s.dstate(),
                        y.at(0), states.at(0), x.at(0), dt.at(0), a.at(0), b.at(0), cm.at(0), d.at(0)));
                long stateValues = (long) n * s.nheads() * s.stateSize();
                rows.add(new BenchRow("ssd_step", "n" + n + " H" + s.nheads() + " P" + s.headdim() + " N" + s.dstate(),
                        stepMs, 5.0 * stateValues,
                        4.0 * (2 * stateValues + 2L * n * s.nheads() * s.headdim() + 2L * n * s.ngroups() * s.dstate()),
                        GpuInfo.Precision.FP32));
            }
        }
        return rows;
    }

    /** The forward pass's flops (see the class comment). */
    static double forwardFlops(SsdShape s, int chunk) {
        double f = 0;
        for (int t0 = 0; t0 < s.seqlen(); t0 += chunk) {
            double l = Math.min(chunk, s.seqlen() - t0);
            double causal = l * (l + 1);
            f += s.nheads() * (4 * l * s.headdim() * s.dstate() + s.headdim() * causal)
                    + s.ngroups() * s.dstate() * causal;
        }
        return s.batch() * f;
    }

    /** The backward pass's flops (see the class comment). */
    static double backwardFlops(SsdShape s, int chunk) {
        double f = 0;
        for (int t0 = 0; t0 < s.seqlen(); t0 += chunk) {
            double l = Math.min(chunk, s.seqlen() - t0);
            double causal = l * (l + 1);
            f += s.nheads() * (8 * l * s.headdim() * s.dstate() + 2.0 * (s.headdim() + s.dstate()) * causal)
                    + s.ngroups() * s.dstate() * causal;
        }
        return s.batch() * f;
    }

    private static float[] uniform(SplittableRandom r, long n, double lo, double hi) {
        return Tensor.uniform(r.nextLong(), (float) lo, (float) hi, Math.toIntExact(n)).data();
    }

    private static float[] logUniform(SplittableRandom r, long n, double lo, double hi) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.exp(Math.log(lo) + r.nextDouble() * (Math.log(hi) - Math.log(lo)));
        }
        return v;
    }
}
