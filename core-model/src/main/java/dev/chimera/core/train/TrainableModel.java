package dev.chimera.core.train;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.model.Parameters;

/**
 * What {@link Trainer} trains: anything with parameters (values and accumulated gradients in one
 * {@link Parameters}), a forward pass that returns a batch's loss and a backward pass that adds
 * that loss's gradients, on one backend. The hybrid decoder is one through {@link TrainableDecoder};
 * the Fourier head's synthetic experiment trains its small MLP through the same loop.
 */
public interface TrainableModel {

    Parameters parameters();

    /** The backend the parameters and the model's buffers live on. */
    Backend backend();

    /** The batch's loss (a mean over the positions that carry one); keeps what backward needs. */
    double forward(Batch batch);

    /** Adds d(loss)/d(parameters) of the last {@link #forward} of this batch into the gradients. */
    void backward(Batch batch);
}
