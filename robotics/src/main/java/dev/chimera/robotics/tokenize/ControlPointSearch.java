package dev.chimera.robotics.tokenize;

import java.util.List;

/**
 * BEAST's default number of control points, chosen from T: BEAST has to beat per-step binning on
 * tokens and on error also on data nobody tuned it for. Starting at N = max(2, floor(T / 4)), where
 * a chunk costs about a quarter of binning's T x D tokens, N rises one by one up to floor(T / 2)
 * until the closed-loop reconstruction MSE of the training chunks, quantisation included, is below
 * binning's on the same chunks; if no N gets there, the N with the lowest training MSE is taken.
 * The degree is min(p, N - 1).
 */
final class ControlPointSearch {

    private ControlPointSearch() {
    }

    static BeastTokenizer choose(int steps, int degree, double lambda, Continuity continuity, boolean[] gripper,
                                 DofScaler scaler, List<ChunkedEpisode> training, double binningMse) {
        int low = Math.min(steps, Math.max(continuity.pinned() + 1, Math.max(2, steps / 4)));
        int high = Math.min(steps, Math.max(low, steps / 2));
        BeastTokenizer best = null;
        double bestMse = Double.POSITIVE_INFINITY;
        for (int n = low; n <= high; n++) {
            BeastSettings settings = new BeastSettings(steps, n, Math.min(degree, n - 1), lambda, continuity);
            BeastTokenizer tokenizer = BeastTokenizer.fit(settings, gripper, scaler, training);
            double mse = mse(tokenizer, training);
            if (mse < binningMse) {
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
