package dev.chimera.core.backend;

import dev.chimera.core.ssd.SsdShape;
import dev.chimera.core.tensor.Tensor;

/**
 * The SSD scan of Mamba2 (REFERENCE §2): the chunked forward and backward of training and the
 * recurrent step of decoding, as one backend provides them. Layouts are {@link SsdShape}'s:
 * x, y (batch, seqlen, nheads, headdim); dt (batch, seqlen, nheads); A, D (nheads); B, C
 * (batch, seqlen, ngroups, dstate); every state (headdim, dstate) per (sequence, head), as mamba's.
 * Activation gradients are overwritten; dA and dD accumulate.
 */
public interface SsdScanOp {

    /** Steps between the states the forward pass saves for backward. */
    int chunkSize();

    /** Shape of the saved chunk-boundary states for inputs of shape {@code s}. */
    int[] chunkStatesShape(SsdShape s);

    /** Floats of workspace {@link #backward} needs for inputs of shape {@code s}. */
    int backwardWorkspaceSize(SsdShape s);

    /**
     * y, the final state hFinal (batch, nheads, headdim, dstate; null if not wanted) and the
     * chunk-boundary states (null for inference), from the initial state h0 (null: zeros).
     */
    void forward(Tensor y, Tensor hFinal, Tensor chunkStates, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C,
                 Tensor D, Tensor h0);

    /**
     * Gradients from dy and dhFinal (null: the final state does not reach the loss), given the
     * forward inputs and its chunk states; dh0 (null if not wanted) overwritten.
     */
    void backward(Tensor dx, Tensor ddt, Tensor dA, Tensor dB, Tensor dC, Tensor dD, Tensor dh0, Tensor dy,
                  Tensor dhFinal, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C, Tensor D, Tensor chunkStates,
                  Tensor workspace);

    /**
     * One recurrent step for n = x.dim(0) independent sequences: y (n, nheads, headdim) from x
     * (n, nheads, headdim), dt (n, nheads), B and C (n, ngroups, dstate); {@code states[i]}
     * (nheads, headdim, dstate) is sequence i's state, updated in place (the array may be longer
     * than n). Allocates nothing.
     */
    void step(Tensor y, Tensor[] states, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C, Tensor D);
}
