package dev.chimera.robotics.policy;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * How often a trained policy replans, chosen on validation episodes (seeds of their own, neither
 * the demonstrations' nor {@code robot eval}'s): executing more of each chunk trusts the chunk's
 * far control points, replanning sooner uses fresher observations; which wins depends on the
 * trained model, so each run measures it. The most successful interval wins, the smoother on a tie.
 */
public final class ReplanChoice {
    /** Seeds of validation episodes start here. */
    public static final long VALIDATION_SEED = 2_000_003L;

    private ReplanChoice() {
    }

    /** The model with the best of the candidate intervals (frames), each run on the validation episodes. */
    public static PolicyModel choose(PolicyModel model, int[] candidates, int episodes, PrintWriter progress) {
        PolicyModel best = null;
        PolicyEvaluation.Result bestResult = null;
        for (int frames : candidates) {
            PolicyModel candidate = model.withReplan(frames);
            PolicyEvaluation.Result r = PolicyEvaluation.run(new ActionPolicy(candidate), episodes, VALIDATION_SEED);
            progress.printf(Locale.ROOT, "validation: replanning every %d frames, success %.1f %%, jerk rms %.0f%n", frames,
                    100 * r.successRate(), r.jerkRms());
            progress.flush();
            if (bestResult == null || r.successes() > bestResult.successes()
                    || r.successes() == bestResult.successes() && r.jerkRms() < bestResult.jerkRms()) {
                best = candidate;
                bestResult = r;
            }
        }
        return best;
    }
}
