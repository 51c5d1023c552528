package dev.chimera.robotics.tokenize;

/**
 * A gripper DoF in BEAST: a degree-0 spline with N segments over the chunk's T actions, whose
 * control points are the segment means (the least-squares fit of a piecewise constant). Action m
 * (0-based) covers u in (m / T, (m + 1) / T]; it belongs to the segment holding its midpoint,
 * floor((m + 1/2) N / T), so segment lengths differ by at most one.
 *
 * <p>Decoding is binary-aware: the gripper's two levels are known (the lowest and highest value in
 * the training data). A segment mean at a level decodes to that level; a mean strictly between
 * them decodes to k = round(fraction * length) steps at the high level and the rest low, the high
 * steps placed next to the neighbour that is high: at the start if the action before the segment
 * (the previous executed action, or the previous segment's last step) is high, else at the end. A
 * segment with one switch has exactly that neighbour on its high side (a high-to-low switch
 * follows a high step, a low-to-high switch precedes high steps), and the 256-bin quantisation of
 * k / length is exact below 255 steps, so one switch per segment is recovered exactly.
 */
final class GripperSegments {
    private final int[] start; // (N + 1) first action of each segment, start[N] = T

    GripperSegments(int steps, int segments) {
        this.start = new int[segments + 1];
        int segment = 0;
        for (int m = 0; m < steps; m++) {
            int s = (int) Math.floor((m + 0.5) * segments / steps);
            while (segment < s) {
                start[++segment] = m;
            }
        }
        start[segments] = steps;
    }

    int segments() {
        return start.length - 1;
    }

    /** Segment means of DoF d of a (T, D) chunk into means[0..N-1]. */
    void means(double[] chunk, int d, int dof, double[] means) {
        for (int s = 0; s < segments(); s++) {
            double sum = 0.0;
            for (int m = start[s]; m < start[s + 1]; m++) {
                sum += chunk[m * dof + d];
            }
            means[s] = sum / (start[s + 1] - start[s]);
        }
    }

    /**
     * Binary-aware decoding of the segment means of one DoF into the (T, D) chunk's column d.
     *
     * @param previous the action before the chunk
     * @param low      the lower level, high the upper (low == high: a constant gripper)
     */
    void decode(double[] means, double previous, double low, double high, double[] out, int d, int dof) {
        double middle = 0.5 * (low + high);
        double before = previous;
        for (int s = 0; s < segments(); s++) {
            int length = start[s + 1] - start[s];
            int k = high > low ? (int) Math.round((means[s] - low) / (high - low) * length) : 0;
            k = Math.max(0, Math.min(length, k));
            boolean highFirst = before > middle;
            for (int i = 0; i < length; i++) {
                boolean isHigh = highFirst ? i < k : i >= length - k;
                out[(start[s] + i) * dof + d] = isHigh ? high : low;
            }
            before = out[(start[s + 1] - 1) * dof + d];
        }
    }
}
