package dev.chimera.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM in the Goto/BLIS structure: B is packed into KC x NR column panels,
 * A into MR x KC row panels, and a register-blocked MR x NR micro-kernel (MR = 8 rows
 * broadcast from A, NR = two vectors of B, 16 accumulators) runs over each pair of panels.
 * The three {@link GemmForm}s differ only in how the panels are packed; the micro-kernel
 * and the blocking are shared, so their speeds stay close.
 *
 * <p>Partial tiles at the right and bottom edges are computed into a scratch tile and added
 * into C by scalar tails. Products with at most {@link #DIRECT_MAX_ROWS} rows (decoding one
 * token, a few sequences) skip packing: each element of B is used only a few times, so
 * streaming it once is faster than copying it first.
 *
 * <p>Parallelism: C is cut into one block per thread, by column panels when there are enough
 * of them (else by rows as well); each thread runs the whole blocked loop on its block with its
 * own packed panels, so threads never wait for each other before the end of the product.
 */
final class PackedGemm {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 1024;
    static final int DIRECT_MAX_ROWS = 4;
    /** Below this many multiply-adds a product runs on the calling thread. */
    private static final long PARALLEL_MIN_MACS = 1L << 17;

    /** Grow-only scratch per thread: packed A block and an edge tile (A) and the packed B panel (B). */
    /**
     * Floats between consecutive A panels beyond their MR * kc values: without it the panels sit
     * a multiple of 4 KiB apart, so the packing loop's MR-wide writes to all panels of a block
     * land in one L1 set and evict each other.
     */
    private static final int PANEL_PAD = 16;
    private static final ThreadLocal<float[]> A_SCRATCH =
            ThreadLocal.withInitial(() -> new float[MC / MR * (MR * KC + PANEL_PAD) + MR * NR]);
    private static final ThreadLocal<float[][]> B_SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private final ComputePool pool;

    PackedGemm(ComputePool pool) {
        this.pool = pool;
    }

    /**
     * C (+)= op(A)·op(B) for one product. Offsets point at the first element of each matrix;
     * {@code parallel} false keeps the work on the calling thread (used when a batch is
     * already split over the pool).
     */
    void multiply(GemmForm form, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                  int m, int n, int k, boolean accumulate, boolean parallel) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOff + i * n, cOff + i * n + n, 0f);
                }
            }
            return;
        }
        boolean useThreads = parallel && pool.threads() > 1 && (long) m * n * k >= PARALLEL_MIN_MACS;
        if (m <= DIRECT_MAX_ROWS) {
            DirectGemm.multiply(form, c, cOff, a, aOff, b, bOff, m, n, k, accumulate, useThreads ? pool : null);
            return;
        }
        int threads = useThreads ? pool.threads() : 1;
        // Each thread takes its own block of C and runs the whole blocked loop on it with private
        // packed panels, so no thread waits for another before the end. Rows are split when there
        // are enough of them (each thread packs only its own rows of A, the transposing copy, and
        // its own copy of B, a straight vector copy for AB and AtB); otherwise column panels.
        int panels = (n + NR - 1) / NR;
        int rowTasks = m >= threads * MC ? threads : 1;
        int colTasks = rowTasks == threads ? 1 : Math.min(threads, panels);
        int panelsPerTask = (panels + colTasks - 1) / colTasks;
        int rowsPerTask = ((m + rowTasks - 1) / rowTasks + MR - 1) / MR * MR;
        java.util.function.IntConsumer task = t -> {
            int j0 = (t % colTasks) * panelsPerTask * NR;
            int i0 = (t / colTasks) * rowsPerTask;
            int j1 = Math.min(n, j0 + panelsPerTask * NR);
            int i1 = Math.min(m, i0 + rowsPerTask);
            if (j0 < j1 && i0 < i1) {
                block(form, c, cOff, a, aOff, b, bOff, m, n, k, accumulate, i0, i1, j0, j1);
            }
        };
        if (useThreads) {
            pool.parallelFor(rowTasks * colTasks, task);
        } else {
            task.accept(0);
        }
    }

    /** The Goto loops on one thread over rows [i0, i1) and columns [j0, j1) of C, with private packed panels. */
    private static void block(GemmForm form, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff,
                              int m, int n, int k, boolean accumulate, int i0, int i1, int j0, int j1) {
        float[] packedB = bScratch(Math.min(j1 - j0, NC), Math.min(k, KC));
        float[] packedA = A_SCRATCH.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int nPanels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int aStride = aPanelStride(kc);
                boolean add = accumulate || pc > 0;
                for (int panel = 0; panel < nPanels; panel++) {
                    packB(form, packedB, panel * NR * kc, b, bOff, n, k, pc, kc, jc + panel * NR,
                            Math.min(NR, nc - panel * NR));
                }
                for (int ic = i0; ic < i1; ic += MC) {
                    int rows = Math.min(MC, i1 - ic);
                    packA(form, packedA, a, aOff, m, k, ic, rows, pc, kc);
                    // Column panels outside, row panels inside: each B panel (kc x NR) stays in L1
                    // while the A block streams from L2.
                    for (int panel = 0; panel < nPanels; panel++) {
                        int jCol = jc + panel * NR;
                        int cols = Math.min(NR, j1 - jCol);
                        for (int ir = 0; ir < rows; ir += MR) {
                            int tileRows = Math.min(MR, rows - ir);
                            int cAt = cOff + (ic + ir) * n + jCol;
                            if (tileRows == MR && cols == NR && !add) {
                                kernel(packedA, ir / MR * aStride, packedB, panel * NR * kc, kc, c, cAt, n);
                            } else if (tileRows == MR && cols == NR) {
                                addTile(packedA, ir / MR * aStride, packedB, panel * NR * kc, kc, c, cAt, n);
                            } else {
                                edgeTile(packedA, ir / MR * aStride, packedB, panel * NR * kc, kc, c, cAt, n, add,
                                        tileRows, cols);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Distance between the starts of two packed A panels. */
    private static int aPanelStride(int kc) {
        return MR * kc + PANEL_PAD;
    }

    private static float[] bScratch(int nc, int kc) {
        float[][] holder = B_SCRATCH.get();
        int need = ((nc + NR - 1) / NR) * NR * kc;
        if (holder[0].length < need) {
            holder[0] = new float[need];
        }
        return holder[0];
    }

    /**
     * Packs rows [ic, ic+rows) x columns [pc, pc+kc) of op(A) as MR-row panels:
     * dst[panel*aPanelStride(kc) + p*MR + r] = op(A)(ic + panel*MR + r, pc + p), zero past row m.
     */
    private static void packA(GemmForm form, float[] dst, float[] a, int aOff, int m, int k,
                              int ic, int rows, int pc, int kc) {
        int fullPanels = rows / MR;
        if (form == GemmForm.AtB) {
            // A is stored (k, m): row p of storage holds column p of op(A). Walk it row by row (one
            // contiguous read) and hand each panel its MR values. (Not a 256-bit vector copy: a
            // second species in the process made C2 box the 512-bit vectors of other kernels,
            // ~10 GB/s of garbage and a 3x slower training step.)
            for (int p = 0; p < kc; p++) {
                int src = aOff + (pc + p) * m + ic;
                for (int panel = 0; panel < fullPanels; panel++) {
                    System.arraycopy(a, src + panel * MR, dst, panel * aPanelStride(kc) + p * MR, MR);
                }
            }
        }
        for (int ir = form == GemmForm.AtB ? fullPanels * MR : 0; ir < rows; ir += MR) {
            int base = ir / MR * aPanelStride(kc);
            int valid = Math.min(MR, rows - ir);
            if (form == GemmForm.AtB) {
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * m + ic + ir;
                    int d = base + p * MR;
                    for (int r = 0; r < valid; r++) {
                        dst[d + r] = a[src + r];
                    }
                    for (int r = valid; r < MR; r++) {
                        dst[d + r] = 0f;
                    }
                }
            } else if (valid == MR) {
                // A is stored (m, k): read the MR rows side by side so that the writes are contiguous.
                int r0 = aOff + (ic + ir) * k + pc;
                for (int p = 0; p < kc; p++) {
                    int d = base + p * MR;
                    int src = r0 + p;
                    dst[d] = a[src];
                    dst[d + 1] = a[src + k];
                    dst[d + 2] = a[src + 2 * k];
                    dst[d + 3] = a[src + 3 * k];
                    dst[d + 4] = a[src + 4 * k];
                    dst[d + 5] = a[src + 5 * k];
                    dst[d + 6] = a[src + 6 * k];
                    dst[d + 7] = a[src + 7 * k];
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    int src = aOff + (ic + ir + r) * k + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * MR + r] = r < valid ? a[src + p] : 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs rows [pc, pc+kc) x columns [j0, j0+cols) of op(B) as one NR-wide panel:
     * dst[at + p*NR + c] = op(B)(pc + p, j0 + c), zero past column n.
     */
    private static void packB(GemmForm form, float[] dst, int at, float[] b, int bOff, int n, int k,
                              int pc, int kc, int j0, int cols) {
        if (form == GemmForm.ABt) {
            // B is stored (n, k): column j of op(B) is row j of storage. Read the NR rows side by
            // side so that each packed row of the panel is written contiguously.
            int src = bOff + j0 * k + pc;
            for (int p = 0; p < kc; p++) {
                int d = at + p * NR;
                for (int c = 0; c < cols; c++) {
                    dst[d + c] = b[src + c * k + p];
                }
                for (int c = cols; c < NR; c++) {
                    dst[d + c] = 0f;
                }
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            int src = bOff + (pc + p) * n + j0;
            int d = at + p * NR;
            if (cols == NR) {
                FloatVector.fromArray(S, b, src).intoArray(dst, d);
                FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
            } else {
                for (int c = 0; c < cols; c++) {
                    dst[d + c] = b[src + c];
                }
                for (int c = cols; c < NR; c++) {
                    dst[d + c] = 0f;
                }
            }
        }
    }

    /**
     * A full tile added to C: the micro-kernel into scratch, then one vector add per row piece.
     * Keeping the add out of the micro-kernel keeps that method small and branch-free: with
     * both a store and an add path inside it, C2 recompiled it past its inlining budget after
     * the first product with several k blocks and fell back to boxed vectors (6 GFLOP/s).
     */
    private static void addTile(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc) {
        float[] scratch = A_SCRATCH.get();
        int tile = MC / MR * (MR * KC + PANEL_PAD);
        kernel(pa, aAt, pb, bAt, kc, scratch, tile, NR);
        for (int r = 0; r < MR; r++) {
            int row = cAt + r * ldc;
            int t = tile + r * NR;
            FloatVector.fromArray(S, c, row).add(FloatVector.fromArray(S, scratch, t)).intoArray(c, row);
            FloatVector.fromArray(S, c, row + L).add(FloatVector.fromArray(S, scratch, t + L)).intoArray(c, row + L);
        }
    }

    /** A partial tile: the full micro-kernel into scratch, then a scalar add of the valid part into C. */
    private static void edgeTile(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc,
                                 boolean add, int rows, int cols) {
        float[] scratch = A_SCRATCH.get();
        int tile = MC / MR * (MR * KC + PANEL_PAD);
        kernel(pa, aAt, pb, bAt, kc, scratch, tile, NR);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = scratch[tile + r * NR + j];
                c[cAt + r * ldc + j] = add ? c[cAt + r * ldc + j] + v : v;
            }
        }
    }

    /**
     * The MR x NR micro-kernel: C[0..8, 0..NR) = Apanel(8 x kc) · Bpanel(kc x NR).
     * Sixteen accumulators stay in registers for the whole kc loop; each step loads two
     * vectors of B and broadcasts eight values of A.
     */
    private static void kernel(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        int ai = aAt;
        int bi = bAt;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector a0 = FloatVector.broadcast(S, pa[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, pa[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, pa[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        // The stores are written out here on purpose: passing vectors to a helper method that C2 does
        // not inline boxes them, and the boxing spreads into the loop (measured: 170 -> 10 GFLOP/s).
        c00.intoArray(c, cAt);
        c01.intoArray(c, cAt + L);
        c10.intoArray(c, cAt + ldc);
        c11.intoArray(c, cAt + ldc + L);
        c20.intoArray(c, cAt + 2 * ldc);
        c21.intoArray(c, cAt + 2 * ldc + L);
        c30.intoArray(c, cAt + 3 * ldc);
        c31.intoArray(c, cAt + 3 * ldc + L);
        c40.intoArray(c, cAt + 4 * ldc);
        c41.intoArray(c, cAt + 4 * ldc + L);
        c50.intoArray(c, cAt + 5 * ldc);
        c51.intoArray(c, cAt + 5 * ldc + L);
        c60.intoArray(c, cAt + 6 * ldc);
        c61.intoArray(c, cAt + 6 * ldc + L);
        c70.intoArray(c, cAt + 7 * ldc);
        c71.intoArray(c, cAt + 7 * ldc + L);
    }
}
