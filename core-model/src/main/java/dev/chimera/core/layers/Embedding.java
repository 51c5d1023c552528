package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/**
 * The token input: row {@code id} of a (vocab, d) table per position; backward scatters the
 * gradient back. Its table is shared with a tied softmax head.
 */
public final class Embedding implements InputAdapter {
    private final String name;
    private final int vocab;
    private Tensor table;   // (vocab, d)
    private Tensor dTable;  // (vocab, d)

    public Embedding(Parameters.Builder b, String prefix, int vocab, int d) {
        this.name = prefix + ".weight";
        this.vocab = vocab;
        b.add(name, true, vocab, d);
    }

    @Override
    public void bind(Parameters p) {
        table = p.value(name);
        dTable = p.grad(name);
    }

    public int vocab() {
        return vocab;
    }

    /** The (vocab, d) table, shared with a tied softmax head. */
    public Tensor table() {
        return table;
    }

    public Tensor tableGrad() {
        return dTable;
    }

    /** An embedding needs no buffers. */
    @Override
    public InputAdapter.Activations allocate(Allocator alloc, int rows) {
        return null;
    }

    @Override
    public boolean takesTokens() {
        return true;
    }

    /** out (rows of d) = table[ids]; an id outside [0, vocab) is rejected with its position. */
    @Override
    public void forward(Backend k, Tensor out, Inputs in, InputAdapter.Activations a) {
        k.gatherRows(out, table, in.tokens());
    }

    /** dTable[ids[t]] += dOut[t]. */
    @Override
    public void backward(Backend k, Tensor dOut, Inputs in, InputAdapter.Activations a) {
        k.scatterAddRows(dTable, dOut, in.tokens());
    }
}
