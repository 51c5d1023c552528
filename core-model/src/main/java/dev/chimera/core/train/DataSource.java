package dev.chimera.core.train;

/**
 * Where training batches come from. Batch {@code index} must depend only on the index (and the
 * source's own fixed seed), so a resumed run needs to remember nothing but the step it reached.
 */
public interface DataSource {

    /** The batch with this index; each call may return a fresh object or reuse one. */
    Batch batch(long index);

    /** A one-line description for progress and checkpoint metadata. */
    String describe();
}
