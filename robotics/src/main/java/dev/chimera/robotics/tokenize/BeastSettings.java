package dev.chimera.robotics.tokenize;

/**
 * The shape of a BEAST code (REFERENCE §7): T steps per chunk, N control points per DoF, spline
 * degree p (lowered to N - 1 where N is small), ridge lambda and continuity across chunks.
 */
public record BeastSettings(int steps, int controlPoints, int degree, double lambda, Continuity continuity) {
    public static final int DEFAULT_DEGREE = 4;
    public static final double DEFAULT_LAMBDA = 1e-6;

    public BeastSettings {
        if (steps < 2) {
            throw new IllegalArgumentException("a BEAST chunk needs T >= 2 steps, got " + steps);
        }
        if (controlPoints < continuity.pinned() + 1 || controlPoints > steps) {
            throw new IllegalArgumentException("N must be between " + (continuity.pinned() + 1) + " and T = " + steps
                    + " control points with " + continuity + ", got " + controlPoints);
        }
        if (degree < 1 || degree >= controlPoints) {
            throw new IllegalArgumentException("the degree must be between 1 and N - 1 = " + (controlPoints - 1)
                    + ", got " + degree);
        }
        if (!(lambda >= 0)) {
            throw new IllegalArgumentException("lambda must be >= 0, got " + lambda);
        }
    }

    /** N control points of degree min(p, N - 1), the default lambda. */
    public static BeastSettings of(int steps, int controlPoints, int degree, Continuity continuity) {
        return new BeastSettings(steps, controlPoints, Math.min(degree, controlPoints - 1), DEFAULT_LAMBDA, continuity);
    }

    /** Tokens per chunk: (N - pinned) per continuous DoF, N per gripper DoF. */
    public int tokensPerChunk(int continuousDof, int gripperDof) {
        return (controlPoints - continuity.pinned()) * continuousDof + controlPoints * gripperDof;
    }
}
