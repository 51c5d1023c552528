package dev.chimera.core.kernel;

/**
 * The register-blocked micro-kernel of {@link PackedGemm} and the cache blocking chosen with it:
 * C[0..MR, 0..NR) (+)= Apanel(MR x kc) · Bpanel(kc x NR), MR = {@link #rows}, NR = {@link #columns},
 * with the accumulators held in vector registers for the whole kc loop (Goto and van de Geijn,
 * "Anatomy of high-performance matrix multiplication", 2008; the BLIS micro-kernel of Van Zee and
 * van de Geijn, 2015). A packed A panel holds MR values per step of k, a packed B panel NR.
 *
 * <p>The shape is set by the register file: each step needs the accumulators, the vectors of B and
 * the broadcasts of A live at once. AVX-512 (16 float lanes) has 32 registers: 8 rows x 2 vectors
 * (16 + 2 + up to 8 = 26). AVX2 (8 lanes) has 16: 12 rows x 1 vector (12 + 1 + 1-2 = 14-15).
 * BLIS's Haswell shape, 6 rows x 2 vectors, needs 12 + 2 + 1 = 15 in principle, but C2 schedules
 * two broadcasts at a time, so its loop needs all 16 registers, and in about half of the JIT
 * compilations (it depends on the profile at compile time) the register allocator then moves one
 * accumulator through the stack every step: 57-66 instead of 93-99 GFLOP/s for the kernel alone
 * on an AVX-512 Xeon under {@code -XX:UseAVX=2} (its FMA peak there: about 107). The 12 x 1 shape
 * keeps the same 12 accumulators with a register to spare, and compiled the same way every time
 * (95-97 GFLOP/s alone).
 *
 * <p>One implementation per shape, each kernel written out with named accumulators: a loop over a
 * row-count variable would keep the accumulators in an array, which C2 does not hold in registers.
 */
interface MicroKernel {
    /** Rows of C per micro-kernel call (MR): the height of a packed A panel. */
    int rows();

    /** Columns of C per micro-kernel call (NR, whole vectors): the width of a packed B panel. */
    int columns();

    /** Rows of A packed at a time (MC, a multiple of {@link #rows}): the packed block stays in L2. */
    int rowBlock();

    /** Depth of the packed panels (KC): one A panel (rows x KC) stays in L1 while B panels stream past. */
    int depthBlock();

    /**
     * {@link #rows} rows of a row-major matrix side by side:
     * dst[d + p*rows + r] = src[s + r*ld + p] for p < count.
     */
    void packRowPanel(float[] dst, int d, float[] src, int s, int ld, int count);

    /**
     * {@link #rows} consecutive values of each of {@code count} rows of a row-major matrix:
     * dst[d + p*rows + r] = src[s + p*ld + r].
     */
    void packColumnPanel(float[] dst, int d, float[] src, int s, int ld, int count);

    /** C[0..MR, 0..NR) = Apanel · Bpanel, C at {@code cAt} with row stride {@code ldc}. */
    void multiply(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc);

    /** C[0..MR, 0..NR) += Apanel · Bpanel. */
    void multiplyAdd(float[] pa, int aAt, float[] pb, int bAt, int kc, float[] c, int cAt, int ldc);

    /**
     * The kernel for vectors of {@code lanes} floats: 16 lanes or more means AVX-512's 32 registers;
     * fewer means AVX2's (or SSE's) 16.
     */
    static MicroKernel forLanes(int lanes) {
        return lanes >= 16 ? new EightRowKernel() : new TwelveRowKernel();
    }

    /** The kernel of {@code rows} rows (8 or 12), whatever the machine: for tests of both shapes. */
    static MicroKernel ofRows(int rows) {
        switch (rows) {
            case 8:
                return new EightRowKernel();
            case 12:
                return new TwelveRowKernel();
            default:
                throw new IllegalArgumentException("micro-kernel rows must be 8 or 12, got " + rows);
        }
    }
}
