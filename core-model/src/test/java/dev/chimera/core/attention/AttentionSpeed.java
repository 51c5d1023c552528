package dev.chimera.core.attention;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Simd;
import dev.chimera.core.tensor.Tensor;

/**
 * Times {@link CausalAttention#forward} and {@link CausalAttention#backward} at one shape and
 * prints the best of several runs after a warm-up. Not a JUnit test: run it as a main class,
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 \
 *     -cp core-model/target/classes:core-model/target/test-classes \
 *     dev.chimera.core.attention.AttentionSpeed [threads=2] [batch=4] [T=2048] [heads=4] [kvHeads=2] \
 *     [headDim=64] [windows=0,256] [reps=7] [warmup=3] [schedule=auto|one|two]
 * </pre>
 *
 * <p>FLOP count: an attended (query, key) pair is one that the mask lets through (s <= t, and
 * s > t - W for a window W), counted per (batch, query head). The forward pass is two
 * headDim-long products per pair (q.k and p*v), 2 FLOPs per multiply-add: 4*headDim FLOPs per
 * pair. The backward is counted as FlashAttention-2 counts it, 2.5x the forward (five products
 * instead of two): 10*headDim FLOPs per pair, although this implementation recomputes q.k and
 * do.v in both of its passes. Exponentials, the rescaling and D = rowsum(do*o) are not counted.
 */
public final class AttentionSpeed {
    private AttentionSpeed() {
    }

    /** schedule: auto (the public method's choice), one or two (force a backward schedule). */
    private static void backward(CausalAttention attn, String schedule, Tensor dq, Tensor dk, Tensor dv, Tensor delta,
                                 Tensor dout, Tensor q, Tensor k, Tensor v, Tensor o, Tensor lse) {
        switch (schedule) {
            case "auto" -> attn.backward(dq, dk, dv, delta, dout, q, k, v, o, lse);
            case "one" -> attn.backward(dq, dk, dv, delta, dout, q, k, v, o, lse, true);
            case "two" -> attn.backward(dq, dk, dv, delta, dout, q, k, v, o, lse, false);
            default -> throw new IllegalArgumentException("schedule must be auto, one or two, got " + schedule);
        }
    }

    public static void main(String[] args) {
        int threads = 2;
        int batch = 4;
        int T = 2048;
        int nHeads = 4;
        int nKvHeads = 2;
        int headDim = 64;
        int[] windows = {0, 256};
        int reps = 7;
        int warmup = 3;
        String schedule = "auto";
        for (String a : args) {
            String[] kv = a.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected key=value, got " + a);
            }
            switch (kv[0]) {
                case "threads" -> threads = Integer.parseInt(kv[1]);
                case "batch" -> batch = Integer.parseInt(kv[1]);
                case "T" -> T = Integer.parseInt(kv[1]);
                case "heads" -> nHeads = Integer.parseInt(kv[1]);
                case "kvHeads" -> nKvHeads = Integer.parseInt(kv[1]);
                case "headDim" -> headDim = Integer.parseInt(kv[1]);
                case "windows" -> {
                    String[] w = kv[1].split(",");
                    windows = new int[w.length];
                    for (int i = 0; i < w.length; i++) {
                        windows[i] = Integer.parseInt(w[i]);
                    }
                }
                case "reps" -> reps = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "schedule" -> schedule = kv[1];
                default -> throw new IllegalArgumentException("unknown option " + kv[0]);
            }
        }
        System.out.printf("attention speed: threads %d, batch %d, T %d, heads %d, kvHeads %d, headDim %d, "
                        + "kernels %s, backward schedule %s, best of %d after %d warm-up%n",
                threads, batch, T, nHeads, nKvHeads, headDim,
                System.getProperty("chimera.kernels", "vector"), schedule, reps, warmup);
        System.out.println("FLOPs: forward 4*headDim, backward 10*headDim (2.5x) per attended (query, key) pair");
        Tensor q = Tensor.uniform(1, -1, 1, batch, T, nHeads, headDim);
        Tensor k = Tensor.uniform(2, -1, 1, batch, T, nKvHeads, headDim);
        Tensor v = Tensor.uniform(3, -1, 1, batch, T, nKvHeads, headDim);
        Tensor dout = Tensor.uniform(4, -1, 1, batch, T, nHeads, headDim);
        Tensor o = Tensor.zeros(batch, T, nHeads, headDim);
        Tensor lse = Tensor.zeros(batch, nHeads, T);
        Tensor dq = Tensor.zeros(batch, T, nHeads, headDim);
        Tensor dk = Tensor.zeros(batch, T, nKvHeads, headDim);
        Tensor dv = Tensor.zeros(batch, T, nKvHeads, headDim);
        Tensor delta = Tensor.zeros(batch, nHeads, T);
        try (ComputePool pool = new ComputePool(threads)) {
            for (int window : windows) {
                CausalAttention attn = CausalAttentionTest.attention(nHeads, nKvHeads, headDim, window, pool,
                        Simd.vectorEnabled());
                long pairs = 0;
                for (int t = 0; t < T; t++) {
                    pairs += window == 0 ? t + 1 : Math.min(t + 1, window);
                }
                pairs *= (long) batch * nHeads;
                double fwdFlops = 4.0 * headDim * pairs;
                double bwdFlops = 2.5 * fwdFlops;
                for (int i = 0; i < warmup; i++) {
                    attn.forward(o, lse, q, k, v);
                    backward(attn, schedule, dq, dk, dv, delta, dout, q, k, v, o, lse);
                }
                long bestF = Long.MAX_VALUE;
                long bestB = Long.MAX_VALUE;
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    attn.forward(o, lse, q, k, v);
                    long t1 = System.nanoTime();
                    backward(attn, schedule, dq, dk, dv, delta, dout, q, k, v, o, lse);
                    long t2 = System.nanoTime();
                    bestF = Math.min(bestF, t1 - t0);
                    bestB = Math.min(bestB, t2 - t1);
                }
                // A hash of every output bit: equal hashes across thread counts, JIT modes (-Xint,
                // -XX:TieredStopAtLevel=1) and -Dchimera.kernels=scalar show bit-identical results.
                long hash = 1;
                for (Tensor x : new Tensor[] {o, lse, dq, dk, dv, delta}) {
                    for (float f : x.data()) {
                        hash = 31 * hash + Float.floatToRawIntBits(f);
                    }
                }
                System.out.printf(
                        "%-10s forward %8.2f ms %7.2f GFLOP/s | backward %8.2f ms %7.2f GFLOP/s | bits %016x%n",
                        window == 0 ? "full" : "window " + window,
                        bestF / 1e6, fwdFlops / bestF, bestB / 1e6, bwdFlops / bestB, hash);
            }
        }
    }
}
