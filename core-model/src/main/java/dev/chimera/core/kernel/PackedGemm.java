package dev.chimera.core.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM in the Goto/BLIS structure: B is packed into KC x NR column panels,
 * A into MR x KC row panels, and a register-blocked MR x NR {@link MicroKernel} (MR rows
 * broadcast from A, NR columns of B in whole vectors) runs over each pair of panels. The tile
 * and the blocking (MC, KC) come with the micro-kernel, chosen from the vector width: 8 x 2
 * vectors on AVX-512, 12 x 1 vector on AVX2. The three {@link GemmForm}s differ only in how the
 * panels are packed; the micro-kernel and the blocking are shared, so their speeds stay close.
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
     * boundary (a 64-byte row of the 8 x 2-vector kernel's panels on AVX-512) or half-line
     * boundary (a 32-byte row of the 12 x 1-vector kernel's on AVX2), so no vector load of the
     * micro-kernel straddles two lines (measured on AVX-512: 156 -> 165 GFLOP/s for the
     * micro-kernel alone). Under other alignments it is harmless.
     */
    static final int B_START = 12;
    /** Per thread: its packed A block, then one MR x NR edge tile (grow-only). */
    private static final ThreadLocal<float[]> A_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
    /** Per calling thread: the two packed B blocks that the threads of its products share (grow-only). */
    private static final ThreadLocal<float[][]> B_SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private final ComputePool pool;
    private final MicroKernel kernel;
    /**
     * Per calling thread: its product's bookkeeping, reset for each product instead of made anew,
     * so that a product allocates nothing (a decoding step runs dozens of them per token). A thread
     * runs one product at a time: the pool's workers only run the work of a product, never start one.
     */
    private final ThreadLocal<Product> products;
    private final int directMaxRows;

    /** The GEMM with the micro-kernel that suits this machine's vectors. */
    PackedGemm(ComputePool pool) {
        this(pool, MicroKernel.forLanes(L));
    }

    /** The GEMM with a given micro-kernel (tests run both shapes on any machine). */
    PackedGemm(ComputePool pool, MicroKernel kernel) {
        this(pool, kernel, DIRECT_MAX_ROWS);
    }

    /**
     * {@code directMaxRows}: products of at most this many rows take the unpacked path; with
     * {@link Integer#MAX_VALUE} every product does, and each row of C is then the same bits whatever
     * the other rows (the packed path sums in KC blocks, the unpacked one does not).
     */
    PackedGemm(ComputePool pool, MicroKernel kernel, int directMaxRows) {
        this.pool = pool;
        this.kernel = kernel;
        this.directMaxRows = directMaxRows;
        this.products = ThreadLocal.withInitial(() -> new Product(kernel));
    }

    /** The micro-kernel's tile, e.g. "8x32" (rows x columns). */
    String tile() {
        return kernel.rows() + "x" + kernel.columns();
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
        if (m <= directMaxRows) {
            boolean split = useThreads && (long) m * n * k >= DIRECT_PARALLEL_MIN_MACS;
            DirectGemm.multiply(form, c, cOff, a, aOff, b, bOff, m, n, k, accumulate, split ? pool : null);
            return;
        }
        int threads = useThreads ? pool.threads() : 1;
        Product product = products.get();
        for (int jc = 0; jc < n; jc += NC) {
            product.reset(form, c, cOff, a, aOff, b, bOff, m, n, k, accumulate, jc, Math.min(NC, n - jc), threads);
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
        private final MicroKernel kernel;
        private final int mr;
        private final int nr;
        private final int mc;
        private final int kcMax;
        /** Floats from one packed B panel to the next: NR * KC. */
        private final int bPanelStride;
        /** Where the edge tile starts in A_SCRATCH: after the largest packed A block (MC rows, KC deep). */
        private final int edgeTileAt;
        private GemmForm form;
        private float[] c;
        private int cOff;
        private float[] a;
        private int aOff;
        private float[] b;
        private int bOff;
        private int m;
        private int n;
        private int k;
        private boolean accumulate;
        private int jc;
        private int nc;
        private int panels;
        private int packUnits;
        private int colChunks;
        private int panelsPerChunk;
        private int blocksOfC;
        private int itemsPerPhase;
        private int items;
        private float[][] packedB;
        private final AtomicInteger next = new AtomicInteger();
        /** Per phase: packing units finished (grow-only; the first {@code phases} are this product's). */
        private AtomicIntegerArray packed = new AtomicIntegerArray(0);
        /** Per phase: blocks of C finished. */
        private AtomicIntegerArray computed = new AtomicIntegerArray(0);
        /** Per block of C: phases finished. */
        private AtomicIntegerArray phasesDone = new AtomicIntegerArray(0);
        private volatile boolean failed;

        Product(MicroKernel kernel) {
            this.kernel = kernel;
            this.mr = kernel.rows();
            this.nr = kernel.columns();
            this.mc = kernel.rowBlock();
            this.kcMax = kernel.depthBlock();
            this.bPanelStride = nr * kcMax;
            this.edgeTileAt = mc / mr * aPanelStride(kernel, kcMax);
        }

        /** Makes this the product of columns [jc, jc + nc) of C (+)= op(A)·op(B) over {@code threads} threads. */
        void reset(GemmForm form, float[] c, int cOff, float[] a, int aOff, float[] b, int bOff, int m, int n, int k,
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
            this.panels = (nc + nr - 1) / nr;
            this.packUnits = (panels + PACK_PANELS - 1) / PACK_PANELS;
            // Blocks of C: MC rows each; when there are fewer than two per thread, the columns are
            // cut too (each piece then packs the same rows of A, a small cost at these shapes).
            int rowBlocks = (m + mc - 1) / mc;
            this.colChunks = threads == 1 ? 1 : Math.min(panels, Math.max(1, (2 * threads + rowBlocks - 1) / rowBlocks));
            this.panelsPerChunk = (panels + colChunks - 1) / colChunks;
            this.blocksOfC = rowBlocks * colChunks;
            this.itemsPerPhase = packUnits + blocksOfC;
            int phases = (k + kcMax - 1) / kcMax;
            this.items = phases * itemsPerPhase;
            this.packedB = bScratch(B_START + panels * bPanelStride);
            packed = cleared(packed, phases);
            computed = cleared(computed, phases);
            phasesDone = cleared(phasesDone, blocksOfC);
            next.set(0);
            failed = false;
        }

        /** The first {@code n} counters of {@code counters} set to zero, in a larger array if it holds fewer. */
        private static AtomicIntegerArray cleared(AtomicIntegerArray counters, int n) {
            if (counters.length() < n) {
                return new AtomicIntegerArray(n);
            }
            for (int i = 0; i < n; i++) {
                counters.set(i, 0);
            }
            return counters;
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
            int pc = q * kcMax;
            packB(form, packedB[q % 2], B_START + p0 * bPanelStride, bPanelStride, nr, b, bOff, n, k, pc,
                    Math.min(kcMax, k - pc), jc + p0 * nr, p1 - p0, Math.min(nc, p1 * nr) - p0 * nr);
        }

        /** Block of C {@code block} (MC rows, a chunk of column panels) for KC block q. */
        private void computeBlock(int q, int block) {
            int i0 = block / colChunks * mc;
            int rows = Math.min(mc, m - i0);
            int p0 = block % colChunks * panelsPerChunk;
            int p1 = Math.min(panels, p0 + panelsPerChunk);
            int pc = q * kcMax;
            int kc = Math.min(kcMax, k - pc);
            int aStride = aPanelStride(kernel, kc);
            boolean add = accumulate || q > 0;
            float[] packedA = aScratch(edgeTileAt + mr * nr);
            float[] pb = packedB[q % 2];
            packA(kernel, form, packedA, a, aOff, m, k, i0, rows, pc, kc);
            // Row panels outside, column panels inside: each A panel (MR x kc, 6-8 KiB) stays in L1
            // while the B panels stream from L2, and C is visited along its rows, so the hardware
            // prefetcher brings each tile's lines ahead. (The other order kept a B panel in L1 but
            // made every tile eight fresh 4 KiB-strided lines of C: waiting for them cost ~25%.)
            for (int ir = 0; ir < rows; ir += mr) {
                int tileRows = Math.min(mr, rows - ir);
                int aAt = ir / mr * aStride;
                for (int panel = p0; panel < p1; panel++) {
                    int bAt = B_START + panel * bPanelStride;
                    int jCol = jc + panel * nr;
                    int cols = Math.min(nr, jc + nc - jCol);
                    int cAt = cOff + (i0 + ir) * n + jCol;
                    if (tileRows == mr && cols == nr) {
                        if (add) {
                            kernel.multiplyAdd(packedA, aAt, pb, bAt, kc, c, cAt, n);
                        } else {
                            kernel.multiply(packedA, aAt, pb, bAt, kc, c, cAt, n);
                        }
                    } else {
                        edgeTile(kernel, packedA, aAt, pb, bAt, kc, c, cAt, n, add, tileRows, cols, edgeTileAt);
                    }
                }
            }
        }
    }

    /** Distance between the starts of two packed A panels kc deep. */
    private static int aPanelStride(MicroKernel kernel, int kc) {
        return kernel.rows() * kc + PANEL_PAD;
    }

    /** The calling thread's packed-A scratch, grown to at least {@code floats}. */
    private static float[] aScratch(int floats) {
        float[] scratch = A_SCRATCH.get();
        if (scratch.length < floats) {
            scratch = new float[floats];
            A_SCRATCH.set(scratch);
        }
        return scratch;
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
     * Packs rows [ic, ic+rows) x columns [pc, pc+kc) of op(A) as MR-row panels (MR = kernel.rows()):
     * dst[panel*aPanelStride(kc) + p*MR + r] = op(A)(ic + panel*MR + r, pc + p), zero past row m.
     * One method per storage layout, so that each is compiled on its own profile (with the forms
     * sharing one method, the first Aᵀ·B after A·B products deoptimised it and left Aᵀ·B packing
     * interpreted for seconds in some processes: 72 instead of 125 GFLOP/s).
     */
    private static void packA(MicroKernel kernel, GemmForm form, float[] dst, float[] a, int aOff, int m, int k,
                              int ic, int rows, int pc, int kc) {
        if (form == GemmForm.AtB) {
            packColumnsOfA(kernel, dst, a, aOff, m, ic, rows, pc, kc);
        } else {
            packRowsOfA(kernel, dst, a, aOff, m, k, ic, rows, pc, kc);
        }
    }

    /** {@link #packA} for A stored (m, k): each panel's MR rows read side by side. */
    private static void packRowsOfA(MicroKernel kernel, float[] dst, float[] a, int aOff, int m, int k, int ic,
                                    int rows, int pc, int kc) {
        int mr = kernel.rows();
        int stride = aPanelStride(kernel, kc);
        int fullPanels = rows / mr;
        for (int panel = 0; panel < fullPanels; panel++) {
            kernel.packRowPanel(dst, panel * stride, a, aOff + (ic + panel * mr) * k + pc, k, kc);
        }
        if (fullPanels * mr < rows) {
            int base = fullPanels * stride;
            int valid = rows - fullPanels * mr;
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    dst[base + p * mr + r] = r < valid ? a[aOff + (ic + fullPanels * mr + r) * k + pc + p] : 0f;
                }
            }
        }
    }

    /**
     * {@link #packA} for A stored (k, m), op(A) = Aᵀ: row p of storage holds column p of op(A),
     * each panel's MR values side by side. (Copied value by value, not as a 256-bit vector: a second
     * species in the process made C2 box the 512-bit vectors of other kernels.)
     */
    private static void packColumnsOfA(MicroKernel kernel, float[] dst, float[] a, int aOff, int m, int ic, int rows,
                                       int pc, int kc) {
        int mr = kernel.rows();
        int stride = aPanelStride(kernel, kc);
        int fullPanels = rows / mr;
        for (int panel = 0; panel < fullPanels; panel++) {
            kernel.packColumnPanel(dst, panel * stride, a, aOff + pc * m + ic + panel * mr, m, kc);
        }
        if (fullPanels * mr < rows) {
            int base = fullPanels * stride;
            int valid = rows - fullPanels * mr;
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    dst[base + p * mr + r] = r < valid ? a[aOff + (pc + p) * m + ic + fullPanels * mr + r] : 0f;
                }
            }
        }
    }

    /**
     * Eight rows of a row-major matrix side by side: dst[d + p*dStride + r] = src[s + r*ld + p]
     * for r < 8, p < count. Reading the eight rows together keeps every read and the eight
     * writes of each p contiguous (a 4 KiB-strided gather of one value per row was 1.5-2x slower).
     */
    static void interleaveEightRows(float[] dst, int d, int dStride, float[] src, int s, int ld, int count) {
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
     * Packs rows [pc, pc+kc) x columns [j0, j0+cols) of op(B) as {@code count} panels nr wide,
     * panel i at {@code at + i*stride}: dst[at + i*stride + p*nr + c] = op(B)(pc + p, j0 + i*nr + c),
     * zero past the last valid column; stride = nr * KC. One method per storage layout, as for A.
     */
    private static void packB(GemmForm form, float[] dst, int at, int stride, int nr, float[] b, int bOff, int n,
                              int k, int pc, int kc, int j0, int count, int cols) {
        if (form == GemmForm.ABt) {
            packRowsOfB(dst, at, stride, nr, b, bOff, k, pc, kc, j0, count, cols);
        } else {
            packColumnsOfB(dst, at, stride, nr, b, bOff, n, pc, kc, j0, count, cols);
        }
    }

    /**
     * {@link #packB} for B stored (n, k), op(B) = Bᵀ: column j of op(B) is row j of storage. Full
     * panels take their rows eight at a time (nr is a whole number of vectors, so a multiple of 8
     * on AVX2 and AVX-512; any rest goes value by value); the partial panel goes value by value.
     */
    private static void packRowsOfB(float[] dst, int at, int stride, int nr, float[] b, int bOff, int k, int pc,
                                    int kc, int j0, int count, int cols) {
        int full = cols / nr;
        for (int i = 0; i < count; i++) {
            int at0 = at + i * stride;
            int src = bOff + (j0 + i * nr) * k + pc;
            int valid = i < full ? nr : cols - i * nr;
            int c0 = 0;
            if (i < full) {
                for (; c0 + 8 <= nr; c0 += 8) {
                    interleaveEightRows(dst, at0 + c0, nr, b, src + c0 * k, k, kc);
                }
            }
            for (int p = 0; c0 < nr && p < kc; p++) {
                for (int c = c0; c < nr; c++) {
                    dst[at0 + p * nr + c] = c < valid ? b[src + c * k + p] : 0f;
                }
            }
        }
    }

    /**
     * {@link #packB} for B stored (k, n): walks each row of the block once, handing every full
     * panel its nr values (a contiguous read the prefetcher follows), then the partial panel.
     */
    private static void packColumnsOfB(float[] dst, int at, int stride, int nr, float[] b, int bOff, int n, int pc,
                                       int kc, int j0, int count, int cols) {
        int full = cols / nr;
        for (int p = 0; p < kc; p++) {
            int src = bOff + (pc + p) * n + j0;
            int d = at + p * nr;
            for (int i = 0; i < full; i++, src += nr, d += stride) {
                for (int v = 0; v < nr; v += L) {
                    FloatVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                }
            }
            if (full < count) {
                int valid = cols - full * nr;
                for (int c = 0; c < valid; c++) {
                    dst[d + c] = b[src + c];
                }
                for (int c = valid; c < nr; c++) {
                    dst[d + c] = 0f;
                }
            }
        }
    }

    /** A partial tile: the full micro-kernel into scratch, then a scalar add of the valid part into C. */
    private static void edgeTile(MicroKernel kernel, float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c,
                                 int cAt, int ldc, boolean add, int rows, int cols, int tileAt) {
        float[] scratch = A_SCRATCH.get();
        int nr = kernel.columns();
        kernel.multiply(pa, aAt, pb, bAt, kc, scratch, tileAt, nr);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                float v = scratch[tileAt + r * nr + j];
                c[cAt + r * ldc + j] = add ? c[cAt + r * ldc + j] + v : v;
            }
        }
    }
}
