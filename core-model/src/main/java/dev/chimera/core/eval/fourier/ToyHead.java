package dev.chimera.core.eval.fourier;

import dev.chimera.core.kernel.Kernels;
import dev.chimera.core.layers.Layer;
import dev.chimera.core.layers.Linear;
import dev.chimera.core.tensor.Tensor;

/**
 * The last layer of the synthetic experiment's MLP: hidden state (rows, d) to logits over B bins
 * of [-1, 1], trained by cross-entropy against the target bin (Gillman et al., ICLR 2025,
 * toy_synthetic.py: nn.CrossEntropyLoss on the head's output, plus the Fourier head's
 * regulariser). Both heads are thin adapters over the decoder's head layers and follow
 * {@link Layer}'s conventions; their per-row-count buffers come from {@link #allocate}.
 */
public interface ToyHead extends Layer {

    /** Row buffers of one head; only the head that allocated them may use them. */
    interface Activations {
    }

    /** linear or fourier: which head this is. */
    HeadKind kind();

    /** The head's linear layer, for the initialisation. */
    Linear projection();

    /** Number of bins B. */
    int bins();

    /**
     * Scales the default initialisation of {@link #projection()}, already drawn, as the head's
     * reference does (a no-op for the linear head).
     */
    void initialise();

    Activations allocate(int rows);

    /** Mean cross-entropy (nats) over the rows, plus the regulariser where there is one. */
    double forward(Kernels k, Tensor h, int[] targets, Activations a);

    /** dh (rows, d) overwritten; the head's parameter gradients accumulated. After {@link #forward}. */
    void backward(Kernels k, Tensor dh, Tensor h, int[] targets, Activations a);

    /** logits (rows, B) for h (rows, d): softmax(logits) is the head's predicted distribution. */
    void logits(Kernels k, Tensor logits, Tensor h, Activations a);
}
