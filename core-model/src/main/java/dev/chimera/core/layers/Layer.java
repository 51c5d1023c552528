package dev.chimera.core.layers;

import dev.chimera.core.model.Parameters;

/**
 * What every layer of the decoder shares. A layer is built in two steps: its constructor
 * declares its parameters (name, shape, weight decay) in a {@link Parameters.Builder}; once
 * the builder has allocated the flat arrays, {@link #bind} hands the layer its views.
 *
 * <p>Conventions for every {@code forward}/{@code backward} pair, written once here:
 * <ul>
 *   <li>argument order: outputs, inputs, then the saved activations of the forward pass;
 *       gradients are prefixed {@code d};</li>
 *   <li>parameter gradients accumulate ({@code +=}) into {@link Parameters#grads()}, so
 *       several micro-batches can be summed before an optimiser step;</li>
 *   <li>activation gradients ({@code dx}) are overwritten, except the residual stream, which
 *       the block that owns it accumulates into;</li>
 *   <li>every buffer a layer needs for a (batch, length) is allocated explicitly by its
 *       {@code allocate}/{@code Activations} constructor, never lazily on first call.</li>
 * </ul>
 */
public interface Layer {
    /** Takes this layer's parameter views from the built parameter store. */
    void bind(Parameters parameters);
}
