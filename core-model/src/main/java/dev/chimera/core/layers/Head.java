package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;

/**
 * What the decoder predicts at each position, from the final-norm hidden state h (rows, d):
 * trained with a loss against {@link Targets} and read at inference as an output per row (logits,
 * a binned density, values, ...). Heads are made by name from the model config
 * ({@link dev.chimera.core.model.Components}), so a domain module adds its own (a quantile head,
 * an action-chunk head, a classifier) by writing one class and registering its factory.
 *
 * <p>{@link Layer}'s conventions hold: the constructor declares the parameters, {@code bind}
 * takes their views; forward saves what backward needs in the head's {@link Activations};
 * backward overwrites dh and accumulates parameter gradients.
 */
public interface Head extends Layer {

    /** A head's buffers for a fixed number of rows; only the head that made them may use them. */
    interface Activations {
    }

    /** Buffers of a forward and backward, and of {@link #output}, over up to {@code rows} rows. */
    Activations allocate(Allocator alloc, int rows);

    /** The loss (a weighted mean over rows) of hidden states h (rows, d) against the targets. */
    double forward(Backend k, Tensor h, Targets targets, Activations a);

    /** dh (rows, d) overwritten with d(loss)/dh; parameter gradients accumulated. */
    void backward(Backend k, Tensor dh, Tensor h, Targets targets, Activations a);

    /** Shape of one row of {@link #output}, e.g. (vocab) for logits, (outDim, bins) for a binned density. */
    int[] outputShape();

    /**
     * The head's inference output for hidden states h (n, d) into out (n, outputShape...), using
     * buffers a allocated for at least n rows.
     */
    void output(Backend k, Tensor out, Tensor h, Activations a);

    /** Adjusts the decoder's default initialisation (N(0, 0.02) matrices, zero biases) where the head's reference does. */
    default void initialise() {
    }
}
