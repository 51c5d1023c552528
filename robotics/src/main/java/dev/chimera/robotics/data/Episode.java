package dev.chimera.robotics.data;

/**
 * One demonstration: per frame, the observation seen before the step and the action (setpoint)
 * applied during it, and whether the episode ended in success. Arrays are shared, not copied.
 *
 * @param index        the episode's number in its set (episode_index in files)
 * @param observations (frames, observation width)
 * @param actions      (frames, action width)
 * @param success      whether the task was done when the episode ended
 */
public record Episode(int index, double[][] observations, double[][] actions, boolean success) {

    public Episode {
        if (index < 0 || observations.length == 0 || observations.length != actions.length) {
            throw new IllegalArgumentException("episode " + index + ": needs index >= 0 and as many observations as "
                    + "actions (at least one), got " + observations.length + " and " + actions.length);
        }
        for (int t = 0; t < observations.length; t++) {
            if (observations[t].length != observations[0].length || actions[t].length != actions[0].length) {
                throw new IllegalArgumentException("episode " + index + ", frame " + t + ": " + observations[t].length
                        + " observation and " + actions[t].length + " action values, frame 0 has "
                        + observations[0].length + " and " + actions[0].length);
            }
        }
    }

    public int frames() {
        return observations.length;
    }
}
