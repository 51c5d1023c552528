package dev.chimera.core.layers;

import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.tensor.Tensor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The sequence-mixing half of a block: Mamba2 or attention. Training runs the parallel form
 * over (batch, T, d); inference runs a separate, explicit recurrent path over a {@link State}
 * per sequence, and {@code prefill} then {@code step} must equal the parallel forward.
 */
public interface Mixer extends Layer {

    /** What forward saves for backward, allocated for one (batch, T). */
    interface Activations {
    }

    /** The recurrent state of one sequence in this layer. */
    interface State {
        State copy();

        void write(DataOutput out) throws IOException;

        void read(DataInput in) throws IOException;
    }

    Activations allocate(int batch, int seqlen);

    /** y (batch, T, d) from x (batch, T, d). */
    void forward(Kernels k, Tensor y, Tensor x, Activations a);

    /** dx (batch, T, d) overwritten; parameter gradients accumulated. */
    void backward(Kernels k, Tensor dx, Tensor dy, Tensor x, Activations a);

    /** A fresh state for a sequence at position 0, with room for {@code maxLength} positions where that matters. */
    State newState(int maxLength);

    /** Runs the parallel forward over one sequence x (1, T, d) into y and leaves its end state in {@code state}. */
    void prefill(Kernels k, Tensor y, Tensor x, State state);

    /** One position for each of n independent sequences: y, x (n, d); states[i] advances by one. */
    void step(Kernels k, Tensor y, Tensor x, State[] states);
}
