package dev.chimera.robotics.tokenize;

/**
 * One episode encoded and decoded chunk by chunk as a controller would run it: the previous
 * executed action handed to chunk k is the DECODED last action of chunk k - 1 and the velocity the
 * decoded change per step there (for chunk 0, the episode's first action and no motion), so that
 * errors in one chunk reach the next as they would on a robot.
 *
 * @param decoded  (K)(T * D) decoded chunks
 * @param tokens   (K) each chunk's tokens, exactly as many as were emitted
 * @param previous (K)(D) the previous action each chunk was coded against
 * @param velocity (K)(D) the velocity each chunk was coded against
 */
record ClosedLoop(double[][] decoded, int[][] tokens, double[][] previous, double[][] velocity) {

    static ClosedLoop run(ActionTokenizer tokenizer, ChunkedEpisode episode) {
        int chunks = episode.chunks();
        int steps = episode.steps();
        int dof = episode.dof();
        double[][] decoded = new double[chunks][steps * dof];
        int[][] tokens = new int[chunks][];
        double[][] previous = new double[chunks][dof];
        double[][] velocity = new double[chunks][dof];
        int[] buffer = new int[tokenizer.maxTokens()];
        for (int k = 0; k < chunks; k++) {
            if (k == 0) {
                episode.previous(0, previous[0]);
            } else {
                for (int d = 0; d < dof; d++) {
                    previous[k][d] = decoded[k - 1][(steps - 1) * dof + d];
                    velocity[k][d] = steps < 2 ? 0.0 : previous[k][d] - decoded[k - 1][(steps - 2) * dof + d];
                }
            }
            int count = tokenizer.encode(episode.chunk(k), previous[k], velocity[k], buffer);
            tokens[k] = java.util.Arrays.copyOf(buffer, count);
            tokenizer.decode(tokens[k], count, previous[k], velocity[k], decoded[k]);
        }
        return new ClosedLoop(decoded, tokens, previous, velocity);
    }

    /** Sum of squared errors over the real samples of every DoF, and their number: {sum, count}. */
    double[] squaredError(ChunkedEpisode episode) {
        int dof = episode.dof();
        double sum = 0.0;
        long count = 0;
        for (int k = 0; k < decoded.length; k++) {
            double[] truth = episode.chunk(k);
            int n = episode.real(k) * dof;
            for (int i = 0; i < n; i++) {
                double e = decoded[k][i] - truth[i];
                sum += e * e;
            }
            count += n;
        }
        return new double[] {sum, count};
    }

    /** The decoded episode without padding, (frames, D). */
    double[][] trajectory(ChunkedEpisode episode) {
        int dof = episode.dof();
        double[][] out = new double[episode.frames()][dof];
        for (int t = 0; t < out.length; t++) {
            System.arraycopy(decoded[t / episode.steps()], (t % episode.steps()) * dof, out[t], 0, dof);
        }
        return out;
    }
}
