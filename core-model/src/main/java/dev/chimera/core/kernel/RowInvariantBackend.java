package dev.chimera.core.kernel;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API backend with every row of every result the same bits whatever the other rows of
 * the batch ({@link Backend#rowInvariant}): every product takes the GEMM's unpacked path, which
 * computes a row on its own (the packed path, from five rows up, sums in KC blocks: another order),
 * and an activation computes its last few values with the same vector code as the rest (the plain
 * backend's scalar tail computes in double precision: other bits, and which values fall in the
 * tail depends on the batch). Fast for a decoding step's few rows, slower for large products. A
 * class of its own so that the plain backend's compiled code stays as it is.
 */
final class RowInvariantBackend extends VectorBackend {
    private static final VectorSpecies<Float> S = Simd.FLOAT;
    private static final int L = S.length();
    /** Per thread: an input and an output vector for {@link #vectorTail}. */
    private static final ThreadLocal<float[][]> TAIL = ThreadLocal.withInitial(() -> new float[2][L]);

    RowInvariantBackend(ComputePool pool, MicroKernel gemmKernel) {
        super(pool, gemmKernel, Integer.MAX_VALUE);
    }

    @Override
    public Backend rowInvariant() {
        return this;
    }

    @Override
    public String name() {
        return super.name().replace(")", ", row-invariant)");
    }

    /** Single-threaded: a decoding step's activations are small. */
    @Override
    public void activation(Activation f, Tensor out, Tensor x) {
        Shapes.same("activation", out, x);
        int end = S.loopBound(x.size());
        forward(f, out.data(), out.offset(), x.data(), x.offset(), 0, end);
        vectorTail(f, out.data(), out.offset(), x.data(), x.offset(), end, x.size());
    }

    /** The last values (fewer than a vector) through the vector code, in a scratch vector. */
    private static void vectorTail(Activation f, float[] o, int oo, float[] x, int xo, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return;
        }
        float[][] scratch = TAIL.get();
        float[] in = scratch[0];
        float[] out = scratch[1];
        System.arraycopy(x, xo + from, in, 0, n);
        forward(f, out, 0, in, 0, 0, L);
        System.arraycopy(out, 0, o, oo + from, n);
    }
}
