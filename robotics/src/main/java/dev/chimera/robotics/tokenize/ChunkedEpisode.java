package dev.chimera.robotics.tokenize;

/**
 * One episode of normalised actions cut into consecutive, non-overlapping chunks of T steps, the
 * last one padded by repeating the episode's last action (metrics count only the real samples,
 * {@link #real(int)}). Also gives the teacher-forced context of each chunk: the true action before
 * it and the true change per step there (for chunk 0, the episode's first action and no motion).
 */
public final class ChunkedEpisode {
    private final double[][] chunks; // (K)(T * D), each (T, D) row-major
    private final int frames;
    private final int steps;
    private final int dof;

    private ChunkedEpisode(double[][] chunks, int frames, int steps, int dof) {
        this.chunks = chunks;
        this.frames = frames;
        this.steps = steps;
        this.dof = dof;
    }

    /** Cuts a normalised episode (frames, D), frames >= 1, into chunks of T steps. */
    public static ChunkedEpisode of(double[][] episode, int steps) {
        if (episode.length == 0 || steps < 1) {
            throw new IllegalArgumentException("an episode of " + episode.length + " frames in chunks of " + steps);
        }
        int dof = episode[0].length;
        int count = (episode.length + steps - 1) / steps;
        double[][] chunks = new double[count][steps * dof];
        for (int k = 0; k < count; k++) {
            for (int j = 0; j < steps; j++) {
                double[] frame = episode[Math.min(k * steps + j, episode.length - 1)];
                System.arraycopy(frame, 0, chunks[k], j * dof, dof);
            }
        }
        return new ChunkedEpisode(chunks, episode.length, steps, dof);
    }

    public int chunks() {
        return chunks.length;
    }

    /** Chunk k, (T, D); shared, not copied. */
    public double[] chunk(int k) {
        return chunks[k];
    }

    /** Real (not padded) steps of chunk k. */
    public int real(int k) {
        return Math.min(steps, frames - k * steps);
    }

    public int frames() {
        return frames;
    }

    public int steps() {
        return steps;
    }

    public int dof() {
        return dof;
    }

    /** The true action before chunk k into out (D). */
    public void previous(int k, double[] out) {
        System.arraycopy(chunks[Math.max(0, k - 1)], k == 0 ? 0 : (steps - 1) * dof, out, 0, dof);
    }

    /** The true change per step at the end of chunk k - 1 into out (D); zeros for chunk 0 or T = 1. */
    public void velocity(int k, double[] out) {
        for (int d = 0; d < dof; d++) {
            out[d] = k == 0 || steps < 2 ? 0.0
                    : chunks[k - 1][(steps - 1) * dof + d] - chunks[k - 1][(steps - 2) * dof + d];
        }
    }
}
