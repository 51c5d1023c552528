package dev.chimera.cuda.bench;

import static dev.chimera.cuda.bench.Operands.random;

import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo.Precision;
import dev.chimera.cuda.kernels.ConvKernels;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code conv.cu} on a Mamba2 layer's xBC: batch 8 x 2,048 positions x 1,792 channels (d_inner 1,536 plus
 * B and C of d_state 128), width 4; forward and backward, plain and with the SiLU fused, and one decoding
 * step of 256 sequences. All memory-bound: bytes are every (batch, T, C) tensor read or written once,
 * flops 2 K per output of each convolution (dx and dweight in the backward) plus 4 per SiLU.
 * Operands are seeded random numbers.
 */
public final class ConvBench implements KernelBench {
    private static final int BATCH = 8;
    private static final int SEQLEN = 2048;
    private static final int CHANNELS = 1536 + 2 * 128;
    private static final int WIDTH = 4;
    private static final int SEQUENCES = 256;

    @Override
    public String family() {
        return "conv";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        ConvKernels k = new ConvKernels(device);
        List<BenchRow> out = new ArrayList<>();
        long n = (long) BATCH * SEQLEN * CHANNELS;
        long params = (long) CHANNELS * (WIDTH + 1);
        String shape = BATCH + "x" + SEQLEN + "x" + CHANNELS + " K=" + WIDTH;
        try (DeviceBuffer x = random(device, n, 1, -2f, 2f);
             DeviceBuffer w = random(device, CHANNELS * WIDTH, 2, -0.5f, 0.5f);
             DeviceBuffer b = random(device, CHANNELS, 3, -0.5f, 0.5f); DeviceBuffer y = device.allocate(n);
             DeviceBuffer pre = device.allocate(n); DeviceBuffer dy = random(device, n, 4, -1f, 1f);
             DeviceBuffer dx = device.allocate(n); DeviceBuffer dw = device.allocate(CHANNELS * WIDTH);
             DeviceBuffer db = device.allocate(CHANNELS);
             DeviceBuffer work = device.allocate(ConvKernels.backwardWorkspace(CHANNELS, WIDTH))) {
            double ms = timer.medianMs(() -> k.forward(y.at(0), x.at(0), w.at(0), b.at(0), BATCH, SEQLEN, CHANNELS,
                    WIDTH));
            out.add(new BenchRow("conv_forward", shape, ms, 2.0 * WIDTH * n, 4.0 * (2 * n + params), Precision.FP32));
            ms = timer.medianMs(() -> k.forwardSilu(y.at(0), pre.at(0), x.at(0), w.at(0), b.at(0), BATCH, SEQLEN,
                    CHANNELS, WIDTH));
            out.add(new BenchRow("conv_forward_silu", shape, ms, (2.0 * WIDTH + 4) * n, 4.0 * (3 * n + params),
                    Precision.FP32));
            ms = timer.medianMs(() -> k.backward(dx.at(0), dw.at(0), db.at(0), dy.at(0), x.at(0), w.at(0), work.at(0),
                    BATCH, SEQLEN, CHANNELS, WIDTH));
            out.add(new BenchRow("conv_backward", shape, ms, (4.0 * WIDTH + 1) * n, 4.0 * (3 * n + 3 * params),
                    Precision.FP32));
            ms = timer.medianMs(() -> k.backwardSilu(dx.at(0), dw.at(0), db.at(0), dy.at(0), pre.at(0), x.at(0),
                    w.at(0), work.at(0), BATCH, SEQLEN, CHANNELS, WIDTH));
            out.add(new BenchRow("conv_backward_silu", shape, ms, (4.0 * WIDTH + 5) * n, 4.0 * (4 * n + 3 * params),
                    Precision.FP32));
        }
        long state = (long) SEQUENCES * CHANNELS * WIDTH;
        long tokens = (long) SEQUENCES * CHANNELS;
        try (DeviceBuffer x = random(device, tokens, 5, -2f, 2f);
             DeviceBuffer w = random(device, CHANNELS * WIDTH, 2, -0.5f, 0.5f);
             DeviceBuffer b = random(device, CHANNELS, 3, -0.5f, 0.5f); DeviceBuffer y = device.allocate(tokens);
             DeviceBuffer states = random(device, state, 6, -2f, 2f)) {
            double ms = timer.medianMs(() -> k.step(y.at(0), states.at(0), x.at(0), w.at(0), b.at(0), SEQUENCES,
                    CHANNELS, WIDTH));
            out.add(new BenchRow("conv_step", SEQUENCES + "x" + CHANNELS + " K=" + WIDTH, ms, 2.0 * WIDTH * tokens,
                    4.0 * (2 * state + 2 * tokens + params), Precision.FP32));
        }
        return out;
    }
}
