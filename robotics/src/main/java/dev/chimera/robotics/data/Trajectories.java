package dev.chimera.robotics.data;

import java.util.List;

/**
 * Action trajectories of several episodes, all sampled at one rate: what a tokenizer is fitted on
 * and measured over. Values are in the robot's own units.
 *
 * @param dofNames one name per degree of freedom (D)
 * @param gripper  which DoF are binary grippers (degree-0 splines in BEAST)
 * @param rateHz   samples per second
 * @param episodes each episode's actions, (frames, D)
 */
public record Trajectories(List<String> dofNames, boolean[] gripper, double rateHz, List<double[][]> episodes) {

    public Trajectories {
        if (dofNames.isEmpty() || gripper.length != dofNames.size()) {
            throw new IllegalArgumentException(dofNames.size() + " DoF names and " + gripper.length + " gripper flags");
        }
        if (!(rateHz > 0)) {
            throw new IllegalArgumentException("the rate must be positive, got " + rateHz);
        }
        for (double[][] episode : episodes) {
            for (double[] frame : episode) {
                if (frame.length != dofNames.size()) {
                    throw new IllegalArgumentException("a frame of " + frame.length + " values for " + dofNames.size()
                            + " DoF");
                }
            }
        }
        dofNames = List.copyOf(dofNames);
        episodes = List.copyOf(episodes);
    }

    public int dof() {
        return dofNames.size();
    }
}
