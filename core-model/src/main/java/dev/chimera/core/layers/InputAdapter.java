package dev.chimera.core.layers;

import dev.chimera.core.backend.Allocator;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.tensor.Tensor;

/**
 * How inputs enter the decoder: a (batch, T) block of {@link Inputs} becomes the residual stream
 * x (batch, T, d). Adapters are made by name from the model config
 * ({@link dev.chimera.core.model.Components}): token ids through an embedding table, continuous
 * vectors through a Linear or MLP today; a domain module registers its own encoder (segments with
 * timestamp features, robot observations) without editing the core.
 *
 * <p>{@link Layer}'s conventions hold. Backward accumulates the adapter's parameter gradients;
 * the gradient with respect to the inputs themselves is not formed (no caller needs it).
 */
public interface InputAdapter extends Layer {

    /** An adapter's buffers for a fixed number of rows (batch * T). */
    interface Activations {
    }

    /** Buffers of a forward and backward over up to {@code rows} rows. */
    Activations allocate(Allocator alloc, int rows);

    /** Whether this adapter takes token ids (else continuous vectors), for checking inputs early. */
    boolean takesTokens();

    /** out (rows of d) from the inputs' rows; out has exactly as many rows as the inputs. */
    void forward(Backend k, Tensor out, Inputs in, Activations a);

    /** Parameter gradients accumulated from dOut (rows of d) of the last forward on these inputs. */
    void backward(Backend k, Tensor dOut, Inputs in, Activations a);

    /** Adjusts the decoder's default initialisation where the adapter's reference does. */
    default void initialise() {
    }
}
