package dev.chimera.robotics.tokenize;

import java.util.List;

/**
 * BEAST's default number of control points, chosen from T: BEAST has to beat per-step binning on
 * tokens and on error also on data nobody tuned it for. Starting at N = max(2, floor(T / 4)), where
 * a chunk costs about a quarter of binning's T x D tokens, N rises one by one up to T - 2 (always
 * fewer tokens than binning's) until the closed-loop reconstruction MSE of the training chunks,
 * quantisation included, is below half of binning's on the same chunks: the margin keeps the win on
 * chunks it was not chosen on (noisy data sits near the line). If no N gets there, the N with the
 * lowest training MSE is taken. The degree is min(p, N - 1).
 */
final class ControlPointSearch {
    /** The training MSE that stops the search, as a share of binning's. */
    static final double MARGIN = 0.5;

    private ControlPointSearch() {
    }

    static BeastTokenizer choose(int steps, int degree, double lambda, Continuity continuity, boolean[] gripper,
                                 DofScaler scaler, List<ChunkedEpisode> training, double binningMse) {
        int low = Math.min(steps, Math.max(continuity.pinned() + 1, Math.max(2, steps / 4)));
        int high = Math.min(steps, Math.max(low, steps - 2));
        BeastTokenizer best = null;
        double bestMse = Double.POSITIVE_INFINITY;
        for (int n = low; n <= high; n++) {
            BeastSettings settings = new BeastSettings(steps, n, Math.min(degree, n - 1), lambda, continuity);
            BeastTokenizer tokenizer = BeastTokenizer.fit(settings, gripper, scaler, training);
            double mse = mse(tokenizer, training);
            if (mse < MARGIN * binningMse) {
                return tokenizer;
            }
            if (mse < bestMse) {
                best = tokenizer;
                bestMse = mse;
            }
        }
        return best;
    }

    /** Closed-loop MSE over the real samples of the episodes. */
    static double mse(ActionTokenizer tokenizer, List<ChunkedEpisode> episodes) {
        double sum = 0.0;
        double count = 0.0;
        for (ChunkedEpisode episode : episodes) {
            double[] e = ClosedLoop.run(tokenizer, episode).squaredError(episode);
            sum += e[0];
            count += e[1];
        }
        return sum / count;
    }
}
