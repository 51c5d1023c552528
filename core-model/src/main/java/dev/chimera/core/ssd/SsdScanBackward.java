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
 * <p><b>What is computed.</b> With G_t = dL/dh_t (from steps &gt;= t):
 * <pre>
 *   dC_t = h_t^T dy_t        dx_t = dt_t G_t B_t + D dy_t        dB_t = dt_t G_t^T x_t
 *   ddt_t = A exp(dt_t A) &lt;G_t, h_{t-1}&gt; + B_t . (G_t^T x_t)     dA += dt_t exp(dt_t A) &lt;G_t, h_{t-1}&gt;
 * </pre>
 *
 * <p><b>Passes and tiles.</b> Per chunk, pass F runs the states forward from the chunk's saved
 * start, adding up dC_t and keeping the state after every block of {@link #BLOCK} steps; then
 * pass R takes the carry backward through the chunk's blocks, last to first. Both work one
 * register tile at a time (4 rows by 4 vectors, see the *Tile methods of
 * {@link SsdScanKernels}): a tile of the state or carry stays in registers through the block's
 * steps while its part of each step's sums is added into small per-step rows. Sums over dstate
 * (G B, for dx) are broadcast-FMA in column layout (dstate, headdim) and sums over headdim
 * (h^T dy, G^T x) in row layout (headdim, dstate), so the carry is kept in both layouts, each
 * copy updated by its own tiles; no lane reductions. The one sum that needs state and carry
 * together, &lt;G_t, h_{t-1}&gt;, is taken by the row tiles of the carry: each first reruns its
 * rows of the block's states from the block's start into a small buffer (sTile), then reads
 * them back step by step as it runs backward (rTile). Pass F and that rerun use the forward
 * pass's own arithmetic, so every state is the forward pass's, bit for bit.
 *
 * <p><b>Scaled carry.</b> Multiplying the carry by exp(dt A) every step would cost a multiply
 * per value. Instead the carry is kept as K with G = kappa K for a scalar kappa: adding dy_t
 * outer C_t becomes adding (dy_t / kappa) outer C_t, one multiply-add, and the decay multiplies
 * kappa alone. Sums taken from K are scaled back by kappa, and whenever kappa leaves
 * [2^-30, 2^30] K is multiplied by it and kappa reset to 1, so nothing overflows or underflows.
 *
 * <p>The workspace (floats, in this order; Q = min(chunkSize, seqlen), slots = the pool's
 * threads, M = min(BLOCK, Q), nb = ceil(Q / M)):
 * <pre>
 *   per slot, for each of slots:
 *     carry, row       (headdim, dstate)       K, kappa K = dL/dh_t from later steps
 *     carry, column    (dstate, headdim)       the same values transposed
 *     states           (nb, headdim, dstate)   pass F's state after each block of the chunk
 *   dA, dD per pair    (2, batch, nheads)      summed over batch in a fixed order
 *   dB, dC per head    (2, batch, nheads, seqlen, dstate)   only when ngroups &lt; nheads
 * </pre>
 * Besides, each worker allocates one small scratch array per call for the per-step rows of a
 * block (G^T x / kappa, G B / kappa, dy / kappa, &lt;K, h_{t-1}&gt; by lanes) and one tile's
 * states through a block: about 30 KiB at headdim = dstate = 64, kept apart from the workspace
 * so that its indices stay below 2^30 (see {@link SsdScanKernels#SMALL}).
 *
 * <p>All heads of one group contribute to dB and dC of that group; each pair writes its own
 * part and the parts are added head by head afterwards, so the result does not depend on
 * which thread ran which pair.
 */
final class SsdScanBackward {
    /** Steps per block: a block's per-step rows and one tile's states through it stay in L1. */
    static final int BLOCK = 16;
    /** The carry is kept as a multiple kappa of the true one with kappa in [MIN_SCALE, MAX_SCALE]. */
    private static final float MIN_SCALE = 0x1p-30f;
    private static final float MAX_SCALE = 0x1p30f;

    private final SsdShape s;
    private final SsdScanKernels k;
    /** Steps per chunk; min(chunkSize, seqlen), as a sequence shorter than chunkSize is one chunk. */
    private final int Q;
    /** Steps per block, min(BLOCK, Q). */
    private final int M;
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
    private final int slotOff;
    private final int slotSize;
    private final int pairSumOff;
    private final int perHeadOff;
    private final boolean perHead;

    /** Floats per workspace slot. */
    private static long slotSize(SsdShape s, int q) {
        int m = Math.min(BLOCK, q);
        int nb = (q + m - 1) / m;
        return (2L + nb) * s.stateSize();
    }

    /** Floats of one worker's scratch array (per-step rows of a block and one tile's states). */
    private static long scratchSize(SsdShape s, int m, int lanes) {
        return (long) m * (s.dstate() + 2L * s.headdim() + lanes) + (m + 1L) * 4 * s.dstate();
    }

    /** Floats of workspace for a call with these sizes and this many worker slots. */
    static long workspaceSize(SsdShape s, int chunkSize, int slots) {
        int q = Math.min(chunkSize, s.seqlen());
        long size = slots * slotSize(s, q) + 2L * s.batch() * s.nheads();
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
        this.M = Math.min(BLOCK, Q);
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
        this.slotOff = workspace.offset();
        this.slotSize = (int) slotSize(s, Q);
        this.pairSumOff = slotOff + slots * slotSize;
        this.perHeadOff = pairSumOff + 2 * s.batch() * s.nheads();
        this.perHead = s.headsPerGroup() > 1;
        if (scratchSize(s, M, k.lanes()) > SsdScanKernels.SMALL) {
            throw new IllegalArgumentException("SsdScan.backward: headdim and dstate of " + s + " are too large");
        }
    }

    /**
     * Sweeps every pair on {@code workers} (at most slots) tasks, task w owning workspace slot w
     * and a scratch array of its own; then adds the per-pair parts.
     */
    void run(ComputePool pool, int workers, Tensor dA, Tensor dD) {
        int pairs = s.batch() * s.nheads();
        AtomicInteger next = new AtomicInteger();
        pool.parallelFor(workers, w -> {
            float[] scratch = new float[(int) scratchSize(s, M, k.lanes())];
            for (int i = next.getAndIncrement(); i < pairs; i = next.getAndIncrement()) {
                sweep(i / s.nheads(), i % s.nheads(), w, scratch);
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

    private static boolean inRange(float scale) {
        return scale >= MIN_SCALE && scale <= MAX_SCALE;
    }

    /** The reverse sweep of head hd of sequence b, chunks last to first, using workspace slot w. */
    private void sweep(int b, int hd, int w, float[] sc) {
        int T = s.seqlen();
        int H = s.nheads();
        int P = s.headdim();
        int N = s.dstate();
        int G = s.ngroups();
        int hs = s.stateSize();
        int g = s.group(hd);
        int L = k.lanes();
        float a = A.data()[A.offset() + hd];
        float Dh = D.data()[D.offset() + hd];
        int kRowOff = slotOff + w * slotSize;            // (headdim, dstate): K
        int kColOff = kRowOff + hs;                      // (dstate, headdim): K transposed
        int hOff = kColOff + hs;                         // (nb, headdim, dstate): the state after block j at j
        // In the scratch array sc, small enough that the kernels may mask its indices (see SsdScanKernels.SMALL):
        int uOff = 0;                                    // (M, dstate): K^T x per step
        int aOff = uOff + M * N;                         // (M, headdim): K B per step
        int svOff = aOff + M * P;                        // (M, headdim): dy / kappa per step
        int qOff = svOff + M * P;                        // (M, lanes): <K, h_{t-1}> per step, lane by lane
        int tileOff = qOff + M * L;                      // (M + 1, 4 rows, dstate): one tile's states through a block
        float[] steps = new float[Q];
        float[] decays = new float[Q];
        float[] blockSteps = new float[M];
        float[] blockDecays = new float[M];
        float[] kappaAt = new float[M];                  // kappa on entry to step i of a block
        float[] rescale = new float[M];                  // K is multiplied by this after step i (1: not)
        int pair = b * H + hd;
        float kappa = 1f;
        if (dhFinal == null) {
            Arrays.fill(ws, kRowOff, kRowOff + 2 * hs, 0f);
        } else {
            System.arraycopy(dhFinal.data(), dhFinal.offset() + pair * hs, ws, kRowOff, hs);
            SsdScanKernels.transpose(ws, kColOff, dhFinal.data(), dhFinal.offset() + pair * hs, P, N);
        }
        // Where this pair's dB_t and dC_t rows go: straight into dB and dC when it is its
        // group's only head, else into its own per-head rows, added up in sumHeads.
        float[] dBa = perHead ? ws : dB.data();
        float[] dCa = perHead ? ws : dC.data();
        int dBBase = perHead ? perHeadOff + pair * T * N : dB.offset() + (b * T * G + g) * N;
        int dCBase = perHead ? perHeadOff + (s.batch() * H + pair) * T * N : dC.offset() + (b * T * G + g) * N;
        int rowStride = perHead ? N : G * N;
        float[] xa = x.data();
        float[] dta = dt.data();
        float[] dya = dy.data();
        float[] dxa = dx.data();
        float[] Ba = B.data();
        float[] Ca = C.data();
        float[] cs = chunkStates.data();
        int xBase = x.offset() + (b * T * H + hd) * P;   // x_t at xBase + t * xStride; dy and dx alike
        int dyBase = dy.offset() + (b * T * H + hd) * P;
        int dxBase = dx.offset() + (b * T * H + hd) * P;
        int xStride = H * P;
        int bBase = B.offset() + (b * T * G + g) * N;    // B_t at bBase + t * bStride; C alike
        int cBase = C.offset() + (b * T * G + g) * N;
        int bStride = G * N;
        double sumA = 0;
        double sumD = 0;
        for (int c = nchunks - 1; c >= 0; c--) {
            int t0 = c * Q;
            int len = Math.min(Q, T - t0);
            int nb = (len + M - 1) / M;
            int ckpt = chunkStates.offset() + (pair * nchunks + c) * hs; // h_{t0-1}
            for (int i = 0; i < len; i++) {
                steps[i] = dta[dt.offset() + (b * T + t0 + i) * H + hd];
                decays[i] = SsdScanKernels.decay(steps[i], a);
            }
            // Pass F: states from the chunk's start, dC_t = h_t^T dy_t, and the state after each block.
            for (int j = 0; j < nb; j++) {
                int i0 = j * M;
                int m = Math.min(M, len - i0);
                int t = t0 + i0;
                for (int i = 0; i < m; i++) {
                    int row = dCBase + (t + i) * rowStride;
                    Arrays.fill(dCa, row, row + N, 0f);
                }
                if (j == 0) {
                    System.arraycopy(cs, ckpt, ws, hOff, hs);
                } else {
                    System.arraycopy(ws, hOff + (j - 1) * hs, ws, hOff + j * hs, hs);
                }
                System.arraycopy(steps, i0, blockSteps, 0, m);
                System.arraycopy(decays, i0, blockDecays, 0, m);
                stateTiles(ws, hOff + j * hs, P, N, xa, xBase + t * xStride, xStride, dya, dyBase + t * xStride, Ba,
                        bBase + t * bStride, bStride, dCa, dCBase + t * rowStride, rowStride, blockSteps, blockDecays, m);
            }
            // Pass R: the carry backward through the chunk's blocks, last to first.
            for (int j = nb - 1; j >= 0; j--) {
                int i0 = j * M;
                int m = Math.min(M, len - i0);
                int t = t0 + i0;
                for (int i = m - 1; i >= 0; i--) {
                    kappaAt[i] = kappa;
                    kappa *= decays[i0 + i];
                    rescale[i] = inRange(kappa) ? 1f : kappa;
                    if (!inRange(kappa)) {
                        kappa = 1f;
                    }
                    k.scaleInto(sc, svOff + i * P, 1f / kappaAt[i], dya, dyBase + (t + i) * xStride, P);
                }
                System.arraycopy(steps, i0, blockSteps, 0, m);
                System.arraycopy(decays, i0, blockDecays, 0, m);
                Arrays.fill(sc, uOff, uOff + m * N, 0f);
                Arrays.fill(sc, aOff, aOff + m * P, 0f);
                Arrays.fill(sc, qOff, qOff + m * L, 0f);
                // The state before the block: the chunk's start, or pass F's state after block j - 1.
                float[] start = j == 0 ? cs : ws;
                int startOff = j == 0 ? ckpt : hOff + (j - 1) * hs;
                carryTiles(P, N, sc, kRowOff, kColOff, svOff, start, startOff, tileOff, xa, xBase + t * xStride, xStride,
                        Ba, bBase + t * bStride, Ca, cBase + t * bStride, bStride, uOff, aOff, qOff, blockSteps,
                        blockDecays, rescale, m);
                for (int i = m - 1; i >= 0; i--) {
                    int tt = t + i;
                    float step = steps[i0 + i];
                    float decay = decays[i0 + i];
                    float kap = kappaAt[i];
                    int xo = xBase + tt * xStride;
                    int yo = dyBase + tt * xStride;
                    int bo = bBase + tt * bStride;
                    // dx_t = dt kappa (K B) + D dy; dB_t = dt kappa (K^T x).
                    k.axpby(dxa, dxBase + tt * xStride, step * kap, sc, aOff + i * P, Dh, dya, yo, P);
                    k.scaleInto(dBa, dBBase + tt * rowStride, step * kap, sc, uOff + i * N, N);
                    // <G_t, h_{t-1}> = kappa <K, h_{t-1}>; <x_t outer B_t, G_t> = kappa B_t . (K^T x_t).
                    float gDotPrev = kap * k.sum(sc, qOff + i * L, L);
                    float gDotInput = kap * k.dot(Ba, bo, sc, uOff + i * N, N);
                    ddt.data()[ddt.offset() + (b * T + tt) * H + hd] = a * decay * gDotPrev + gDotInput;
                    sumA += step * decay * gDotPrev;
                    sumD += SsdScanKernels.dotDouble(dya, yo, xa, xo, P);
                }
            }
        }
        if (dh0 != null) {
            k.scaleInto(dh0.data(), dh0.offset() + pair * hs, kappa, ws, kRowOff, hs);
        }
        ws[pairSumOff + pair] = (float) sumA;
        ws[pairSumOff + s.batch() * H + pair] = (float) sumD;
    }

    /** Pass F over the m steps of a block for the whole state at ho, tile by tile. */
    private void stateTiles(float[] h, int ho, int P, int N, float[] xa, int xo, int xs, float[] dya, int yo,
                            float[] Ba, int bo, int bs, float[] dc, int co, int cs, float[] st, float[] de, int m) {
        int L = k.lanes();
        int nEnd = k.vectorEnd(N);
        for (int p = 0; p < P; p += 4) {
            int rows = Math.min(4, P - p);
            int n = 0;
            if (rows == 4) {
                for (; n + 4 * L <= nEnd; n += 4 * L) {
                    k.fTile4x4(h, ho + p * N + n, N, xa, xo + p, xs, dya, yo + p, xs, Ba, bo + n, bs, dc, co + n, cs,
                            st, de, m);
                }
                for (; n < nEnd; n += L) {
                    k.fTile4x1(h, ho + p * N + n, N, xa, xo + p, xs, dya, yo + p, xs, Ba, bo + n, bs, dc, co + n, cs,
                            st, de, m);
                }
            }
            if (n < N) {
                SsdScanKernels.fTileScalar(h, ho + p * N + n, N, rows, N - n, xa, xo + p, xs, dya, yo + p, xs, Ba,
                        bo + n, bs, dc, co + n, cs, st, de, m);
            }
        }
    }

    /**
     * Pass R over steps m-1..0 of a block, tile by tile. Each tile of the row copy of K first
     * rebuilds its part of the block's states from the state before the block (start) into the
     * tile buffer, then adds K^T x into the u rows and &lt;K, h_{t-1}&gt; into the q rows; each
     * tile of the column copy adds K B into the a rows. Both take dy / kappa from the sv rows.
     */
    private void carryTiles(int P, int N, float[] sc, int kRowOff, int kColOff, int svOff, float[] start, int startOff,
                            int tileOff, float[] xa, int xo, int xs, float[] Ba, int bo, float[] Ca, int co, int bs,
                            int uOff, int aOff, int qOff, float[] st, float[] de, float[] rs, int m) {
        int L = k.lanes();
        int nEnd = k.vectorEnd(N);
        for (int p = 0; p < P; p += 4) {
            int rows = Math.min(4, P - p);
            int n = 0;
            if (rows == 4) {
                for (; n + 4 * L <= nEnd; n += 4 * L) {
                    k.sTile4x4(start, startOff + p * N + n, N, sc, tileOff, xa, xo + p, xs, Ba, bo + n, bs, st, de, m);
                    k.rTile4x4(ws, kRowOff + p * N + n, N, sc, svOff + p, P, xa, xo + p, xs, Ca, co + n, bs, sc,
                            uOff + n, N, sc, tileOff, sc, qOff, rs, m);
                }
                for (; n < nEnd; n += L) {
                    k.sTile4x1(start, startOff + p * N + n, N, sc, tileOff, xa, xo + p, xs, Ba, bo + n, bs, st, de, m);
                    k.rTile4x1(ws, kRowOff + p * N + n, N, sc, svOff + p, P, xa, xo + p, xs, Ca, co + n, bs, sc,
                            uOff + n, N, sc, tileOff, sc, qOff, rs, m);
                }
            }
            if (n < N) {
                SsdScanKernels.sTileScalar(start, startOff + p * N + n, N, rows, N - n, sc, tileOff, xa, xo + p, xs, Ba,
                        bo + n, bs, st, de, m);
                SsdScanKernels.rTileScalar(ws, kRowOff + p * N + n, N, rows, N - n, sc, svOff + p, P, xa, xo + p, xs,
                        Ca, co + n, bs, sc, uOff + n, N, sc, tileOff, sc, qOff, L, rs, m);
            }
        }
        int pEnd = k.vectorEnd(P);
        for (int n = 0; n < N; n += 4) {
            int rows = Math.min(4, N - n);
            int p = 0;
            if (rows == 4) {
                for (; p + 4 * L <= pEnd; p += 4 * L) {
                    k.cTile4x4(ws, kColOff + n * P + p, P, sc, svOff + p, P, Ba, bo + n, bs, Ca, co + n, bs, sc,
                            aOff + p, P, rs, m);
                }
                for (; p < pEnd; p += L) {
                    k.cTile4x1(ws, kColOff + n * P + p, P, sc, svOff + p, P, Ba, bo + n, bs, Ca, co + n, bs, sc,
                            aOff + p, P, rs, m);
                }
            }
            if (p < P) {
                SsdScanKernels.cTileScalar(ws, kColOff + n * P + p, P, rows, P - p, sc, svOff + p, P, Ba, bo + n, bs,
                        Ca, co + n, bs, sc, aOff + p, P, rs, m);
            }
        }
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
