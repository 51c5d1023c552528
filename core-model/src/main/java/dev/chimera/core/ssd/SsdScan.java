package dev.chimera.core.ssd;

import dev.chimera.core.backend.SsdScanOp;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;

/**
 * The optimised float32 SSD scan used for training and inference: forward, backward and the
 * batched recurrent step. It runs the recurrence of REFERENCE §2 (h_t = exp(dt_t A) h_{t-1} +
 * dt_t x_t outer B_t, y_t = h_t . C_t + D x_t) with Vector API kernels ({@link SsdScanKernels})
 * that need no lane reductions: the forward pass keeps each state transposed, (dstate, headdim),
 * so that the readout is broadcast-FMA over headdim vectors, and takes two steps per pass over
 * the state; the backward pass works in register tiles ({@link SsdScanBackward}). One
 * (sequence, head) pair per task on the {@link ComputePool}. Every state tensor of this API
 * (h0, hFinal, chunkStates, the step's state) is (headdim, dstate) per pair, as mamba's; the
 * transposes happen inside. The forward pass and the step give the same bits. Tested against
 * {@link SsdChunked} and {@link SsdRecurrence}.
 *
 * <p>Why the recurrence and not the SSD paper's matmul form: per token and head the recurrence
 * does about 3 * headdim * dstate multiply-adds, the matmul form about 2 * headdim * dstate
 * plus chunkSize * (headdim + dstate) / 2 (24K against 41K at mamba's defaults), which repays
 * on GPU matrix units rather than on CPU vector lanes; and one head's state (32 KiB at the
 * defaults) stays in L1 for the whole sequence. (An argument, not a measurement: no
 * side-by-side benchmark has been run.) What is chunked is the memory for training: the forward
 * pass saves the state at the start of every chunk of {@code chunkSize} steps, and the
 * backward pass rebuilds the states inside one chunk at a time from them (gradients:
 * REFERENCE §2 "Gradients of the recurrence"; see {@link SsdScanBackward}).
 *
 * <p>Layouts are {@link SsdShape}'s. Arguments: outputs, then mamba's order (x, dt, A, B, C, D,
 * initial state). As everywhere in Chimera, activation gradients (dx, ddt, dB, dC, dh0) are
 * overwritten and the per-head parameter gradients dA and dD are accumulated ({@code +=}).
 * Results do not depend on the number of threads: every sum across pairs is taken in a fixed order.
 */
public final class SsdScan implements SsdScanOp {
    /** A batched step with fewer state values than this stays on the calling thread. */
    private static final int PARALLEL_MIN_STATE_VALUES = 1 << 15;

    private final ComputePool pool;
    private final int chunkSize;
    private final SsdScanKernels kernels;

    /**
     * A scan whose backward pass rebuilds states {@code chunkSize} steps at a time, on {@code pool},
     * with the Vector API inner loops or (vector false) their scalar reference.
     */
    public SsdScan(ComputePool pool, int chunkSize, boolean vector) {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("SsdScan: chunkSize must be >= 1, got " + chunkSize);
        }
        this.pool = pool;
        this.chunkSize = chunkSize;
        this.kernels = new SsdScanKernels(vector);
    }

    @Override
    public int chunkSize() {
        return chunkSize;
    }

    /** Chunks of a sequence, the last possibly shorter: ceil(seqlen / chunkSize). */
    public int nchunks(int seqlen) {
        return (seqlen + chunkSize - 1) / chunkSize;
    }

    /**
     * Shape of the saved chunk-boundary states: (batch, nheads, nchunks, headdim, dstate). They
     * shrink as chunkSize grows while the backward workspace grows with threads * chunkSize / 16
     * states (see {@link #backwardWorkspaceSize}).
     */
    @Override
    public int[] chunkStatesShape(SsdShape s) {
        return new int[] {s.batch(), s.nheads(), nchunks(s.seqlen()), s.headdim(), s.dstate()};
    }

    /**
     * Floats of workspace that {@link #backward} needs, for this pool's thread count:
     * threads * (2 + ceil(Q / M)) * headdim * dstate + 2 * batch * nheads, with
     * Q = min(chunkSize, seqlen) and M = min(16, Q), plus 2 * batch * nheads * seqlen * dstate
     * when ngroups &lt; nheads (see {@link SsdScanBackward}).
     */
    @Override
    public int backwardWorkspaceSize(SsdShape s) {
        long size = SsdScanBackward.workspaceSize(s, chunkSize, pool.threads());
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("SsdScan: backward workspace of " + size + " floats for " + s
                    + " and " + pool.threads() + " threads exceeds one float[]; use a smaller chunkSize or batch");
        }
        return (int) size;
    }

    /**
     * y (batch, seqlen, nheads, headdim), the final state hFinal (batch, nheads, headdim, dstate;
     * null if not wanted) and, for {@link #backward}, the chunk-boundary states chunkStates
     * ({@link #chunkStatesShape}; null for inference), from the initial state h0 (null: zeros).
     * Allocates one headdim * dstate float state per (sequence, head) pair.
     */
    @Override
    public void forward(Tensor y, Tensor hFinal, Tensor chunkStates, Tensor x, Tensor dt, Tensor A, Tensor B,
                        Tensor C, Tensor D, Tensor h0) {
        String op = "SsdScan.forward";
        SsdShape s = SsdShape.of(op, x, dt, A, B, C, D);
        s.require(op, "y", y, s.xShape());
        requireOptional(op, s, "hFinal", hFinal, s.stateShape());
        requireOptional(op, s, "h0", h0, s.stateShape());
        requireOptional(op, s, "chunkStates", chunkStates, chunkStatesShape(s));
        pool.parallelFor(s.batch() * s.nheads(), pair -> forwardPair(s, pair / s.nheads(), pair % s.nheads(),
                y, hFinal, chunkStates, x, dt, A, B, C, D, h0));
    }

    private void forwardPair(SsdShape s, int b, int hd, Tensor y, Tensor hFinal, Tensor chunkStates, Tensor x,
                             Tensor dt, Tensor A, Tensor B, Tensor C, Tensor D, Tensor h0) {
        int T = s.seqlen();
        int H = s.nheads();
        int P = s.headdim();
        int N = s.dstate();
        int hs = s.stateSize();
        int pair = b * H + hd;
        int g = s.group(hd);
        float a = A.data()[A.offset() + hd];
        float Dh = D.data()[D.offset() + hd];
        // This pair's running state in column layout (dstate, headdim), transposed from and to the
        // row layout (headdim, dstate) of h0, hFinal and chunkStates at the boundaries.
        float[] h = new float[hs];
        if (h0 != null) {
            SsdScanKernels.transpose(h, 0, h0.data(), h0.offset() + pair * hs, P, N);
        }
        int nchunks = nchunks(T);
        float[] xa = x.data();
        float[] ya = y.data();
        float[] Ba = B.data();
        float[] Ca = C.data();
        float[] dta = dt.data();
        for (int t = 0; t < T; ) {
            if (chunkStates != null && t % chunkSize == 0) {
                SsdScanKernels.transpose(chunkStates.data(), chunkStates.offset() + (pair * nchunks + t / chunkSize) * hs,
                        h, 0, N, P);
            }
            int xo = ((b * T + t) * H + hd) * P;
            int bo = ((b * T + t) * s.ngroups() + g) * N;
            float step = dta[dt.offset() + (b * T + t) * H + hd];
            // Two steps at a time (same bits as one by one) unless a chunk state is due between them.
            if (t + 1 < T && (chunkStates == null || (t + 1) % chunkSize != 0)) {
                int xo2 = xo + H * P;
                int bo2 = bo + s.ngroups() * N;
                float step2 = dta[dt.offset() + (b * T + t + 1) * H + hd];
                kernels.forwardSteps2(h, 0, ya, y.offset() + xo, y.offset() + xo2, xa, x.offset() + xo,
                        x.offset() + xo2, Ba, B.offset() + bo, B.offset() + bo2, Ca, C.offset() + bo, C.offset() + bo2,
                        step, SsdScanKernels.decay(step, a), step2, SsdScanKernels.decay(step2, a), Dh, P, N);
                t += 2;
            } else {
                kernels.forwardStep(h, 0, ya, y.offset() + xo, xa, x.offset() + xo, Ba, B.offset() + bo,
                        Ca, C.offset() + bo, step, SsdScanKernels.decay(step, a), Dh, P, N);
                t++;
            }
        }
        if (hFinal != null) {
            SsdScanKernels.transpose(hFinal.data(), hFinal.offset() + pair * hs, h, 0, N, P);
        }
    }

    /**
     * Gradients from dy (batch, seqlen, nheads, headdim) and dhFinal = dL/d(final state) (null:
     * the final state does not reach the loss), given the forward inputs and the chunkStates that
     * {@link #forward} saved. Overwrites dx, ddt, dB, dC and dh0 (null if not wanted); adds into
     * dA and dD (nheads). workspace: a rank-1 tensor of at least {@link #backwardWorkspaceSize} floats.
     */
    @Override
    public void backward(Tensor dx, Tensor ddt, Tensor dA, Tensor dB, Tensor dC, Tensor dD, Tensor dh0, Tensor dy,
                         Tensor dhFinal, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C, Tensor D,
                         Tensor chunkStates, Tensor workspace) {
        String op = "SsdScan.backward";
        SsdShape s = SsdShape.of(op, x, dt, A, B, C, D);
        s.require(op, "dx", dx, s.xShape());
        s.require(op, "ddt", ddt, s.dtShape());
        s.require(op, "dA", dA, s.nheads());
        s.require(op, "dB", dB, s.bcShape());
        s.require(op, "dC", dC, s.bcShape());
        s.require(op, "dD", dD, s.nheads());
        s.require(op, "dy", dy, s.xShape());
        s.require(op, "chunkStates", chunkStates, chunkStatesShape(s));
        requireOptional(op, s, "dh0", dh0, s.stateShape());
        requireOptional(op, s, "dhFinal", dhFinal, s.stateShape());
        int need = backwardWorkspaceSize(s);
        if (workspace.rank() != 1 || workspace.size() < need) {
            throw new IllegalArgumentException(op + ": workspace must be rank 1 with at least " + need + " floats for "
                    + s + " and " + pool.threads() + " threads, got " + workspace.shapeString());
        }
        int workers = Math.min(pool.threads(), s.batch() * s.nheads());
        new SsdScanBackward(s, kernels, chunkSize, pool.threads(), dx, ddt, dB, dC, dh0, dy, dhFinal, x, dt, A, B, C, D,
                chunkStates, workspace).run(pool, workers, dA, dD);
    }

    /**
     * One recurrent step for n = x.dim(0) independent sequences: y (n, nheads, headdim) from x
     * (n, nheads, headdim), dt (n, nheads), A and D (nheads), B and C (n, ngroups, dstate),
     * updating states[i] (nheads, headdim, dstate) in place. Allocates nothing: the (sequence,
     * head) pairs run on the calling thread unless there are enough of them to repay the pool.
     */
    @Override
    public void step(Tensor y, Tensor[] states, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C, Tensor D) {
        // Sizes read straight from the operands (no SsdShape, no shape arrays): the decoding step allocates nothing.
        if (x.rank() != 3 || B.rank() != 3 || B.dim(0) != x.dim(0) || x.dim(1) % B.dim(1) != 0) {
            throw new IllegalArgumentException("SsdScan.step: x must be (n, nheads, headdim) and B (n, ngroups, dstate)"
                    + " with nheads divisible by ngroups, got x " + x.shapeString() + ", B " + B.shapeString());
        }
        int n = x.dim(0);
        int nheads = x.dim(1);
        int headdim = x.dim(2);
        int dstate = B.dim(2);
        if (n > states.length) {
            throw new IllegalArgumentException("SsdScan.step: " + n + " rows of x but " + states.length + " states");
        }
        SsdShape.requireDims("SsdScan.step", "y", y, n, nheads, headdim);
        SsdShape.requireDims("SsdScan.step", "C", C, n, B.dim(1), dstate);
        SsdShape.requireDims("SsdScan.step", "dt", dt, n, nheads);
        SsdShape.requireDims("SsdScan.step", "A", A, nheads);
        SsdShape.requireDims("SsdScan.step", "D", D, nheads);
        for (int i = 0; i < n; i++) {
            SsdShape.requireDims("SsdScan.step", "state", states[i], nheads, headdim, dstate);
        }
        int pairs = n * nheads;
        if (pool.threads() == 1 || (long) pairs * headdim * dstate < PARALLEL_MIN_STATE_VALUES) {
            for (int pair = 0; pair < pairs; pair++) {
                stepPair(pair, y, states, x, dt, A, B, C, D);
            }
        } else {
            pool.parallelFor(pairs, pair -> stepPair(pair, y, states, x, dt, A, B, C, D));
        }
    }

    private void stepPair(int pair, Tensor y, Tensor[] states, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C,
                          Tensor D) {
        int nheads = x.dim(1);
        int headdim = x.dim(2);
        int ngroups = B.dim(1);
        int dstate = B.dim(2);
        int b = pair / nheads;
        int hd = pair % nheads;
        int xo = pair * headdim;
        int bo = (b * ngroups + hd / (nheads / ngroups)) * dstate;
        float step = dt.data()[dt.offset() + pair];
        Tensor state = states[b];
        kernels.rowStep(state.data(), state.offset() + hd * headdim * dstate, y.data(), y.offset() + xo,
                x.data(), x.offset() + xo, B.data(), B.offset() + bo, C.data(), C.offset() + bo, step,
                SsdScanKernels.decay(step, A.data()[A.offset() + hd]), D.data()[D.offset() + hd], headdim, dstate);
    }

    private static void requireOptional(String op, SsdShape s, String name, Tensor t, int[] shape) {
        if (t != null) {
            s.require(op, name, t, shape);
        }
    }
}
