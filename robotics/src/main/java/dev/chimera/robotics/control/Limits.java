package dev.chimera.robotics.control;

/**
 * What one degree of freedom may do, in the robot's own units: its position range, its speed and
 * its acceleration (per second and per second squared). The {@link RobotController} enforces them
 * on every setpoint it hands out and counts each enforcement ({@link LimitReport}). A gripper or any
 * DoF without a bound uses infinities ({@link #unlimited()}).
 *
 * @param min             lowest position
 * @param max             highest position, >= min
 * @param maxVelocity     largest |velocity|, > 0 (may be infinite)
 * @param maxAcceleration largest |acceleration|, > 0 (may be infinite)
 */
public record Limits(double min, double max, double maxVelocity, double maxAcceleration) {

    public Limits {
        if (Double.isNaN(min) || Double.isNaN(max) || !(min <= max)) {
            throw new IllegalArgumentException("position limits need min <= max, got [" + min + ", " + max + "]");
        }
        if (!(maxVelocity > 0) || !(maxAcceleration > 0)) {
            throw new IllegalArgumentException("velocity and acceleration limits must be positive (or infinite), got "
                    + maxVelocity + " and " + maxAcceleration);
        }
    }

    /** No bound at all: what a gripper usually gets. */
    public static Limits unlimited() {
        return new Limits(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY);
    }

    /** Whether the position lies within [min, max]. */
    public boolean contains(double position) {
        return position >= min && position <= max;
    }
}
