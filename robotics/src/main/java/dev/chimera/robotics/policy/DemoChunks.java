package dev.chimera.robotics.policy;

/**
 * The chunk of T actions a policy should plan at a frame of a demonstration: actions
 * [frame, frame + T) (the episode's last action repeated past its end, where the expert holds
 * still), and the action executed just before it (the episode's first action at frame 0).
 * Actions are normalised here, (frames, D).
 */
final class DemoChunks {
    private DemoChunks() {
    }

    static void previous(double[][] actions, int frame, double[] out) {
        System.arraycopy(actions[Math.max(0, frame - 1)], 0, out, 0, out.length);
    }

    static void chunk(double[][] actions, int frame, double[][] out) {
        for (int j = 0; j < out.length; j++) {
            double[] a = actions[Math.min(actions.length - 1, frame + j)];
            System.arraycopy(a, 0, out[j], 0, out[j].length);
        }
    }
}
