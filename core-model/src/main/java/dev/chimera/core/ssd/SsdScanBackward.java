package dev.chimera.core.ssd;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.tensor.Tensor;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call of {@link SsdScan#backward}: the reverse sweep of every (sequence, head) pair, then
 * the sums across pairs. Follows REFERENCE §2 "Gradients of the recurrence", with the states
 * h_t rebuilt chunk by chunk from the chunk-boundary states that the forward pass saved.
 *
 * <p>The workspace (floats, in this order; Q = min(chunkSize, seqlen), slots = the pool's threads):
 * <pre>
 *   recomputed states  (slots, Q, headdim, dstate)     h_t for the chunk being swept
 *   carry              (slots, headdim, dstate)        dL/dh_t flowing back in time
 *   dA, dD per pair    (2, batch, nheads)              summed over batch in a fixed order
 *   dB, dC per head    (2, batch, nheads, seqlen, dstate)   only when ngroups &lt; nheads
 * </pre>
 * All heads of one group contribute to dB and dC of that group; each pair writes its own
 * part and the parts are added head by head afterwards, so the result does not depend on
 * which thread ran which pair.
 */
final class SsdScanBackward {
    private final SsdShape s;
    private final SsdScanKernels k;
    /** Steps per chunk; min(chunkSize, seqlen), as a sequence shorter than chunkSize is one chunk. */
    private final int Q;
    private final int nchunks;
    private final Tensor dx;
    private final Tensor ddt;
    private final Tensor dB;
    private final Tensor dC;
    private final Tensor dh0;
    private final Tensor dy;
    private final Tensor dhFinal;
    private final Tensor x;
    private final Tensor dt;
    private final Tensor A;
    private final Tensor B;
    private final Tensor C;
    private final Tensor D;
    private final Tensor chunkStates;
    private final float[] ws;
    private final int recomputeOff;
    private final int carryOff;
    private final int pairSumOff;
    private final int perHeadOff;
    private final boolean perHead;

    /** Floats of workspace for a call with these sizes and this many worker slots. */
    static long workspaceSize(SsdShape s, int chunkSize, int slots) {
        long q = Math.min(chunkSize, s.seqlen());
        long size = slots * (q + 1) * s.stateSize() + 2L * s.batch() * s.nheads();
        if (s.headsPerGroup() > 1) {
            size += 2L * s.batch() * s.nheads() * s.seqlen() * s.dstate();
        }
        return size;
    }

    SsdScanBackward(SsdShape s, SsdScanKernels k, int chunkSize, int slots, Tensor dx, Tensor ddt, Tensor dB,
                    Tensor dC, Tensor dh0, Tensor dy, Tensor dhFinal, Tensor x, Tensor dt, Tensor A, Tensor B,
                    Tensor C, Tensor D, Tensor chunkStates, Tensor workspace) {
        this.s = s;
        this.k = k;
        this.Q = Math.min(chunkSize, s.seqlen());
        this.nchunks = (s.seqlen() + chunkSize - 1) / chunkSize;
        this.dx = dx;
        this.ddt = ddt;
        this.dB = dB;
        this.dC = dC;
        this.dh0 = dh0;
        this.dy = dy;
        this.dhFinal = dhFinal;
        this.x = x;
        this.dt = dt;
        this.A = A;
        this.B = B;
        this.C = C;
        this.D = D;
        this.chunkStates = chunkStates;
        this.ws = workspace.data();
        this.recomputeOff = workspace.offset();
        this.carryOff = recomputeOff + slots * Q * s.stateSize();
        this.pairSumOff = carryOff + slots * s.stateSize();
        this.perHeadOff = pairSumOff + 2 * s.batch() * s.nheads();
        this.perHead = s.headsPerGroup() > 1;
    }

    /** Sweeps every pair on {@code workers} (at most slots) tasks, task w owning workspace slot w; then adds the per-pair parts. */
    void run(ComputePool pool, int workers, Tensor dA, Tensor dD) {
        int pairs = s.batch() * s.nheads();
        AtomicInteger next = new AtomicInteger();
        pool.parallelFor(workers, w -> {
            for (int i = next.getAndIncrement(); i < pairs; i = next.getAndIncrement()) {
                sweep(i / s.nheads(), i % s.nheads(), w);
            }
        });
        if (perHead) {
            pool.parallelFor(s.batch(), this::sumHeads);
        }
        int bh = s.batch() * s.nheads();
        for (int h = 0; h < s.nheads(); h++) {
            float sumA = 0f;
            float sumD = 0f;
            for (int b = 0; b < s.batch(); b++) {
                sumA += ws[pairSumOff + b * s.nheads() + h];
                sumD += ws[pairSumOff + bh + b * s.nheads() + h];
            }
            dA.data()[dA.offset() + h] += sumA;
            dD.data()[dD.offset() + h] += sumD;
        }
    }

    /** The reverse sweep of head hd of sequence b, chunks last to first, using workspace slot w. */
    private void sweep(int b, int hd, int w) {
        int T = s.seqlen();
        int H = s.nheads();
        int P = s.headdim();
        int N = s.dstate();
        int hs = s.stateSize();
        int g = s.group(hd);
        float a = A.data()[A.offset() + hd];
        float Dh = D.data()[D.offset() + hd];
        int hsOff = recomputeOff + w * Q * hs; // (Q, headdim, dstate): h_t of this chunk
        int gOff = carryOff + w * hs;          // (headdim, dstate): dL/dh_t from later steps
        int pair = b * H + hd;
        if (dhFinal == null) {
            Arrays.fill(ws, gOff, gOff + hs, 0f);
        } else {
            System.arraycopy(dhFinal.data(), dhFinal.offset() + pair * hs, ws, gOff, hs);
        }
        // Where this pair's dB_t and dC_t rows go: straight into dB and dC when it is its
        // group's only head, else into its own per-head rows, added up in sumHeads.
        float[] dBa = perHead ? ws : dB.data();
        float[] dCa = perHead ? ws : dC.data();
        int dBBase = perHead ? perHeadOff + pair * T * N : dB.offset() + (b * T * s.ngroups() + g) * N;
        int dCBase = perHead ? perHeadOff + (s.batch() * H + pair) * T * N : dC.offset() + (b * T * s.ngroups() + g) * N;
        int rowStride = perHead ? N : s.ngroups() * N;
        float[] xa = x.data();
        float[] dta = dt.data();
        float[] Ba = B.data();
        float[] Ca = C.data();
        float[] cs = chunkStates.data();
        double sumA = 0;
        double sumD = 0;
        for (int c = nchunks - 1; c >= 0; c--) {
            int t0 = c * Q;
            int len = Math.min(Q, T - t0);
            int ckpt = chunkStates.offset() + (pair * nchunks + c) * hs; // h_{t0-1}
            for (int i = 0; i < len; i++) {
                int t = t0 + i;
                float step = dta[dt.offset() + (b * T + t) * H + hd];
                k.advance(ws, hsOff + i * hs, i == 0 ? cs : ws, i == 0 ? ckpt : hsOff + (i - 1) * hs,
                        xa, x.offset() + ((b * T + t) * H + hd) * P, Ba, B.offset() + ((b * T + t) * s.ngroups() + g) * N,
                        step, SsdScanKernels.decay(step, a), P, N);
            }
            for (int i = len - 1; i >= 0; i--) {
                int t = t0 + i;
                int dto = (b * T + t) * H + hd;
                float step = dta[dt.offset() + dto];
                float decay = SsdScanKernels.decay(step, a);
                int xo = ((b * T + t) * H + hd) * P;
                int bo = ((b * T + t) * s.ngroups() + g) * N;
                int dBRow = dBBase + t * rowStride;
                int dCRow = dCBase + t * rowStride;
                Arrays.fill(dBa, dBRow, dBRow + N, 0f);
                Arrays.fill(dCa, dCRow, dCRow + N, 0f);
                float gDotPrev = k.reverseStep(ws, gOff, ws, hsOff + i * hs, i == 0 ? cs : ws,
                        i == 0 ? ckpt : hsOff + (i - 1) * hs, dy.data(), dy.offset() + xo, xa, x.offset() + xo,
                        Ba, B.offset() + bo, Ca, C.offset() + bo, dx.data(), dx.offset() + xo, dCa, dCRow,
                        dBa, dBRow, step, decay, Dh, P, N);
                // The dB row holds u = G_t^T x_t: <x_t outer B_t, G_t> = B_t . u, and dB_t = dt u.
                float gDotInput = 0f;
                for (int n = 0; n < N; n++) {
                    gDotInput += Ba[B.offset() + bo + n] * dBa[dBRow + n];
                    dBa[dBRow + n] *= step;
                }
                ddt.data()[ddt.offset() + dto] = a * decay * gDotPrev + gDotInput;
                sumA += step * decay * gDotPrev;
                for (int p = 0; p < P; p++) {
                    sumD += dy.data()[dy.offset() + xo + p] * xa[x.offset() + xo + p];
                }
            }
        }
        if (dh0 != null) {
            System.arraycopy(ws, gOff, dh0.data(), dh0.offset() + pair * hs, hs);
        }
        ws[pairSumOff + pair] = (float) sumA;
        ws[pairSumOff + s.batch() * H + pair] = (float) sumD;
    }

    /** dB and dC of sequence b: each group's rows are the sum of its heads' rows, heads in order. */
    private void sumHeads(int b) {
        int T = s.seqlen();
        int N = s.dstate();
        int hpg = s.headsPerGroup();
        int dCPart = s.batch() * s.nheads() * T * N;
        for (int t = 0; t < T; t++) {
            for (int g = 0; g < s.ngroups(); g++) {
                int out = ((b * T + t) * s.ngroups() + g) * N;
                for (int n = 0; n < N; n++) {
                    float sb = 0f;
                    float sc = 0f;
                    for (int j = 0; j < hpg; j++) {
                        int part = perHeadOff + ((b * s.nheads() + g * hpg + j) * T + t) * N + n;
                        sb += ws[part];
                        sc += ws[part + dCPart];
                    }
                    dB.data()[dB.offset() + out + n] = sb;
                    dC.data()[dC.offset() + out + n] = sc;
                }
            }
        }
    }
}
