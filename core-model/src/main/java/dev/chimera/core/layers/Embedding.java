package dev.chimera.core.layers;

import dev.chimera.core.model.Parameters;
import dev.chimera.core.tensor.Tensor;

/** Token embedding: row {@code id} of a (vocab, d) table per position; backward scatters the gradient back. */
public final class Embedding implements Layer {
    private final String name;
    private final int vocab;
    private final int d;
    private Tensor table;   // (vocab, d)
    private Tensor dTable;  // (vocab, d)

    public Embedding(Parameters.Builder b, String prefix, int vocab, int d) {
        this.name = prefix + ".weight";
        this.vocab = vocab;
        this.d = d;
        b.add(name, true, vocab, d);
    }

    @Override
    public void bind(Parameters p) {
        table = p.value(name);
        dTable = p.grad(name);
    }

    public String weightName() {
        return name;
    }

    /** The (vocab, d) table, shared with a tied softmax head. */
    public Tensor table() {
        return table;
    }

    public Tensor tableGrad() {
        return dTable;
    }

    /** out (rows, d) = table[ids]; an id outside [0, vocab) is rejected with its position. */
    public void forward(Tensor out, int[] ids) {
        Tensor o = Linear.rows(out, d);
        if (o.dim(0) != ids.length) {
            throw new IllegalArgumentException("embedding: " + ids.length + " ids for output " + out.shapeString());
        }
        for (int t = 0; t < ids.length; t++) {
            int id = ids[t];
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id " + id + " at position " + t + " is outside [0, " + vocab
                        + ")");
            }
            System.arraycopy(table.data(), table.offset() + id * d, o.data(), o.offset() + t * d, d);
        }
    }

    /** dTable[ids[t]] += dOut[t]. */
    public void backward(Tensor dOut, int[] ids) {
        Tensor g = Linear.rows(dOut, d);
        float[] dt = dTable.data();
        for (int t = 0; t < ids.length; t++) {
            int at = dTable.offset() + ids[t] * d;
            int go = g.offset() + t * d;
            for (int j = 0; j < d; j++) {
                dt[at + j] += g.data()[go + j];
            }
        }
    }
}
