package dev.chimera.robotics.tokenize;

import dev.chimera.robotics.data.Trajectories;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fits BEAST, per-step binning and FAST on the first 80 % of the episodes and measures them on the
 * rest (with fewer than 5 episodes, fits and measures on all, and says so), every method decoded
 * closed-loop ({@link ClosedLoop}) in the normalised units of {@link DofScaler}:
 * <ul>
 *   <li>tokens_per_chunk: mean tokens emitted per chunk;</li>
 *   <li>mse: mean squared error over the real samples of every DoF;</li>
 *   <li>jerk_rms: third finite difference of the decoded episode at the data rate times rate^3,
 *       RMS over the continuous DoF and samples (a 0/1 gripper's jerk only counts its switches; with
 *       only grippers, over all DoF), normalised units per s^3;</li>
 *   <li>boundary_jump: mean absolute jump of the setpoint at chunk boundaries beyond the true
 *       motion, over the same DoF: for BEAST the decoded spline at u = 0 minus the previous action,
 *       for the others |(r_k[0] - r_{k-1}[T-1]) - (a_k[0] - a_{k-1}[T-1])|;</li>
 *   <li>encode_us, decode_us: median microseconds per held-out chunk after a warm-up.</li>
 * </ul>
 */
public final class TokenizerHarness {

    /**
     * @param chunk         T, steps per chunk
     * @param controlPoints BEAST's N, or 0 to choose it ({@link ControlPointSearch})
     * @param degree        BEAST's p (lowered to N - 1 where N is small)
     * @param warmupMillis  time spent encoding and decoding before the timings
     */
    public record Settings(int chunk, int controlPoints, int degree, double lambda, Continuity continuity,
                           long warmupMillis) {
    }

    public record Score(String method, double tokensPerChunk, double mse, double jerkRms, double boundaryJump,
                        double encodeUs, double decodeUs) {
    }

    /**
     * @param scores      beast, binning, fast
     * @param dataJerkRms the held-out data's own jerk_rms, for reference
     * @param heldOut     false where there were too few episodes and training and test are the same
     */
    public record Report(List<Score> scores, double dataJerkRms, BeastSettings beast, double rateHz,
                         int trainEpisodes, int testEpisodes, boolean heldOut) {
    }

    private TokenizerHarness() {
    }

    public static Report run(Trajectories data, Settings settings) {
        int episodes = data.episodes().size();
        boolean heldOut = episodes >= 5;
        int split = heldOut ? Math.min(episodes - 1, (int) Math.round(0.8 * episodes)) : episodes;
        List<double[][]> trainRaw = data.episodes().subList(0, split);
        List<double[][]> testRaw = heldOut ? data.episodes().subList(split, episodes) : trainRaw;
        DofScaler scaler = DofScaler.fit(trainRaw, data.dof());
        List<ChunkedEpisode> train = chunked(trainRaw, scaler, settings.chunk());
        List<ChunkedEpisode> test = chunked(testRaw, scaler, settings.chunk());
        int steps = settings.chunk();
        int dof = data.dof();

        BinningTokenizer binning = new BinningTokenizer(steps, dof);
        BeastTokenizer beast;
        if (settings.controlPoints() > 0) {
            beast = BeastTokenizer.fit(new BeastSettings(steps, settings.controlPoints(),
                    Math.min(settings.degree(), settings.controlPoints() - 1), settings.lambda(),
                    settings.continuity()), data.gripper(), scaler, train);
        } else {
            beast = ControlPointSearch.choose(steps, settings.degree(), settings.lambda(), settings.continuity(),
                    data.gripper(), scaler, train, ControlPointSearch.mse(binning, train));
        }
        FastTokenizer fast = FastTokenizer.fit(steps, dof, train);

        boolean[] measured = measuredDof(data.gripper());
        List<Score> scores = new ArrayList<>();
        for (ActionTokenizer tokenizer : List.of(beast, binning, fast)) {
            scores.add(score(tokenizer, test, measured, data.rateHz(), settings.warmupMillis()));
        }
        double dataJerk = jerkRms(test.stream().map(TokenizerHarness::truth).toList(), measured, data.rateHz());
        return new Report(scores, dataJerk, beast.settings(), data.rateHz(), train.size(), test.size(), heldOut);
    }

    private static List<ChunkedEpisode> chunked(List<double[][]> episodes, DofScaler scaler, int steps) {
        List<ChunkedEpisode> out = new ArrayList<>();
        for (double[][] episode : episodes) {
            if (episode.length > 0) {
                out.add(ChunkedEpisode.of(scaler.normalise(episode), steps));
            }
        }
        return out;
    }

    /** The DoF that jerk and boundary jumps are measured over: the continuous ones, or all if none is. */
    public static boolean[] measuredDof(boolean[] gripper) {
        boolean[] measured = new boolean[gripper.length];
        boolean any = false;
        for (int d = 0; d < gripper.length; d++) {
            measured[d] = !gripper[d];
            any |= measured[d];
        }
        if (!any) {
            Arrays.fill(measured, true);
        }
        return measured;
    }

    static Score score(ActionTokenizer tokenizer, List<ChunkedEpisode> test, boolean[] measured, double rateHz,
                       long warmupMillis) {
        int steps = tokenizer.chunkLength();
        int dof = tokenizer.dof();
        double squared = 0.0;
        double samples = 0.0;
        double tokens = 0.0;
        double jump = 0.0;
        long boundaries = 0;
        List<double[][]> trajectories = new ArrayList<>();
        List<ClosedLoop> runs = new ArrayList<>();
        double[] points = tokenizer instanceof BeastTokenizer b ? new double[b.settings().controlPoints() * dof] : null;
        for (ChunkedEpisode episode : test) {
            ClosedLoop run = ClosedLoop.run(tokenizer, episode);
            runs.add(run);
            double[] e = run.squaredError(episode);
            squared += e[0];
            samples += e[1];
            trajectories.add(run.trajectory(episode));
            for (int k = 0; k < episode.chunks(); k++) {
                tokens += run.tokens()[k].length;
                if (k == 0) {
                    continue;
                }
                if (points != null) {
                    ((BeastTokenizer) tokenizer).controlPoints(run.tokens()[k], run.previous()[k], run.velocity()[k],
                            points);
                }
                for (int d = 0; d < dof; d++) {
                    if (!measured[d]) {
                        continue;
                    }
                    double j;
                    if (points != null && !((BeastTokenizer) tokenizer).gripper(d)) {
                        j = ((BeastTokenizer) tokenizer).evaluate(points, d, 0.0) - run.previous()[k][d];
                    } else {
                        int last = (steps - 1) * dof + d;
                        j = (run.decoded()[k][d] - run.decoded()[k - 1][last])
                                - (episode.chunk(k)[d] - episode.chunk(k - 1)[last]);
                    }
                    jump += Math.abs(j);
                    boundaries++;
                }
            }
        }
        int chunks = runs.stream().mapToInt(r -> r.tokens().length).sum();
        double[] times = ChunkTimer.medianMicros(tokenizer, test, runs, warmupMillis);
        return new Score(tokenizer.method(), tokens / chunks, squared / samples,
                jerkRms(trajectories, measured, rateHz), boundaries == 0 ? 0.0 : jump / boundaries, times[0], times[1]);
    }

    private static double[][] truth(ChunkedEpisode episode) {
        double[][] out = new double[episode.frames()][episode.dof()];
        for (int t = 0; t < out.length; t++) {
            System.arraycopy(episode.chunk(t / episode.steps()), (t % episode.steps()) * episode.dof(), out[t], 0,
                    episode.dof());
        }
        return out;
    }

    /** RMS over the measured DoF and all samples of rate^3 times the third finite difference; NaN if too short. */
    public static double jerkRms(List<double[][]> trajectories, boolean[] measured, double rateHz) {
        double rate3 = rateHz * rateHz * rateHz;
        double sum = 0.0;
        long count = 0;
        for (double[][] x : trajectories) {
            for (int t = 0; t + 3 < x.length; t++) {
                for (int d = 0; d < measured.length; d++) {
                    if (measured[d]) {
                        double j = (x[t + 3][d] - 3 * x[t + 2][d] + 3 * x[t + 1][d] - x[t][d]) * rate3;
                        sum += j * j;
                        count++;
                    }
                }
            }
        }
        return count == 0 ? Double.NaN : Math.sqrt(sum / count);
    }
}
