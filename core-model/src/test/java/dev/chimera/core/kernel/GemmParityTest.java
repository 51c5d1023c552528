package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import dev.chimera.core.backend.Backend;

/**
 * {@link VectorBackend#gemm} (packed and direct paths, one and two threads, every micro-kernel
 * shape) against the {@link ScalarBackend} reference, for every {@link GemmForm}, overwrite and
 * accumulate.
 *
 * <p>Every product is computed once by the reference and then by each vector kernel on copies of
 * the same C, so the expensive reference runs only once per case.
 */
class GemmParityTest extends KernelParityFixture {
    private static final int[] SMALL = {1, 7, 17, 33};

    // ------------------------------------------------------------------ shapes and the comparison

    /** Shape of A for this form: (m,k), or (k,m) for AtB; with a leading batch axis when batch > 0. */
    static int[] aShape(GemmForm form, int batch, int m, int k) {
        return withBatch(batch, form == GemmForm.AtB ? new int[] {k, m} : new int[] {m, k});
    }

    /** Shape of B for this form: (k,n), or (n,k) for ABt. */
    static int[] bShape(GemmForm form, int batch, int n, int k) {
        return withBatch(batch, form == GemmForm.ABt ? new int[] {n, k} : new int[] {k, n});
    }

    /** The scalar reference, then {@link #everyGemmShape}. */
    private static Backend[] referenceAndEveryGemmShape() {
        Backend[] all = new Backend[1 + everyGemmShape.length];
        all[0] = REF;
        System.arraycopy(everyGemmShape, 0, all, 1, everyGemmShape.length);
        return all;
    }

    static int[] cShape(int batch, int m, int n) {
        return withBatch(batch, new int[] {m, n});
    }

    private static int[] withBatch(int batch, int[] s) {
        if (batch == 0) {
            return s;
        }
        int[] r = new int[s.length + 1];
        r[0] = batch;
        System.arraycopy(s, 0, r, 1, s.length);
        return r;
    }

    /**
     * Tolerance on |vector - reference| for one element of C.
     * Float32 sum of k products in a different (blocked, FMA) order: rounding errors of the partial
     * sums grow at most ~k*eps*max|a|*max|b| (observed: <= 0.5 of that for k in 1..1023); we allow 2x.
     */
    static double gemmAtol(int k, Tensor a, Tensor b) {
        return 2.0 * Math.max(k, 1) * Parity.EPS * Parity.maxAbs(a) * Parity.maxAbs(b);
    }

    /** The final rounding of C to float32 (the reference rounds a double once): a few ulps of |C|. */
    static final double GEMM_RTOL = 4 * Parity.EPS;

    /**
     * Runs one product (batch 0 means rank 2) on the reference and on the vector kernels of every
     * micro-kernel shape and thread count, and compares. For accumulate, C starts from random
     * values, so a kernel that overwrites fails.
     */
    static void check(GemmForm form, int batch, int m, int n, int k, boolean accumulate, long seed) {
        String what = "gemm " + form + (batch > 0 ? " batch " + batch : "") + " m=" + m + " n=" + n + " k=" + k
                + (accumulate ? " accumulate" : " overwrite");
        Tensor a = Tensor.uniform(seed, -1, 1, aShape(form, batch, m, k));
        Tensor b = Tensor.uniform(seed + 1, -1, 1, bShape(form, batch, n, k));
        // Overwrite must ignore what C held: start from large garbage so a stray += shows at once.
        Tensor c0 = accumulate ? Tensor.uniform(seed + 2, -1, 1, cShape(batch, m, n))
                : Tensor.uniform(seed + 2, 1000, 2000, cShape(batch, m, n));
        Tensor ref = c0.copy();
        REF.gemm(form, ref, a, b, accumulate);
        double atol = gemmAtol(k, a, b);
        for (VectorBackend v : everyGemmShape) {
            Tensor got = c0.copy();
            v.gemm(form, got, a, b, accumulate);
            Parity.assertClose(what + " on " + v.name(), ref, got, atol, GEMM_RTOL);
        }
    }

    // ------------------------------------------------------------------ small sizes, all combinations

    static Stream<Arguments> formsAndModes() {
        List<Arguments> out = new ArrayList<>();
        for (GemmForm f : GemmForm.values()) {
            out.add(Arguments.of(f, false));
            out.add(Arguments.of(f, true));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} accumulate={1}")
    @MethodSource("formsAndModes")
    void smallSizesAllCombinations(GemmForm form, boolean accumulate) {
        long seed = 100;
        for (int m : SMALL) {
            for (int n : SMALL) {
                for (int k : SMALL) {
                    check(form, 0, m, n, k, accumulate, seed += 3);
                }
            }
        }
    }

    // ------------------------------------------------------------------ larger and awkward sizes

    static Stream<Arguments> largeCases() {
        List<Arguments> out = new ArrayList<>();
        // One 1023^3 per form (the reference takes ~2 s each); modes alternate so both are covered.
        out.add(Arguments.of(GemmForm.AB, 1023, 1023, 1023, false));
        out.add(Arguments.of(GemmForm.ABt, 1023, 1023, 1023, true));
        out.add(Arguments.of(GemmForm.AtB, 1023, 1023, 1023, false));
        int[][] shapes = {
            {64, 1000, 1023},  // several KC blocks, k not a multiple of KC, edge column panel
            {193, 37, 257},    // one row past MC = 192 (12-row kernel), n and k = KC + 1 prime
            {131, 97, 61},     // primes: partial row panel for both shapes, partial column panel
            {25, 9, 256},      // two 12-row panels and one row; 8 rows x 3 and one; k = KC exactly
            {1000, 1023, 40},  // m = 1000: several MC row blocks, partial last block
            {17, 65, 300},     // k > KC = 256, not a multiple of it
            {33, 100, 513},    // k = 2*KC + 1
            {100, 33, 513},
            {9, 2100, 33},     // n > NC = 1024: three column blocks on the packed path
            {3, 2100, 33},     // n > 2048 on the direct path: five 512-column blocks
            {8, 4200, 17},     // three NC blocks, full MR rows only
            {9, 40, 1300},     // six KC phases: packing buffers reused twice over
            {150, 70, 30},     // two row blocks, one thread-sized: columns cut into chunks too
        };
        for (GemmForm f : GemmForm.values()) {
            for (int[] s : shapes) {
                out.add(Arguments.of(f, s[0], s[1], s[2], false));
                out.add(Arguments.of(f, s[0], s[1], s[2], true));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} accumulate={4}")
    @MethodSource("largeCases")
    void largeAndAwkwardSizes(GemmForm form, int m, int n, int k, boolean accumulate) {
        check(form, 0, m, n, k, accumulate, 31L * m + 17L * n + k);
    }

    /** m <= 4 takes the direct (no packing) path, m > 4 the packed path; n spans several column blocks. */
    @ParameterizedTest(name = "{0} accumulate={1}")
    @MethodSource("formsAndModes")
    void rowCountsAroundTheDirectPathLimit(GemmForm form, boolean accumulate) {
        for (int m : new int[] {1, 2, 3, 4, 5, 8, 9}) {
            // m*n*k >= 2^17 so the two-thread kernel really splits the work; n = 1100 is three direct column blocks.
            check(form, 0, m, 1100, 300, accumulate, 7000 + m);
            // Small enough to stay on the calling thread.
            check(form, 0, m, 40, 20, accumulate, 8000 + m);
        }
    }

    // ------------------------------------------------------------------ batched products

    @ParameterizedTest(name = "{0} accumulate={1}")
    @MethodSource("formsAndModes")
    void batchedSmallProducts(GemmForm form, boolean accumulate) {
        // Small products: spread over the pool one product per task.
        check(form, 3, 7, 17, 33, accumulate, 1);
        check(form, 3, 33, 1, 17, accumulate, 2);
        check(form, 3, 2, 40, 9, accumulate, 3);
        check(form, 3, 100, 50, 60, accumulate, 4); // packed path inside each batch task
        check(form, 1, 9, 33, 7, accumulate, 5);    // batch of one
    }

    @ParameterizedTest(name = "{0} accumulate={1}")
    @MethodSource("formsAndModes")
    void batchedLargeProducts(GemmForm form, boolean accumulate) {
        // 300*200*100 = 6M multiply-adds per product: each product is itself split over the pool.
        check(form, 2, 300, 200, 100, accumulate, 6);
    }

    /** A batched product must equal the products of its slices computed one at a time. */
    @ParameterizedTest
    @EnumSource(GemmForm.class)
    void batchedEqualsPerSliceProducts(GemmForm form) {
        int batch = 3;
        int m = 9;
        int n = 40;
        int k = 21;
        Tensor a = Tensor.uniform(41, -1, 1, aShape(form, batch, m, k));
        Tensor b = Tensor.uniform(42, -1, 1, bShape(form, batch, n, k));
        for (VectorBackend v : everyGemmShape) {
            Tensor c = Tensor.zeros(batch, m, n);
            v.gemm(form, c, a, b, false);
            for (int i = 0; i < batch; i++) {
                Tensor ci = Tensor.zeros(m, n);
                REF.gemm(form, ci, a.select(i).copy(), b.select(i).copy(), false);
                Parity.assertClose("batch slice " + i + " of " + form + " on " + v.name(), ci, c.select(i).copy(),
                        gemmAtol(k, a, b), GEMM_RTOL);
            }
        }
    }

    // ------------------------------------------------------------------ views with offsets

    static Stream<Arguments> viewCases() {
        List<Arguments> out = new ArrayList<>();
        for (GemmForm f : GemmForm.values()) {
            for (boolean acc : new boolean[] {false, true}) {
                out.add(Arguments.of(f, 0, 3, 40, 20, acc));     // direct path
                out.add(Arguments.of(f, 0, 9, 70, 300, acc));    // packed path, edge tiles, two KC blocks
                out.add(Arguments.of(f, 0, 2, 1100, 300, acc));  // direct path split over threads
                out.add(Arguments.of(f, 3, 7, 17, 33, acc));     // batched, small
                out.add(Arguments.of(f, 2, 300, 200, 100, acc)); // batched, large
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} batch={1} m={2} n={3} k={4} accumulate={5}")
    @MethodSource("viewCases")
    void viewsWithOffsetAreRespected(GemmForm form, int batch, int m, int n, int k, boolean accumulate) {
        long seed = 500 + m + n + k;
        Tensor a = Parity.paddedView(seed, 5, 13, aShape(form, batch, m, k));
        Tensor b = Parity.paddedView(seed + 1, 37, 3, bShape(form, batch, n, k));
        Tensor cView = Parity.paddedView(seed + 2, 11, 29, cShape(batch, m, n));
        Tensor ref = cView.copy();
        REF.gemm(form, ref, a.copy(), b.copy(), accumulate);
        double atol = gemmAtol(k, a.copy(), b.copy());

        for (Backend kernels : referenceAndEveryGemmShape()) {
            String what = "gemm " + form + " on views, " + kernels.name() + (accumulate ? " accumulate" : "");
            float[] aBefore = a.data().clone();
            float[] bBefore = b.data().clone();
            Tensor c = Tensor.wrap(cView.data().clone(), cView.offset(), cView.shape());
            float[] cBefore = c.data().clone();
            kernels.gemm(form, c, a, b, accumulate);
            Parity.assertClose(what, ref, c.copy(), atol, GEMM_RTOL);
            Parity.assertUntouched(what + ": C before the view", cBefore, c.data(), 0, c.offset());
            Parity.assertUntouched(what + ": C after the view", cBefore, c.data(), c.offset() + c.size(),
                    c.data().length);
            Parity.assertUntouched(what + ": A", aBefore, a.data(), 0, a.data().length);
            Parity.assertUntouched(what + ": B", bBefore, b.data(), 0, b.data().length);
        }
    }

    /** Operands taken with slice() and select() of bigger tensors (offsets that are multiples of a row). */
    @ParameterizedTest
    @EnumSource(GemmForm.class)
    void slicedAndSelectedOperands(GemmForm form) {
        int m = 9;
        int n = 35;
        int k = 19;
        Tensor aAll = Tensor.uniform(61, -1, 1, aShape(form, 5, m, k));
        Tensor bAll = Tensor.uniform(62, -1, 1, bShape(form, 4, n, k));
        Tensor cAll = Tensor.uniform(63, -1, 1, 6, m, n);
        // batched: slices of 2 products at different offsets in each operand
        Tensor a = aAll.slice(2, 4);
        Tensor b = bAll.slice(1, 3);
        Tensor ref = cAll.slice(3, 5).copy();
        REF.gemm(form, ref, a.copy(), b.copy(), true);
        Tensor cCopy = cAll.copy();
        vectors[1].gemm(form, cCopy.slice(3, 5), a, b, true);
        Parity.assertClose("sliced batched " + form, ref, cCopy.slice(3, 5).copy(), gemmAtol(k, a, b), GEMM_RTOL);
        for (int i : new int[] {0, 1, 2, 5}) {
            Parity.assertExact("untouched batch entry " + i, cAll.select(i).copy(), cCopy.select(i).copy());
        }
        // rank 2: select one product out of each
        Tensor ref2 = cAll.select(4).copy();
        REF.gemm(form, ref2, aAll.select(3).copy(), bAll.select(2).copy(), false);
        Tensor c2 = cAll.copy();
        vectors[0].gemm(form, c2.select(4), aAll.select(3), bAll.select(2), false);
        Parity.assertClose("selected " + form, ref2, c2.select(4).copy(), gemmAtol(k, aAll, bAll), GEMM_RTOL);
        Parity.assertExact("rest of C after select", cAll.slice(0, 4).copy(), c2.slice(0, 4).copy());
        Parity.assertExact("rest of C after select", cAll.slice(5, 6).copy(), c2.slice(5, 6).copy());
    }

    // ------------------------------------------------------------------ known values

    /** Hand-computed 2x2 products, so the reference itself is checked too. */
    @Test
    void knownTwoByTwoProducts() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[] {5, 6, 7, 8}, 2, 2);
        float[][] expected = {
            {19, 22, 43, 50}, // AB
            {17, 23, 39, 53}, // ABt = A * B^T
            {26, 30, 38, 44}, // AtB = A^T * B
        };
        for (Backend kernels : referenceAndEveryGemmShape()) {
            for (GemmForm f : GemmForm.values()) {
                Tensor c = Tensor.zeros(2, 2);
                kernels.gemm(f, c, a, b, false);
                assertEquals(Arrays.toString(expected[f.ordinal()]), Arrays.toString(c.toArray()),
                        kernels.name() + " " + f);
                kernels.gemm(f, c, a, b, true);
                float[] twice = expected[f.ordinal()].clone();
                for (int i = 0; i < 4; i++) {
                    twice[i] *= 2;
                }
                assertEquals(Arrays.toString(twice), Arrays.toString(c.toArray()), kernels.name() + " " + f + " +=");
            }
        }
    }
}
