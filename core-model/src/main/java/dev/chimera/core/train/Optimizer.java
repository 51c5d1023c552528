package dev.chimera.core.train;

import java.util.Map;

/**
 * An optimiser over one {@link dev.chimera.core.model.Parameters}: it reads the accumulated
 * gradients and updates the values in place. Its whole state is a step count and a few named
 * float arrays, so a checkpoint stores it exactly and a resumed run continues bit for bit.
 */
public interface Optimizer {

    /** A short name written to checkpoints, e.g. {@code adamw}. */
    String name();

    /** Applies one update at the given learning rate (the schedule's value for this step). */
    void step(double learningRate);

    /** Updates taken so far. */
    long steps();

    /** Bytes of state held besides the parameters and gradients. */
    long stateBytes();

    /**
     * The state arrays by name (live, not copies), in a fixed order; checkpoints write them as they
     * are. They are the host arrays of the state's tensors: a backend that keeps the state on a
     * device copies it to and from the host around a checkpoint.
     */
    Map<String, float[]> state();

    /** Restores a saved state: the step count and arrays of the same names and lengths as {@link #state()}. */
    default void restore(long steps, Map<String, float[]> saved) {
        Map<String, float[]> live = state();
        if (!saved.keySet().equals(live.keySet())) {
            throw new IllegalArgumentException(name() + " state holds " + live.keySet() + ", the checkpoint has "
                    + saved.keySet());
        }
        for (Map.Entry<String, float[]> e : live.entrySet()) {
            float[] from = saved.get(e.getKey());
            if (from.length != e.getValue().length) {
                throw new IllegalArgumentException(name() + " state '" + e.getKey() + "' has " + e.getValue().length
                        + " values, the checkpoint has " + from.length);
            }
            System.arraycopy(from, 0, e.getValue(), 0, from.length);
        }
        restoreSteps(steps);
    }

    /** Sets the step count after {@link #restore}. */
    void restoreSteps(long steps);
}
