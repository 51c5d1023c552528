package dev.chimera.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Kernels#sum} and {@link Kernels#mean} over every axis: vector against scalar, and shape checks. */
class ReductionParityTest extends KernelParityFixture {
    static Stream<Arguments> shapes() {
        int[][] shapes = {
            {1}, {7}, {17}, {33}, {1000}, {1023}, {70000},
            {7, 33}, {33, 7}, {1, 1023}, {1023, 1}, {17, 1000}, {1000, 17},
            {70, 1023},      // 70 rows of 1023 over axis 1: rows split over the pool
            {3, 7, 17}, {17, 1, 33}, {1, 1, 1}, {7, 17, 1}, {2, 1000, 33},
            {5, 33, 1023},   // axis 1: 5 outer blocks of 33 x 1023, split over the pool
            {40, 50, 33},
        };
        List<Arguments> out = new ArrayList<>();
        for (int[] s : shapes) {
            out.add(Arguments.of(s));
        }
        return out.stream();
    }

    private static int[] without(int[] shape, int axis) {
        int[] r = new int[shape.length - 1];
        for (int d = 0, e = 0; d < shape.length; d++) {
            if (d != axis) {
                r[e++] = shape[d];
            }
        }
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sumAndMeanParityOverEveryAxis(int[] shape) {
        Tensor x = Tensor.uniform(Arrays.hashCode(shape), -1, 1, shape);
        double maxX = Parity.maxAbs(x);
        for (int axis = 0; axis < shape.length; axis++) {
            int n = shape[axis];
            int[] outShape = without(shape, axis);
            Tensor refSum = Tensor.zeros(outShape);
            Tensor refMean = Tensor.zeros(outShape);
            REF.sum(refSum, x, axis);
            REF.mean(refMean, x, axis);
            // Float32 sum of n terms (in lanes or in order) vs a double sum rounded once: the rounding errors
            // of partial sums of size ~sqrt(k)*|x| add up to ~n*u*|x| typically (worst case (n-1)*u*sum|x|);
            // allow n*eps*max|x|. The mean is that divided by n, plus one rounding of the division/scaling.
            double sumAtol = Math.max(n, 1) * Parity.EPS * maxX;
            double meanAtol = Parity.EPS * maxX;
            for (VectorKernels v : vectors) {
                String what = Tensor.shapeString(shape) + " axis " + axis + " " + v.name();
                Tensor sum = Tensor.uniform(1, 100, 200, outShape); // garbage: out must be overwritten
                Tensor mean = Tensor.uniform(2, 100, 200, outShape);
                v.sum(sum, x, axis);
                v.mean(mean, x, axis);
                Parity.assertClose("sum " + what, refSum, sum, sumAtol, 2 * Parity.EPS);
                Parity.assertClose("mean " + what, refMean, mean, meanAtol, 2 * Parity.EPS);
            }
        }
    }

    @Test
    void knownValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        for (Kernels k : new Kernels[] {REF, vectors[0], vectors[1]}) {
            Tensor s0 = Tensor.zeros(3);
            k.sum(s0, x, 0);
            assertEquals("[5.0, 7.0, 9.0]", Arrays.toString(s0.toArray()), k.name());
            Tensor s1 = Tensor.zeros(2);
            k.sum(s1, x, 1);
            assertEquals("[6.0, 15.0]", Arrays.toString(s1.toArray()), k.name());
            k.mean(s1, x, 1);
            assertEquals("[2.0, 5.0]", Arrays.toString(s1.toArray()), k.name());
            k.mean(s0, x, 0);
            assertEquals("[2.5, 3.5, 4.5]", Arrays.toString(s0.toArray()), k.name());
            // rank 1 to rank 0
            Tensor scalar = Tensor.zeros();
            k.sum(scalar, Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, 17), 0);
            assertEquals(153f, scalar.at(0), 0, k.name());
            // (2,2,2) over the middle axis
            Tensor y = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2);
            Tensor m = Tensor.zeros(2, 2);
            k.sum(m, y, 1);
            assertEquals("[4.0, 6.0, 12.0, 14.0]", Arrays.toString(m.toArray()), k.name());
        }
    }

    @Test
    void viewsWithOffsetAreRespected() {
        int[] shape = {9, 37, 5};
        Tensor x = Parity.paddedView(3, 7, 11, shape);
        for (Kernels k : new Kernels[] {REF, vectors[0], vectors[1]}) {
            for (int axis = 0; axis < 3; axis++) {
                int[] outShape = without(shape, axis);
                Tensor ref = Tensor.zeros(outShape);
                REF.sum(ref, x.copy(), axis);
                Tensor out = Parity.paddedView(4, 5, 3, outShape);
                float[] before = out.data().clone();
                k.sum(out, x, axis);
                String what = k.name() + " sum over axis " + axis + " on views";
                Parity.assertClose(what, ref, out.copy(), shape[axis] * Parity.EPS, 2 * Parity.EPS);
                Parity.assertUntouched(what + " head", before, out.data(), 0, out.offset());
                Parity.assertUntouched(what + " tail", before, out.data(), out.offset() + out.size(),
                        out.data().length);
                Tensor refMean = Tensor.zeros(outShape);
                REF.mean(refMean, x.copy(), axis);
                k.mean(out, x, axis);
                Parity.assertClose(what + " (mean)", refMean, out.copy(), Parity.EPS, 2 * Parity.EPS);
            }
        }
    }

    @Test
    void wrongOutputShapeNamesBothShapes() {
        Tensor x = Tensor.zeros(3, 4, 5);
        for (Kernels k : new Kernels[] {REF, vectors[1]}) {
            for (boolean mean : new boolean[] {false, true}) {
                int[][] bad = {{3, 5}, {4, 5, 1}, {3, 4, 5}, {20}, {5, 4}};
                int[] axes = {0, 1, 2, 0, 1};
                for (int i = 0; i < bad.length; i++) {
                    Tensor out = Tensor.zeros(bad[i]);
                    int axis = axes[i];
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                            () -> reduce(k, mean, out, x, axis), k.name() + " out " + out.shapeString());
                    assertTrue(e.getMessage().contains(out.shapeString()) && e.getMessage().contains("(3, 4, 5)"),
                            k.name() + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void axisOutOfRangeIsRejected() {
        Tensor x = Tensor.zeros(3, 4);
        for (Kernels k : new Kernels[] {REF, vectors[1]}) {
            assertThrows(IllegalArgumentException.class, () -> k.sum(Tensor.zeros(3), x, 2));
            assertThrows(IllegalArgumentException.class, () -> k.sum(Tensor.zeros(3), x, -1));
            assertThrows(IllegalArgumentException.class, () -> k.mean(Tensor.zeros(4), x, 5));
        }
    }

    @Test
    void emptyAxis() {
        for (Kernels k : new Kernels[] {REF, vectors[0], vectors[1]}) {
            // mean over an empty axis has no value: it throws and names the axis and the shape
            Tensor x = Tensor.zeros(3, 0, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> k.mean(Tensor.zeros(3, 4), x, 1), k.name());
            assertTrue(e.getMessage().contains("(3, 0, 4)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> k.mean(Tensor.zeros(), Tensor.zeros(0), 0), k.name());
            assertThrows(IllegalArgumentException.class, () -> k.mean(Tensor.zeros(5), Tensor.zeros(5, 0), 1),
                    k.name());
            // ...while a sum over an empty axis is zero, and must overwrite what out held
            Tensor out = Tensor.uniform(1, 1, 2, 3, 4);
            k.sum(out, x, 1);
            Parity.assertExact(k.name() + " sum over empty axis", Tensor.zeros(3, 4), out);
            Tensor out2 = Tensor.uniform(2, 1, 2, 5);
            k.sum(out2, Tensor.zeros(5, 0), 1);
            Parity.assertExact(k.name() + " sum over empty last axis", Tensor.zeros(5), out2);
            // reducing a non-empty axis of an empty tensor is fine: an empty result
            k.mean(Tensor.zeros(0), Tensor.zeros(0, 5), 1);
        }
    }

    private static void reduce(Kernels k, boolean mean, Tensor out, Tensor x, int axis) {
        if (mean) {
            k.mean(out, x, axis);
        } else {
            k.sum(out, x, axis);
        }
    }
}
