package dev.chimera.core.train;

/** Where the trainer saves its state and, after a divergence, finds the last good one. */
public interface CheckpointStore {

    /** Saves the model, the optimiser and the trainer's position after {@code completedSteps} steps. */
    void save(long completedSteps);

    /** Restores the newest saved state into the model and optimiser; returns its step, or -1 when nothing was saved. */
    long restoreLatest();
}
