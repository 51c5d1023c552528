package dev.chimera.cli;

import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Times GEMM cases on Chimera's kernels: the best of repeated runs within a time budget,
 * after a warm-up, reported as GFLOP/s (2*m*n*k per product).
 */
final class GemmBenchmark {

    /** One product to time; {@code label} says where it comes from (a square size or a decoder layer). */
    static final class Case {
        final String label;
        final GemmForm form;
        final int m;
        final int n;
        final int k;

        Case(String label, GemmForm form, int m, int n, int k) {
            this.label = label;
            this.form = form;
            this.m = m;
            this.n = n;
            this.k = k;
        }

        double flops() {
            return 2.0 * m * n * k;
        }

        Tensor aShape() {
            return form == GemmForm.AtB ? Tensor.uniform(1, -1, 1, k, m) : Tensor.uniform(1, -1, 1, m, k);
        }

        Tensor bShape() {
            return form == GemmForm.ABt ? Tensor.uniform(2, -1, 1, n, k) : Tensor.uniform(2, -1, 1, k, n);
        }
    }

    /** Square N x N x N cases for each size and form. */
    static List<Case> square(List<Integer> sizes, List<GemmForm> forms) {
        List<Case> cases = new ArrayList<>();
        for (int size : sizes) {
            for (GemmForm form : forms) {
                cases.add(new Case("square " + size, form, size, size, size));
            }
        }
        return cases;
    }

    /**
     * The products of one MLP up-projection over T tokens, X(T,C)·W(C,4C): forward (AB),
     * input gradient dY·Wᵀ (ABt) and weight gradient Xᵀ·dY (AtB).
     */
    static List<Case> layers(int tokens, int[] widths, List<GemmForm> forms) {
        List<Case> cases = new ArrayList<>();
        for (int c : widths) {
            String label = "layer T=" + tokens + " C=" + c;
            for (GemmForm form : forms) {
                switch (form) {
                    case AB:
                        cases.add(new Case(label, form, tokens, 4 * c, c));
                        break;
                    case ABt:
                        cases.add(new Case(label, form, tokens, c, 4 * c));
                        break;
                    case AtB:
                        cases.add(new Case(label, form, c, 4 * c, tokens));
                        break;
                    default:
                        throw new AssertionError(form);
                }
            }
        }
        return cases;
    }

    /** GFLOP/s of the best run of {@code c} within {@code seconds} (at least three timed runs). */
    static double measure(Backend kernels, Case c, double seconds) {
        Tensor a = c.aShape();
        Tensor b = c.bShape();
        Tensor out = Tensor.zeros(c.m, c.n);
        long budget = (long) (seconds * 1e9);
        long warmEnd = System.nanoTime() + budget / 4;
        int warm = 0;
        while (warm < 2 || System.nanoTime() < warmEnd) {
            kernels.gemm(c.form, out, a, b, false);
            warm++;
        }
        long best = Long.MAX_VALUE;
        long end = System.nanoTime() + budget;
        for (int runs = 0; runs < 3 || System.nanoTime() < end; runs++) {
            long t0 = System.nanoTime();
            kernels.gemm(c.form, out, a, b, false);
            best = Math.min(best, System.nanoTime() - t0);
        }
        return c.flops() / best;
    }
}
