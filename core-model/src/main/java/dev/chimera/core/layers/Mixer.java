package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The sequence-mixing half of a block: Mamba2 or attention. Training runs the parallel form
 * over (batch, T, d); inference runs a separate, explicit recurrent path over a {@link State}
 * per sequence, and {@code prefill} then {@code step} must equal the parallel forward.
 *
 * <p>Inference works in {@link Workspace} buffers allocated once for a largest batch and prefill
 * length, and shared by every mixer of the same kind in a decoder (layers run one after another);
 * a step over n <= maxBatch sequences allocates nothing.
 */
public interface Mixer extends Layer {

    /** What forward saves for backward, allocated for one (batch, T). */
    interface Activations {
    }

    /** Inference buffers of one mixer kind, for up to maxBatch sequences and maxLength prefill positions. */
    interface Workspace {
    }

    /** The recurrent state of one sequence in this layer. */
    interface State {
        State copy();

        /** Makes this state equal to {@code other} (a state of the same layer) without allocating. */
        void copyFrom(State other);

        void write(DataOutput out) throws IOException;

        /** Reads what {@link #write} wrote into this state, in place. */
        void read(DataInput in) throws IOException;
    }

    Activations allocate(Allocator alloc, int batch, int seqlen);

    /** y (batch, T, d) from x (batch, T, d). */
    void forward(Backend k, Tensor y, Tensor x, Activations a);

    /** dx (batch, T, d) overwritten; parameter gradients accumulated. */
    void backward(Backend k, Tensor dx, Tensor dy, Tensor x, Activations a);

    /** A fresh state for a sequence at position 0, with room for {@code capacity} positions where that matters. */
    State newState(int capacity);

    /** Inference buffers for steps of up to maxBatch sequences and prefills of up to maxBatch x maxLength positions. */
    Workspace allocateWorkspace(Allocator alloc, int maxBatch, int maxLength);

    /**
     * Continues n = x.dim(0) sequences, each by lengths[i] <= T positions of x (n, T, d) (rows past
     * a sequence's length are padding: their outputs in y (n, T, d) are meaningless and they leave
     * the states untouched), advancing states[i].
     */
    void prefill(Backend k, Tensor y, Tensor x, State[] states, int[] lengths, Workspace w);

    /** One position for each of n = x.dim(0) sequences: y, x (n, d); states[i] advances by one. */
    void step(Backend k, Tensor y, Tensor x, State[] states, Workspace w);
}
