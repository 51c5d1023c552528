package dev.chimera.robotics.control;

import dev.chimera.robotics.spline.BSplineBasis;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test policy whose chunks end moving: chunk k cruises each continuous DoF at 0.3 cos(k + d)
 * units/s (control points on the Greville abscissae, so the unpinned spline is exactly that
 * straight line), so every switch happens at speed and without C1 the velocity would jump by
 * 0.3 |cos(k + d) - cos(k - 1 + d)|. Degree 4, 12 control points, 1 s; the last DoF a gripper that
 * toggles each chunk.
 */
final class WavePolicy implements ChunkPolicy {
    static final int N = 12;
    static final int P = 4;
    final AtomicInteger calls = new AtomicInteger();
    private final int dof;
    private final double[] greville = new double[N];

    WavePolicy(int dof) {
        this.dof = dof;
        double[] knots = BSplineBasis.clampedUniform(N, P).knots();
        for (int i = 0; i < N; i++) {
            for (int j = 1; j <= P; j++) {
                greville[i] += knots[i + j] / P;
            }
        }
    }

    static double speed(int chunk, int d) {
        return 0.3 * Math.cos(chunk + d);
    }

    @Override
    public int dof() {
        return dof;
    }

    @Override
    public ActionChunk plan(double[] observation, double[] startPosition, double[] startVelocity) {
        int k = calls.getAndIncrement();
        int[] degrees = new int[dof];
        double[][] coeffs = new double[dof][];
        for (int d = 0; d < dof - 1; d++) {
            degrees[d] = P;
            coeffs[d] = new double[N];
            for (int i = 0; i < N; i++) {
                coeffs[d][i] = startPosition[d] + speed(k, d) * greville[i];
            }
        }
        coeffs[dof - 1] = new double[] {k % 2, k % 2};
        return new ActionChunk(1.0, degrees, coeffs);
    }
}
