package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import dev.chimera.core.backend.Backend;

/** Shape checking of {@link Backend#gemm} and the k = 0 edge case, for both implementations. */
class GemmShapeTest {
    private static ComputePool pool;
    private static Backend[] kernels;

    @BeforeAll
    static void setUp() {
        pool = new ComputePool(2);
        kernels = new Backend[] {new ScalarBackend(), new VectorBackend(pool)};
    }

    @AfterAll
    static void tearDown() {
        pool.close();
    }

    private static int[] prepend1(int[] s) {
        int[] r = new int[s.length + 1];
        r[0] = 1;
        System.arraycopy(s, 0, r, 1, s.length);
        return r;
    }

    private static void assertRejected(Backend k, GemmForm form, Tensor c, Tensor a, Tensor b, String why) {
        for (boolean accumulate : new boolean[] {false, true}) {
            float[] cBefore = c.toArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.gemm(form, c, a, b, accumulate), k.name() + " " + form + ": " + why);
            String msg = e.getMessage();
            for (Tensor t : new Tensor[] {c, a, b}) {
                assertTrue(msg != null && msg.contains(t.shapeString()),
                        k.name() + " " + form + " (" + why + "): message should name " + t.shapeString() + ": " + msg);
            }
            assertTrue(java.util.Arrays.equals(cBefore, c.toArray()), "C changed by a rejected gemm: " + why);
        }
    }

    static Stream<Arguments> kernelsAndForms() {
        Stream.Builder<Arguments> s = Stream.builder();
        for (String k : new String[] {"scalar", "vector"}) {
            for (GemmForm f : GemmForm.values()) {
                s.add(Arguments.of(k, f));
            }
        }
        return s.build();
    }

    private static Backend pick(String name) {
        return name.equals("scalar") ? kernels[0] : kernels[1];
    }

    /** A correctly shaped (C, A, B) for the form, for m=3, n=5, k=4. */
    private static Tensor[] good(GemmForm form, int batch) {
        return new Tensor[] {
            Tensor.zeros(GemmParityTest.cShape(batch, 3, 5)),
            Tensor.uniform(1, -1, 1, GemmParityTest.aShape(form, batch, 3, 4)),
            Tensor.uniform(2, -1, 1, GemmParityTest.bShape(form, batch, 5, 4)),
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndForms")
    void innerDimensionMismatchIsRejected(String name, GemmForm form) {
        Backend k = pick(name);
        Tensor[] t = good(form, 0);
        // B with k = 6 instead of 4
        Tensor b = Tensor.zeros(GemmParityTest.bShape(form, 0, 5, 6));
        assertRejected(k, form, t[0], t[1], b, "inner dimensions 4 vs 6");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndForms")
    void wrongOutputShapeIsRejected(String name, GemmForm form) {
        Backend k = pick(name);
        Tensor[] t = good(form, 0);
        assertRejected(k, form, Tensor.zeros(5, 3), t[1], t[2], "C transposed");
        assertRejected(k, form, Tensor.zeros(3, 6), t[1], t[2], "C one column too many");
        assertRejected(k, form, Tensor.zeros(4, 5), t[1], t[2], "C one row too many");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndForms")
    void noBroadcasting(String name, GemmForm form) {
        Backend k = pick(name);
        // The example from the spec, in the storage layout of each form: C (4,5) for a (4,3)x(3,6) product.
        Tensor a = Tensor.zeros(GemmParityTest.aShape(form, 0, 4, 3));
        Tensor b = Tensor.zeros(GemmParityTest.bShape(form, 0, 6, 3));
        assertRejected(k, form, Tensor.zeros(4, 5), a, b, "C (4, 5) for a (4, 6) product");
        // Size-1 axes are not stretched either.
        assertRejected(k, form, Tensor.zeros(1, 6), a, b, "C with one row for a 4-row product");
        assertRejected(k, form, Tensor.zeros(4, 1), a, b, "C with one column for a 6-column product");
        // Nor is a rank-2 operand broadcast over a batch.
        Tensor[] t = good(form, 2);
        assertRejected(k, form, t[0], t[1], t[2].select(0), "rank-2 B with rank-3 A and C");
        assertRejected(k, form, t[0], t[1].select(0), t[2], "rank-2 A with rank-3 B and C");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndForms")
    void rankMismatchIsRejected(String name, GemmForm form) {
        Backend k = pick(name);
        Tensor[] t = good(form, 0);
        assertRejected(k, form, t[0].view(1, 3, 5), t[1], t[2], "rank-3 C");
        assertRejected(k, form, t[0], t[1].view(12), t[2], "rank-1 A");
        assertRejected(k, form, t[0].view(15), t[1].view(12), t[2].view(20), "all rank 1");
        assertRejected(k, form, t[0].view(1, 1, 3, 5), t[1].view(prepend1(GemmParityTest.aShape(form, 1, 3, 4))),
                t[2].view(prepend1(GemmParityTest.bShape(form, 1, 5, 4))), "all rank 4");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndForms")
    void batchMismatchIsRejected(String name, GemmForm form) {
        Backend k = pick(name);
        Tensor c2 = Tensor.zeros(GemmParityTest.cShape(2, 3, 5));
        Tensor a2 = Tensor.zeros(GemmParityTest.aShape(form, 2, 3, 4));
        Tensor b2 = Tensor.zeros(GemmParityTest.bShape(form, 2, 5, 4));
        Tensor c3 = Tensor.zeros(GemmParityTest.cShape(3, 3, 5));
        Tensor a3 = Tensor.zeros(GemmParityTest.aShape(form, 3, 3, 4));
        Tensor b3 = Tensor.zeros(GemmParityTest.bShape(form, 3, 5, 4));
        assertRejected(k, form, c3, a2, b2, "C batch 3, A and B batch 2");
        assertRejected(k, form, c2, a3, b2, "A batch 3");
        assertRejected(k, form, c2, a2, b3, "B batch 3");
        assertRejected(k, form, c2, a2, Tensor.zeros(GemmParityTest.bShape(form, 1, 5, 4)), "B batch 1 (no broadcast)");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndForms")
    void messageShowsShapesInParentheses(String name, GemmForm form) {
        Backend k = pick(name);
        // A literal check of the format, independent of Tensor.shapeString.
        Tensor c = Tensor.zeros(3, 4);
        Tensor a = Tensor.zeros(GemmParityTest.aShape(form, 0, 3, 2));
        Tensor b = Tensor.zeros(GemmParityTest.bShape(form, 0, 5, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.gemm(form, c, a, b, false));
        assertTrue(e.getMessage().contains("(3, 4)"), e.getMessage());
        String aStr = form == GemmForm.AtB ? "(2, 3)" : "(3, 2)";
        String bStr = form == GemmForm.ABt ? "(5, 2)" : "(2, 5)";
        assertTrue(e.getMessage().contains(aStr), e.getMessage());
        assertTrue(e.getMessage().contains(bStr), e.getMessage());
    }

    // ------------------------------------------------------------------ k = 0

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndForms")
    void emptyInnerDimension(String name, GemmForm form) {
        Backend k = pick(name);
        // m = 3 (direct path on the vector kernels) and m = 9 (packed path), rank 2 and batched.
        for (int m : new int[] {3, 9}) {
            for (int batch : new int[] {0, 2}) {
                int n = 37;
                Tensor a = Tensor.zeros(GemmParityTest.aShape(form, batch, m, 0));
                Tensor b = Tensor.zeros(GemmParityTest.bShape(form, batch, n, 0));
                Tensor c0 = Tensor.uniform(9, 1, 2, GemmParityTest.cShape(batch, m, n));

                Tensor c = c0.copy();
                k.gemm(form, c, a, b, false);
                Parity.assertExact(k.name() + " " + form + " k=0 overwrite gives zeros", Tensor.zeros(c.shape()), c);

                c = c0.copy();
                k.gemm(form, c, a, b, true);
                Parity.assertExact(k.name() + " " + form + " k=0 accumulate leaves C", c0, c);
            }
        }
    }

    /** m = 0 or n = 0: nothing to compute, and nothing to throw. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kernelsAndForms")
    void emptyOutput(String name, GemmForm form) {
        Backend k = pick(name);
        Tensor a = Tensor.uniform(1, -1, 1, GemmParityTest.aShape(form, 0, 0, 5));
        Tensor b = Tensor.uniform(2, -1, 1, GemmParityTest.bShape(form, 0, 4, 5));
        Tensor c = Tensor.zeros(0, 4);
        k.gemm(form, c, a, b, false);
        Tensor a2 = Tensor.uniform(1, -1, 1, GemmParityTest.aShape(form, 0, 4, 5));
        Tensor b2 = Tensor.uniform(2, -1, 1, GemmParityTest.bShape(form, 0, 0, 5));
        k.gemm(form, Tensor.zeros(4, 0), a2, b2, true);
        // ...but an empty C of the wrong shape is still rejected.
        assertRejected(k, form, Tensor.zeros(0, 5), a, b, "empty C with the wrong column count");
    }
}
