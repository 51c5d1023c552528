package dev.chimera.robotics.control;

import java.time.Duration;
import java.util.Arrays;

/**
 * How a {@link RobotController} runs, apart from its policy and initial setpoint.
 *
 * @param limits          per DoF, (D)
 * @param requestFraction the fraction of a chunk after which the next one is requested, in (0, 1)
 * @param watchdogTimeout the longest a single {@code plan} call may take before the controller stops
 * @param switchLead      how far ahead of the clock a chunk or stop is switched in when it cannot be at
 *                        its planned instant (the first chunk, a late chunk, a stop): later than any
 *                        sample already taken, so the control thread never sees the past change
 * @param retryInterval   after a failure, how long before the policy is asked again
 * @param minStop         the shortest smooth stop (longer ones where acceleration limits need it)
 * @param observationSize doubles per observation
 */
public record ControllerSettings(Limits[] limits, double requestFraction, Duration watchdogTimeout,
                                 Duration switchLead, Duration retryInterval, Duration minStop, int observationSize) {

    public ControllerSettings {
        limits = limits.clone();
        if (limits.length == 0 || !(requestFraction > 0 && requestFraction < 1) || observationSize < 0) {
            throw new IllegalArgumentException("settings need limits for at least one DoF, a request fraction in "
                    + "(0, 1) and an observation size >= 0, got " + limits.length + " DoF, " + requestFraction + ", "
                    + observationSize);
        }
        for (Duration d : new Duration[] {watchdogTimeout, switchLead, retryInterval, minStop}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("controller durations must be positive, got " + d);
            }
        }
    }

    /**
     * Unlimited DoF, the next chunk requested half-way through the current one, a 250 ms watchdog,
     * 1 ms switch lead, 100 ms between retries, stops of at least 0.2 s.
     */
    public static ControllerSettings defaults(int dof, int observationSize) {
        Limits[] limits = new Limits[dof];
        Arrays.fill(limits, Limits.unlimited());
        return new ControllerSettings(limits, 0.5, Duration.ofMillis(250), Duration.ofMillis(1), Duration.ofMillis(100),
                Duration.ofMillis(200), observationSize);
    }

    @Override
    public Limits[] limits() {
        return limits.clone();
    }

    public int dof() {
        return limits.length;
    }

    public ControllerSettings withLimits(Limits... perDof) {
        return new ControllerSettings(perDof, requestFraction, watchdogTimeout, switchLead, retryInterval, minStop,
                observationSize);
    }

    public ControllerSettings withRequestFraction(double fraction) {
        return new ControllerSettings(limits, fraction, watchdogTimeout, switchLead, retryInterval, minStop,
                observationSize);
    }

    public ControllerSettings withWatchdogTimeout(Duration timeout) {
        return new ControllerSettings(limits, requestFraction, timeout, switchLead, retryInterval, minStop,
                observationSize);
    }
}
