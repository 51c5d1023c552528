package dev.chimera.cuda.bench;

import dev.chimera.core.tensor.Tensor;
import dev.chimera.cuda.CudaDevice;
import dev.chimera.cuda.DeviceBuffer;
import dev.chimera.cuda.GpuInfo;
import dev.chimera.cuda.kernels.AttentionKernels;
import dev.chimera.cuda.kernels.AttentionKernels.CachePool;
import dev.chimera.cuda.kernels.AttentionKernels.Heads;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code attention.cu} on the model's shapes: the forward and backward of B=4, T=2048, 16 heads of 64 (full
 * span and a 512 window), the decoding step of 32 sequences over caches of 2,048 positions, and RoPE. Flops
 * count the unmasked score pairs only: 4 D per pair forward (q.k and p.v), 10 D backward (q.k, dout.v, dv,
 * dk, dq); bytes are each operand read and each result written once.
 */
public final class AttentionBench implements KernelBench {
    private static final int B = 4;
    private static final int T = 2048;
    private static final int HEADS = 16;
    private static final int HEAD_DIM = 64;
    private static final int DECODE_BATCH = 32;
    private static final int DECODE_CACHE = 2048;

    @Override
    public String family() {
        return "attention";
    }

    @Override
    public List<BenchRow> run(CudaDevice device, KernelTimer timer) {
        AttentionKernels k = new AttentionKernels(device);
        List<BenchRow> rows = new ArrayList<>();
        for (int window : new int[] {0, 512}) {
            trainingRows(device, timer, k, new Heads(HEADS, HEADS, HEAD_DIM, window), rows);
        }
        decodeRow(device, timer, k, new Heads(HEADS, HEADS, HEAD_DIM, DECODE_CACHE), rows);
        ropeRow(device, timer, k, rows);
        return rows;
    }

    /** Score pairs a query row sees, summed over T rows: T(T+1)/2 for the full span. */
    public static double visiblePairs(int T, int window) {
        double pairs = 0;
        for (int t = 0; t < T; t++) {
            pairs += window == 0 ? t + 1 : Math.min(t + 1, window);
        }
        return pairs;
    }

    /** "B4 T2048 H16 KV16 D64 full" or "... window512". */
    public static String shape(int batch, int T, Heads a) {
        return "B" + batch + " T" + T + " H" + a.nHeads() + " KV" + a.nKvHeads() + " D" + a.headDim() + " "
                + (a.window() == 0 ? "full" : "window" + a.window());
    }

    private static void trainingRows(CudaDevice device, KernelTimer timer, AttentionKernels k, Heads a,
                                     List<BenchRow> rows) {
        int qSize = B * T * a.nHeads() * a.headDim();
        int kvSize = B * T * a.nKvHeads() * a.headDim();
        int statSize = B * a.nHeads() * T;
        try (DeviceBuffer q = device.upload(Tensor.uniform(1, -1f, 1f, qSize).data());
             DeviceBuffer kk = device.upload(Tensor.uniform(2, -1f, 1f, kvSize).data());
             DeviceBuffer v = device.upload(Tensor.uniform(3, -1f, 1f, kvSize).data());
             DeviceBuffer dout = device.upload(Tensor.uniform(4, -1f, 1f, qSize).data());
             DeviceBuffer o = device.allocate(qSize);
             DeviceBuffer lse = device.allocate(statSize);
             DeviceBuffer delta = device.allocate(statSize);
             DeviceBuffer dq = device.allocate(qSize);
             DeviceBuffer dk = device.allocate(kvSize);
             DeviceBuffer dv = device.allocate(kvSize)) {
            double pairs = B * a.nHeads() * visiblePairs(T, a.window());
            double qBytes = 4.0 * qSize;
            double kvBytes = 4.0 * kvSize;
            double statBytes = 4.0 * statSize;
            String shape = shape(B, T, a);
            double fwd = timer.medianMs(() -> k.forward(a, o.at(0), lse.at(0), q.at(0), kk.at(0), v.at(0), B, T));
            rows.add(new BenchRow("attention_forward", shape, fwd, 4 * pairs * a.headDim(),
                    2 * qBytes + 2 * kvBytes + statBytes, GpuInfo.Precision.FP32));
            double bwd = timer.medianMs(() -> k.backward(a, dq.at(0), dk.at(0), dv.at(0), delta.at(0), dout.at(0),
                    q.at(0), kk.at(0), v.at(0), o.at(0), lse.at(0), B, T));
            // Read q, k, v, o, dout, lse; write dq, dk, dv and delta.
            rows.add(new BenchRow("attention_backward", shape, bwd, 10 * pairs * a.headDim(),
                    4 * qBytes + 4 * kvBytes + 2 * statBytes, GpuInfo.Precision.FP32));
        }
    }

    /** The step of 32 sequences over full rings of 2,048 slots: the cache stays full however often it runs. */
    private static void decodeRow(CudaDevice device, KernelTimer timer, AttentionKernels k, Heads a,
                                  List<BenchRow> rows) {
        int n = DECODE_BATCH;
        int qSize = n * a.nHeads() * a.headDim();
        int kvSize = n * a.nKvHeads() * a.headDim();
        try (CachePool caches = new CachePool(device, a, n, DECODE_CACHE);
             DeviceBuffer q = device.upload(Tensor.uniform(5, -1f, 1f, qSize).data());
             DeviceBuffer kk = device.upload(Tensor.uniform(6, -1f, 1f, kvSize).data());
             DeviceBuffer v = device.upload(Tensor.uniform(7, -1f, 1f, kvSize).data());
             DeviceBuffer out = device.allocate(qSize)) {
            int cacheSize = (int) caches.keys().capacity();
            caches.keys().upload(Tensor.uniform(8, -1f, 1f, cacheSize).data(), cacheSize, 0);
            caches.values().upload(Tensor.uniform(9, -1f, 1f, cacheSize).data(), cacheSize, 0);
            for (int i = 0; i < n; i++) {
                caches.setLength(i, DECODE_CACHE + i);
            }
            double ms = timer.medianMs(() -> k.step(a, out.at(0), q.at(0), kk.at(0), v.at(0), caches, n));
            double pairs = (double) n * a.nHeads() * DECODE_CACHE;
            rows.add(new BenchRow("attention_decode_step", "B" + n + " H" + a.nHeads() + " KV" + a.nKvHeads() + " D"
                    + a.headDim() + " cache" + DECODE_CACHE, ms, 4 * pairs * a.headDim(),
                    4.0 * cacheSize * 2 + 4.0 * (2 * qSize + 2 * kvSize), GpuInfo.Precision.FP32));
        }
    }

    private static void ropeRow(CudaDevice device, KernelTimer timer, AttentionKernels k, List<BenchRow> rows) {
        int size = B * T * HEADS * HEAD_DIM;
        try (AttentionKernels.Rotary r = k.rotary(HEAD_DIM, 10_000);
             DeviceBuffer x = device.upload(Tensor.uniform(10, -1f, 1f, size).data())) {
            double ms = timer.medianMs(() -> k.ropeForward(r, x.at(0), B, T, HEADS, 0));
            rows.add(new BenchRow("attention_rope", "B" + B + " T" + T + " H" + HEADS + " D" + HEAD_DIM, ms,
                    6.0 * size / 2, 8.0 * size, GpuInfo.Precision.FP32));
        }
    }
}
