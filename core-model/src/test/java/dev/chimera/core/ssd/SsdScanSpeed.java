package dev.chimera.core.ssd;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.Simd;
import dev.chimera.core.tensor.Tensor;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Times {@link SsdScan} forward (with chunk states saved, as in training), backward and the
 * batched inference step at the {@code small} model's scan shape: batch 4, seqlen 2048, nheads
 * 8, headdim 64, dstate 64, ngroups 1, chunkSize 256. Not a test; run as
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 \
 *     -cp core-model/target/classes:core-model/target/test-classes dev.chimera.core.ssd.SsdScanSpeed [threads] [runs]
 * </pre>
 *
 * <p>Flop counts (nominal, per token and head, whatever the kernel really does): forward
 * 4 * headdim * dstate (state update and readout, two multiply-adds per state value), backward
 * 8 * headdim * dstate (four multiply-adds per state value), step as forward. Reports the best
 * of {@code runs} timed runs after warm-up; the machine is shared, so best-of is the figure.
 */
public final class SsdScanSpeed {
    private SsdScanSpeed() {
    }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        SsdShape s = new SsdShape(4, 2048, 8, 64, 1, 64);
        int chunk = 256;
        SsdTestData in = new SsdTestData(2024, s, true, 1.0);
        SplittableRandom r = new SplittableRandom(7);
        Tensor dy = SsdTestData.uniform(r, -1, 1, s.xShape());
        Tensor dhFinal = SsdTestData.uniform(r, -1, 1, s.stateShape());
        try (ComputePool pool = new ComputePool(threads)) {
            SsdScan scan = new SsdScan(pool, chunk, Simd.vectorEnabled());
            Tensor y = Tensor.zeros(s.xShape());
            Tensor hFinal = Tensor.zeros(s.stateShape());
            Tensor chunkStates = Tensor.zeros(scan.chunkStatesShape(s));
            Tensor dx = Tensor.zeros(s.xShape());
            Tensor ddt = Tensor.zeros(s.dtShape());
            Tensor dA = Tensor.zeros(s.nheads());
            Tensor dB = Tensor.zeros(s.bcShape());
            Tensor dC = Tensor.zeros(s.bcShape());
            Tensor dD = Tensor.zeros(s.nheads());
            Tensor dh0 = Tensor.zeros(s.stateShape());
            Tensor workspace = Tensor.zeros(scan.backwardWorkspaceSize(s));

            double tokens = (double) s.batch() * s.seqlen();
            double perToken = (double) s.nheads() * s.headdim() * s.dstate();
            double fwdFlops = 4 * perToken * tokens;
            double bwdFlops = 8 * perToken * tokens;

            // Step: 32 sequences of the same heads, one token each, many times.
            SsdShape st = new SsdShape(32, 1, s.nheads(), s.headdim(), s.ngroups(), s.dstate());
            SsdTestData sin = new SsdTestData(99, st, true, 1.0);
            int[] rowShape = {st.batch(), st.nheads(), st.headdim()};
            int[] bcShape = {st.batch(), st.ngroups(), st.dstate()};
            Tensor sx = sin.x.view(rowShape);
            Tensor sdt = sin.dt.view(st.batch(), st.nheads());
            Tensor sB = sin.B.view(bcShape);
            Tensor sC = sin.C.view(bcShape);
            Tensor sy = Tensor.zeros(rowShape);
            Tensor[] state = SsdTestData.perSequence(sin.h0.copy());
            int stepReps = 200;
            double stepFlops = 4.0 * st.batch() * st.nheads() * st.headdim() * st.dstate() * stepReps;

            double bestF = Double.MAX_VALUE;
            double bestB = Double.MAX_VALUE;
            double bestS = Double.MAX_VALUE;
            int warm = 3;
            for (int i = 0; i < warm + runs; i++) {
                long t0 = System.nanoTime();
                scan.forward(y, hFinal, chunkStates, in.x, in.dt, in.A, in.B, in.C, in.D, in.h0);
                long t1 = System.nanoTime();
                scan.backward(dx, ddt, dA, dB, dC, dD, dh0, dy, dhFinal, in.x, in.dt, in.A, in.B, in.C, in.D,
                        chunkStates, workspace);
                long t2 = System.nanoTime();
                for (int k = 0; k < stepReps; k++) {
                    scan.step(sy, state, sx, sdt, sin.A, sB, sC, sin.D);
                }
                long t3 = System.nanoTime();
                double f = (t1 - t0) * 1e-9;
                double b = (t2 - t1) * 1e-9;
                double st3 = (t3 - t2) * 1e-9;
                System.out.printf(Locale.ROOT, "%s %2d: forward %7.2f ms %6.1f GFLOP/s | backward %7.2f ms %6.1f GFLOP/s"
                                + " | step %6.2f us/call %6.1f GFLOP/s%n", i < warm ? "warm" : "run ", i, f * 1e3,
                        fwdFlops / f * 1e-9, b * 1e3, bwdFlops / b * 1e-9, st3 / stepReps * 1e6, stepFlops / st3 * 1e-9);
                if (i >= warm) {
                    bestF = Math.min(bestF, f);
                    bestB = Math.min(bestB, b);
                    bestS = Math.min(bestS, st3);
                }
            }
            System.out.printf(Locale.ROOT, "%s, chunk %d, %d threads, best of %d:%n", s, chunk, threads, runs);
            System.out.printf(Locale.ROOT, "  forward  %7.2f ms  %6.1f GFLOP/s  (4*H*P*N per token)%n", bestF * 1e3,
                    fwdFlops / bestF * 1e-9);
            System.out.printf(Locale.ROOT, "  backward %7.2f ms  %6.1f GFLOP/s  (8*H*P*N per token)%n", bestB * 1e3,
                    bwdFlops / bestB * 1e-9);
            System.out.printf(Locale.ROOT, "  step     %7.2f us  %6.1f GFLOP/s  (batch %d, 4*H*P*N per sequence)%n",
                    bestS / stepReps * 1e6, stepFlops / bestS * 1e-9, st.batch());
            double sum = 0;
            for (Tensor t : new Tensor[] {y, hFinal, dx, ddt, dB, dC, dh0, sy}) {
                for (float v : t.toArray()) {
                    sum += v;
                }
            }
            System.out.printf(Locale.ROOT, "  checksum %.6e  dA[0] %.6e%n", sum, dA.at(0));
        }
    }
}
