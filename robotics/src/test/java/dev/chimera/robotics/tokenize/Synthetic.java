package dev.chimera.robotics.tokenize;

import dev.chimera.robotics.data.Trajectories;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded test trajectories: smooth sums of sines, optionally noisy, with 0/1 grippers that switch now and then. */
final class Synthetic {
    private Synthetic() {
    }

    static Trajectories smooth(long seed, int episodes, int frames, int continuous, int grippers, double rateHz,
                               double noise) {
        Random r = new Random(seed);
        List<double[][]> out = new ArrayList<>();
        int dof = continuous + grippers;
        for (int e = 0; e < episodes; e++) {
            double[][] x = new double[frames][dof];
            for (int d = 0; d < continuous; d++) {
                double f1 = 0.1 + r.nextDouble();
                double f2 = 0.1 + r.nextDouble();
                double p1 = 6 * r.nextDouble();
                double p2 = 6 * r.nextDouble();
                double scale = 0.1 + 3 * r.nextDouble();
                for (int t = 0; t < frames; t++) {
                    double s = t / rateHz;
                    x[t][d] = scale * (Math.sin(2 * Math.PI * f1 * s + p1) + 0.5 * Math.sin(2 * Math.PI * f2 * s + p2))
                            + noise * scale * r.nextGaussian();
                }
            }
            for (int g = continuous; g < dof; g++) {
                int state = 0;
                int next = 5 + r.nextInt(40);
                for (int t = 0; t < frames; t++) {
                    if (t == next) {
                        state = 1 - state;
                        next += 20 + r.nextInt(60);
                    }
                    x[t][g] = state;
                }
            }
            out.add(x);
        }
        List<String> names = new ArrayList<>();
        boolean[] gripper = new boolean[dof];
        for (int d = 0; d < dof; d++) {
            names.add((d < continuous ? "j" : "g") + d);
            gripper[d] = d >= continuous;
        }
        return new Trajectories(names, gripper, rateHz, out);
    }

    /** The normalised episodes of the data, chunked. */
    static List<ChunkedEpisode> chunked(Trajectories data, DofScaler scaler, int steps) {
        return data.episodes().stream().map(e -> ChunkedEpisode.of(scaler.normalise(e), steps)).toList();
    }
}
