package dev.chimera.core.kernel;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.CausalConvOp;
import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The causal conv's training passes: the vector kernels on one and two threads give the reference's
 * bits (each channel's sums run in the same order whatever the lanes, tasks or threads), on channel
 * counts below a vector, between vectors and split over threads with a ragged end, on sequences
 * shorter than the kernel and longer than a backward tile, with the forward's row tasks straddling
 * sequences, and on views with offsets. The reference itself is checked
 * against the formula and finite differences in MambaPartsGradientTest.
 */
class CausalConvolutionTest extends KernelParityFixture {

    @Test
    void vectorKernelsGiveTheReferenceBitsOnAwkwardShapes() {
        int[][] shapes = { // batch, T, channels, width
            {1, 1, 5, 4}, {2, 3, 37, 4}, {3, 50, 64, 4}, {2, 17, 147, 4}, {1, 9, 131, 1}, {2, 12, 70, 7},
            {3, 100, 21, 4}, {1, 300, 640, 4}};
        long seed = 1;
        for (int[] s : shapes) {
            int batch = s[0];
            int seqlen = s[1];
            int channels = s[2];
            int width = s[3];
            String what = "batch " + batch + ", T " + seqlen + ", C " + channels + ", K " + width;
            Tensor x = Parity.paddedView(seed++, 3, 5, batch, seqlen, channels);
            Tensor weight = Parity.paddedView(seed++, 1, 2, channels, width);
            Tensor bias = Parity.paddedView(seed++, 2, 1, channels);
            Tensor dy = Parity.paddedView(seed++, 4, 3, batch, seqlen, channels);
            Result ref = run(REF, x, weight, bias, dy, seed++);
            for (Tensor t : new Tensor[] {ref.y, ref.dx, ref.dweight, ref.dbias}) {
                Parity.assertFinite("conv reference " + what + " (read only its views)", t);
            }
            for (Backend k : vectors) {
                Result got = run(k, x, weight, bias, dy, seed - 1);
                Parity.assertExact("conv forward " + what + " " + k.name(), ref.y, got.y);
                Parity.assertExact("conv dx " + what + " " + k.name(), ref.dx, got.dx);
                Parity.assertExact("conv dweight " + what + " " + k.name(), ref.dweight, got.dweight);
                Parity.assertExact("conv dbias " + what + " " + k.name(), ref.dbias, got.dbias);
            }
        }
    }

    private record Result(Tensor y, Tensor dx, Tensor dweight, Tensor dbias) {
    }

    /** One forward and backward; dweight and dbias start from seeded values (they accumulate), dx from garbage. */
    private static Result run(Backend k, Tensor x, Tensor weight, Tensor bias, Tensor dy, long seed) {
        int channels = x.dim(2);
        int width = weight.dim(1);
        CausalConvOp op = k.causalConv(channels, width);
        Tensor y = Parity.paddedView(seed, 2, 2, x.shape());
        Tensor dx = Parity.paddedView(seed + 100, 1, 6, x.shape());
        Tensor dweight = Parity.paddedView(seed + 200, 3, 1, channels, width);
        Tensor dbias = Parity.paddedView(seed + 300, 1, 1, channels);
        op.forward(y, x, weight, bias);
        op.backward(dx, dweight, dbias, dy, x, weight);
        return new Result(y.copy(), dx.copy(), dweight.copy(), dbias.copy());
    }
}
