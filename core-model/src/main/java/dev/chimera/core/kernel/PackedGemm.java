package dev.chimera.core.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
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
 * <p>Parallelism ({@link Product}): the threads share one packed copy of each KC block of B
 * (two buffers, so the next block is packed while the last one is still in use) and take
 * blocks of C (MC rows, all or part of the columns) each with its own packed rows of A. Work
 * is handed out in order from one counter and every wait is for work already taken by a
 * running thread, so a thread that starts late just takes less and nothing can deadlock.
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
    /**
     * The same for the direct path: a few rows take microseconds per million multiply-adds, about
     * what waking a pool thread costs on a busy host, so only larger products are split (a small
     * model's decoding step ran 2x slower and twice as variable on two threads than on one).
     */
    private static final long DIRECT_PARALLEL_MIN_MACS = 1L << 22;
    /** Busy-wait rounds before a waiting thread starts yielding its core. */
    private static final int SPINS_BEFORE_YIELD = 1 << 14;
    /** Column panels packed as one unit of shared packing work. */
    private static final int PACK_PANELS = 8;

    /**
     * Floats between consecutive A panels beyond their MR * kc values: without it the panels sit
     * a multiple of 4 KiB apart, so the packing loop's MR-wide writes to all panels of a block
     * land in one L1 set and evict each other.
     */
    private static final int PANEL_PAD = 16;
    /**
     * Where packed B starts in its buffer. A float[]'s data begins 16 bytes into the object; with
     * objects aligned to 64 bytes ({@code -XX:ObjectAlignmentInBytes=64}, in the launcher's and
     * the tests' JVM flags) these 12 floats put every row of every B panel on a cache-line
     * boundary, so no vector load of the micro-kernel straddles two lines (measured: 156 -> 165
     * GFLOP/s for the micro-kernel alone). Under other alignments it is harmless.
     */
    static final int B_START = 12;
    /** Where the edge tile starts in A_SCRATCH: after the largest packed A block (MC rows, KC deep). */
    private static final int EDGE_TILE_AT = MC / MR * aPanelStride(KC);
    /** Per thread: its packed A block, then one MR x NR edge tile. */
    private static final ThreadLocal<float[]> A_SCRATCH =
            ThreadLocal.withInitial(() -> new float[EDGE_TILE_AT + MR * NR]);
    /** Per calling thread: the two packed B blocks that the threads of its products share (grow-only). */
    private static final ThreadLocal<float[][]> B_SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

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
            boolean split = useThreads && (long) m * n * k >= DIRECT_PARALLEL_MIN_MACS;
            DirectGemm.multiply(form, c, cOff, a, aOff, b, bOff, m, n, k, accumulate, split ? pool : null);
            return;
        }
        int threads = useThreads ? pool.threads() : 1;
        for (int jc = 0; jc < n; jc += NC) {
            Product product = new Product(form, c, cOff, a, aOff, b, bOff, m, n, k, accumulate,
                    jc, Math.min(NC, n - jc), threads);
            if (threads > 1) {
                pool.parallelFor(threads, t -> product.work());
            } else {
                product.work();
            }
        }
    }

    /**
     * Columns [jc, jc+nc) of C as a sequence of work items, KC block by KC block (phase q):
     * first the units that pack block q of op(B) into buffer q % 2, then the blocks of C, each
     * packing its rows of A and running the micro-kernel over the packed B. Items are taken in
     * sequence order and each waits only for items earlier in it: a C block for block q's
     * packing and for its own block at q - 1 (the same rows and columns of C), a packing unit
     * for every C block of phase q - 2 (the last readers of its buffer).
     *
     * <p>Packed B layout: panel j of a buffer at B_START + j * NR * KC, its kc x NR values row by row.
     */
    private static final class Product {
        private final GemmForm form;
        private final float[] c;
        private final int cOff;
        private final float[] a;
        private final int aOff;
        private final float[] b;
        private final int bOff;
        private final int m;
        private final int n;
        private final int k;
        private final boolean accumulate;
        private final int jc;
        private final int nc;
        private final int panels;
        private final int packUnits;
        private final int colChunks;
        private final int panelsPerChunk;
        private final int blocksOfC;
        private final int itemsPerPhase;
        private final int items;
        private final float[][] packedB;
        private final AtomicInteger next = new AtomicInteger();
        /** Per phase: packing units finished. */
        private final AtomicIntegerArray packed;
        /** Per phase: blocks of C finished. */
        private final AtomicIntegerArray computed;
        /** Per block of C: phases finished. */
        private final AtomicIntegerArray phasesDone;
        private volatile boolean failed;

        Product(GemmForm form, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
                boolean accumulate, int jc, int nc, int threads) {
            this.form = form;
            this.c = c;
            this.cOff = cOff;
            this.a = a;
            this.aOff = aOff;
            this.b = b;
            this.bOff = bOff;
            this.m = m;
            this.n = n;
            this.k = k;
            this.accumulate = accumulate;
            this.jc = jc;
            this.nc = nc;
            this.panels = (nc + NR - 1) / NR;
            this.packUnits = (panels + PACK_PANELS - 1) / PACK_PANELS;
            // Blocks of C: MC rows each; when there are fewer than two per thread, the columns are
            // cut too (each piece then packs the same rows of A, a small cost at these shapes).
            int rowBlocks = (m + MC - 1) / MC;
            this.colChunks = threads == 1 ? 1 : Math.min(panels, Math.max(1, (2 * threads + rowBlocks - 1) / rowBlocks));
            this.panelsPerChunk = (panels + colChunks - 1) / colChunks;
            this.blocksOfC = rowBlocks * colChunks;
            this.itemsPerPhase = packUnits + blocksOfC;
            int phases = (k + KC - 1) / KC;
            this.items = phases * itemsPerPhase;
            this.packedB = bScratch(B_START + panels * NR * KC);
            this.packed = new AtomicIntegerArray(phases);
            this.computed = new AtomicIntegerArray(phases);
            this.phasesDone = new AtomicIntegerArray(blocksOfC);
        }

        /** One thread's share: takes items in order until none are left (or another thread failed). */
        void work() {
            int item;
            while (!failed && (item = next.getAndIncrement()) < items) {
                int q = item / itemsPerPhase;
                int unit = item % itemsPerPhase;
                try {
                    if (unit < packUnits) {
                        if (q >= 2 && !await(computed, q - 2, blocksOfC)) {
                            return;
                        }
                        packUnit(q, unit);
                        packed.incrementAndGet(q);
                    } else {
                        int block = unit - packUnits;
                        if (!await(packed, q, packUnits) || !await(phasesDone, block, q)) {
                            return;
                        }
                        computeBlock(q, block);
                        phasesDone.set(block, q + 1);
                        computed.incrementAndGet(q);
                    }
                } catch (RuntimeException | Error e) {
                    failed = true;
                    throw e;
                }
            }
        }

        /**
         * Waits until counter i reaches target (work that a running thread has taken): spins
         * briefly, then yields, in case the pool has more threads than free cores. False if a
         * thread failed.
         */
        private boolean await(AtomicIntegerArray counters, int i, int target) {
            for (int spins = 0; counters.get(i) < target; spins++) {
                if (failed) {
                    return false;
                }
                if (spins < SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            return true;
        }

        /** Packs PACK_PANELS column panels of KC block q of op(B) into buffer q % 2. */
        private void packUnit(int q, int unit) {
            int p0 = unit * PACK_PANELS;
            int p1 = Math.min(panels, p0 + PACK_PANELS);
            int pc = q * KC;
            packB(form, packedB[q % 2], B_START + p0 * NR * KC, b, bOff, n, k, pc, Math.min(KC, k - pc), jc + p0 * NR,
                    p1 - p0, Math.min(nc, p1 * NR) - p0 * NR);
        }

        /** Block of C {@code block} (MC rows, a chunk of column panels) for KC block q. */
        private void computeBlock(int q, int block) {
            int i0 = block / colChunks * MC;
            int rows = Math.min(MC, m - i0);
            int p0 = block % colChunks * panelsPerChunk;
            int p1 = Math.min(panels, p0 + panelsPerChunk);
            int pc = q * KC;
            int kc = Math.min(KC, k - pc);
            int aStride = aPanelStride(kc);
            boolean add = accumulate || q > 0;
            float[] packedA = A_SCRATCH.get();
            float[] pb = packedB[q % 2];
            packA(form, packedA, a, aOff, m, k, i0, rows, pc, kc);
            // Row panels outside, column panels inside: each A panel (MR x kc, 8 KiB) stays in L1
            // while the B panels stream from L2, and C is visited along its rows, so the hardware
            // prefetcher brings each tile's lines ahead. (The other order kept a B panel in L1 but
            // made every tile eight fresh 4 KiB-strided lines of C: waiting for them cost ~25%.)
            for (int ir = 0; ir < rows; ir += MR) {
                int tileRows = Math.min(MR, rows - ir);
                int aAt = ir / MR * aStride;
                for (int panel = p0; panel < p1; panel++) {
                    int bAt = B_START + panel * NR * KC;
                    int jCol = jc + panel * NR;
                    int cols = Math.min(NR, jc + nc - jCol);
                    int cAt = cOff + (i0 + ir) * n + jCol;
                    if (tileRows == MR && cols == NR) {
                        if (add) {
                            kernelAdd(packedA, aAt, pb, bAt, kc, c, cAt, n);
                        } else {
                            kernel(packedA, aAt, pb, bAt, kc, c, cAt, n);
                        }
                    } else {
                        edgeTile(packedA, aAt, pb, bAt, kc, c, cAt, n, add, tileRows, cols);
                    }
                }
            }
        }
    }

    /** Distance between the starts of two packed A panels. */
    private static int aPanelStride(int kc) {
        return MR * kc + PANEL_PAD;
    }

    /** The calling thread's two packed-B buffers, each grown to at least {@code floats}. */
    private static float[][] bScratch(int floats) {
        float[][] buffers = B_SCRATCH.get();
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i].length < floats) {
                buffers[i] = new float[floats];
            }
        }
        return buffers;
    }

    /**
     * Packs rows [ic, ic+rows) x columns [pc, pc+kc) of op(A) as MR-row panels:
     * dst[panel*aPanelStride(kc) + p*MR + r] = op(A)(ic + panel*MR + r, pc + p), zero past row m.
     * One method per storage layout, so that each is compiled on its own profile (with the forms
     * sharing one method, the first Aᵀ·B after A·B products deoptimised it and left Aᵀ·B packing
     * interpreted for seconds in some processes: 72 instead of 125 GFLOP/s).
     */
    private static void packA(GemmForm form, float[] dst, float[] a, int aOff, int m, int k,
                              int ic, int rows, int pc, int kc) {
        if (form == GemmForm.AtB) {
            packColumnsOfA(dst, a, aOff, m, ic, rows, pc, kc);
        } else {
            packRowsOfA(dst, a, aOff, m, k, ic, rows, pc, kc);
        }
    }

    /** {@link #packA} for A stored (m, k): each panel's MR rows read side by side. */
    private static void packRowsOfA(float[] dst, float[] a, int aOff, int m, int k, int ic, int rows, int pc,
                                    int kc) {
        int fullPanels = rows / MR;
        for (int panel = 0; panel < fullPanels; panel++) {
            interleaveRows(dst, panel * aPanelStride(kc), MR, a, aOff + (ic + panel * MR) * k + pc, k, kc);
        }
        if (fullPanels * MR < rows) {
            int base = fullPanels * aPanelStride(kc);
            int valid = rows - fullPanels * MR;
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < MR; r++) {
                    dst[base + p * MR + r] = r < valid ? a[aOff + (ic + fullPanels * MR + r) * k + pc + p] : 0f;
                }
            }
        }
    }

    /**
     * {@link #packA} for A stored (k, m), op(A) = Aᵀ: row p of storage holds column p of op(A),
     * each panel's MR values side by side. (System.arraycopy of the 8 values measured the same. Not a
     * 256-bit vector: a second species in the process made C2 box the 512-bit vectors of other
     * kernels.)
     */
    private static void packColumnsOfA(float[] dst, float[] a, int aOff, int m, int ic, int rows, int pc, int kc) {
        int fullPanels = rows / MR;
        for (int panel = 0; panel < fullPanels; panel++) {
            int d = panel * aPanelStride(kc);
            int src = aOff + pc * m + ic + panel * MR;
            for (int p = 0; p < kc; p++, src += m, d += MR) {
                dst[d] = a[src];
                dst[d + 1] = a[src + 1];
                dst[d + 2] = a[src + 2];
                dst[d + 3] = a[src + 3];
                dst[d + 4] = a[src + 4];
                dst[d + 5] = a[src + 5];
                dst[d + 6] = a[src + 6];
                dst[d + 7] = a[src + 7];
            }
        }
        if (fullPanels * MR < rows) {
            int base = fullPanels * aPanelStride(kc);
            int valid = rows - fullPanels * MR;
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < MR; r++) {
                    dst[base + p * MR + r] = r < valid ? a[aOff + (pc + p) * m + ic + fullPanels * MR + r] : 0f;
                }
            }
        }
    }

    /**
     * Eight rows of a row-major matrix side by side: dst[d + p*dStride + r] = src[s + r*ld + p]
     * for r < 8, p < count. Reading the eight rows together keeps every read and the eight
     * writes of each p contiguous (a 4 KiB-strided gather of one value per row was 1.5-2x slower).
     */
    private static void interleaveRows(float[] dst, int d, int dStride, float[] src, int s, int ld, int count) {
        for (int p = 0; p < count; p++, s++, d += dStride) {
            dst[d] = src[s];
            dst[d + 1] = src[s + ld];
            dst[d + 2] = src[s + 2 * ld];
            dst[d + 3] = src[s + 3 * ld];
            dst[d + 4] = src[s + 4 * ld];
            dst[d + 5] = src[s + 5 * ld];
            dst[d + 6] = src[s + 6 * ld];
            dst[d + 7] = src[s + 7 * ld];
        }
    }

    /**
     * Packs rows [pc, pc+kc) x columns [j0, j0+cols) of op(B) as {@code count} NR-wide panels,
     * panel i at {@code at + i*NR*KC}: dst[at + i*NR*KC + p*NR + c] = op(B)(pc + p, j0 + i*NR + c),
     * zero past the last valid column. One method per storage layout, as for A.
     */
    private static void packB(GemmForm form, float[] dst, int at, float[] b, int bOff, int n, int k,
                              int pc, int kc, int j0, int count, int cols) {
        if (form == GemmForm.ABt) {
            packRowsOfB(dst, at, b, bOff, k, pc, kc, j0, count, cols);
        } else {
            packColumnsOfB(dst, at, b, bOff, n, pc, kc, j0, count, cols);
        }
    }

    /**
     * {@link #packB} for B stored (n, k), op(B) = Bᵀ: column j of op(B) is row j of storage. Full
     * panels take their rows eight at a time; the partial panel goes value by value.
     */
    private static void packRowsOfB(float[] dst, int at, float[] b, int bOff, int k, int pc, int kc, int j0,
                                    int count, int cols) {
        int full = cols / NR;
        for (int i = 0; i < count; i++) {
            int at0 = at + i * NR * KC;
            int src = bOff + (j0 + i * NR) * k + pc;
            if (i < full) {
                for (int c0 = 0; c0 < NR; c0 += 8) {
                    interleaveRows(dst, at0 + c0, NR, b, src + c0 * k, k, kc);
                }
                continue;
            }
            int valid = cols - i * NR;
            for (int p = 0; p < kc; p++) {
                for (int c = 0; c < NR; c++) {
                    dst[at0 + p * NR + c] = c < valid ? b[src + c * k + p] : 0f;
                }
            }
        }
    }

    /**
     * {@link #packB} for B stored (k, n): walks each row of the block once, handing every full
     * panel its NR values (a contiguous read the prefetcher follows), then the partial panel.
     */
    private static void packColumnsOfB(float[] dst, int at, float[] b, int bOff, int n, int pc, int kc, int j0,
                                       int count, int cols) {
        int full = cols / NR;
        for (int p = 0; p < kc; p++) {
            int src = bOff + (pc + p) * n + j0;
            int d = at + p * NR;
            for (int i = 0; i < full; i++, src += NR, d += NR * KC) {
                FloatVector.fromArray(S, b, src).intoArray(dst, d);
                FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
            }
            if (full < count) {
                int valid = cols - full * NR;
                for (int c = 0; c < valid; c++) {
                    dst[d + c] = b[src + c];
                }
                for (int c = valid; c < NR; c++) {
                    dst[d + c] = 0f;
                }
            }
        }
    }

    /** A partial tile: the full micro-kernel into scratch, then a scalar add of the valid part into C. */
    private static void edgeTile(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc,
                                 boolean add, int rows, int cols) {
        float[] scratch = A_SCRATCH.get();
        kernel(pa, aAt, pb, bAt, kc, scratch, EDGE_TILE_AT, NR);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = scratch[EDGE_TILE_AT + r * NR + j];
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

    /**
     * The micro-kernel for a later KC block: C[0..8, 0..NR) += Apanel · Bpanel, the loop of
     * {@link #kernel} with C added at the end. A method of its own: with both a store and an add
     * path in one method, C2 recompiled it past its inlining budget and fell back to boxed
     * vectors (6 GFLOP/s).
     */
    private static void kernelAdd(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc) {
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
        c00.add(FloatVector.fromArray(S, c, cAt)).intoArray(c, cAt);
        c01.add(FloatVector.fromArray(S, c, cAt + L)).intoArray(c, cAt + L);
        c10.add(FloatVector.fromArray(S, c, cAt + ldc)).intoArray(c, cAt + ldc);
        c11.add(FloatVector.fromArray(S, c, cAt + ldc + L)).intoArray(c, cAt + ldc + L);
        c20.add(FloatVector.fromArray(S, c, cAt + 2 * ldc)).intoArray(c, cAt + 2 * ldc);
        c21.add(FloatVector.fromArray(S, c, cAt + 2 * ldc + L)).intoArray(c, cAt + 2 * ldc + L);
        c30.add(FloatVector.fromArray(S, c, cAt + 3 * ldc)).intoArray(c, cAt + 3 * ldc);
        c31.add(FloatVector.fromArray(S, c, cAt + 3 * ldc + L)).intoArray(c, cAt + 3 * ldc + L);
        c40.add(FloatVector.fromArray(S, c, cAt + 4 * ldc)).intoArray(c, cAt + 4 * ldc);
        c41.add(FloatVector.fromArray(S, c, cAt + 4 * ldc + L)).intoArray(c, cAt + 4 * ldc + L);
        c50.add(FloatVector.fromArray(S, c, cAt + 5 * ldc)).intoArray(c, cAt + 5 * ldc);
        c51.add(FloatVector.fromArray(S, c, cAt + 5 * ldc + L)).intoArray(c, cAt + 5 * ldc + L);
        c60.add(FloatVector.fromArray(S, c, cAt + 6 * ldc)).intoArray(c, cAt + 6 * ldc);
        c61.add(FloatVector.fromArray(S, c, cAt + 6 * ldc + L)).intoArray(c, cAt + 6 * ldc + L);
        c70.add(FloatVector.fromArray(S, c, cAt + 7 * ldc)).intoArray(c, cAt + 7 * ldc);
        c71.add(FloatVector.fromArray(S, c, cAt + 7 * ldc + L)).intoArray(c, cAt + 7 * ldc + L);
    }
}
