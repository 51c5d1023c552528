package dev.chimera.robotics.policy;

import dev.chimera.robotics.tokenize.DofScaler;
import java.util.Arrays;

/**
 * The policy decoder's sequence: H observation positions (the history, one every
 * {@code stride} frames, ending at the planning frame), then for per-step autoregression T - 1
 * action positions each carrying the step before it. One input row of width O + D + 1:
 * <pre>
 *   observation position: [standardised observation (O), zeros (D), 0]
 *   action position:      [zeros (O), the previous step's action, normalised (D), 1]
 * </pre>
 * Both policies share the layout (and so the trunk): BEAST reads its whole chunk at the last
 * observation position; binning reads step j's tokens at position H - 1 + j.
 *
 * @param observations O, observation features
 * @param dof          D, action degrees of freedom
 * @param history      H, observation positions
 * @param stride       frames between two observation positions
 */
public record PolicyLayout(int observations, int dof, int history, int stride) {

    public PolicyLayout {
        if (observations < 1 || dof < 1 || history < 1 || stride < 1) {
            throw new IllegalArgumentException("a policy layout needs positive sizes, got O " + observations + ", D "
                    + dof + ", H " + history + ", stride " + stride);
        }
    }

    public int width() {
        return observations + dof + 1;
    }

    /** Positions of a planning sequence: H, plus T - 1 action positions for an autoregressive codec. */
    public int length(ChunkCodec codec) {
        return history + codec.predictionsPerChunk() - 1;
    }

    /** The frame of observation position k (0..H-1) when planning at {@code frame}; clipped at the episode's start. */
    public int historyFrame(int frame, int k) {
        return Math.max(0, frame - (history - 1 - k) * stride);
    }

    /** Writes observation position's row from a raw observation. */
    public void observationRow(float[] out, int offset, double[] raw, DofScaler scaler) {
        for (int i = 0; i < observations; i++) {
            out[offset + i] = (float) scaler.normalise(i, raw[i]);
        }
        Arrays.fill(out, offset + observations, offset + width(), 0f);
    }

    /** Writes an action position's row from the previous step's normalised action. */
    public void actionRow(float[] out, int offset, double[] previousAction) {
        Arrays.fill(out, offset, offset + observations, 0f);
        for (int d = 0; d < dof; d++) {
            out[offset + observations + d] = (float) previousAction[d];
        }
        out[offset + width() - 1] = 1f;
    }
}
