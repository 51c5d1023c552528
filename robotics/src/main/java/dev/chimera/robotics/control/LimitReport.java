package dev.chimera.robotics.control;

/**
 * How often the {@link RobotController} has had to enforce each DoF's {@link Limits} since it was
 * built: samples whose reference position lay outside the range (and was clamped to it), samples
 * whose speed was cut to the maximum, and samples whose change of velocity was cut to the maximum
 * acceleration. A snapshot: later enforcements do not change it.
 *
 * @param position     per DoF, (D)
 * @param velocity     per DoF, (D)
 * @param acceleration per DoF, (D)
 */
public record LimitReport(long[] position, long[] velocity, long[] acceleration) {

    public LimitReport {
        position = position.clone();
        velocity = velocity.clone();
        acceleration = acceleration.clone();
    }

    /** All enforcements of every kind on every DoF. */
    public long total() {
        long sum = 0;
        for (int d = 0; d < position.length; d++) {
            sum += position[d] + velocity[d] + acceleration[d];
        }
        return sum;
    }
}
