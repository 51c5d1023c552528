package dev.chimera.timeseries.model;

import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.core.checkpoint.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The forecaster's linear path: the next segment of S values as a closed-form ridge map of the
 * last L values, NLinear-style (the last value subtracted from inputs and outputs, no intercept):
 * y_j = x_last + sum_i (x_i - x_last) W[i][j]. Without an intercept the map commutes with any
 * shift and scale, so weights fitted on z-scored training windows apply unchanged to the
 * per-instance-normalised values the decoder sees. The decoder learns the residual on top of it
 * (the target minus this path), which keeps a linear model's strength on data where a linear
 * model is hard to beat (ETT) and lets the trunk add what is not linear.
 *
 * <p>Stored beside the run's checkpoints as {@value #FILE}: fitted once from the training split
 * before the first step, so a resumed run reads it back instead of refitting.
 */
public final class LinearSkip {
    public static final String FILE = "skip.safetensors";
    private static final String WEIGHTS = "weights";

    private final int lookback;
    private final int segment;
    private final float[] weights; // (lookback, segment) row-major

    public LinearSkip(int lookback, int segment, float[] weights) {
        if (weights.length != lookback * segment) {
            throw new IllegalArgumentException(weights.length + " skip weights for a " + lookback + " x " + segment
                    + " map");
        }
        this.lookback = lookback;
        this.segment = segment;
        this.weights = weights;
    }

    public int lookback() {
        return lookback;
    }

    public int segment() {
        return segment;
    }

    /**
     * out[outFrom, outFrom + S) = the next segment after the L values context[from, from + L);
     * NaN inputs count as the last value (they add nothing).
     */
    public void apply(float[] context, int from, float[] out, int outFrom) {
        float last = context[from + lookback - 1];
        for (int j = 0; j < segment; j++) {
            out[outFrom + j] = last;
        }
        for (int i = 0; i < lookback; i++) {
            float x = context[from + i] - last;
            if (x != x || x == 0) {
                continue;
            }
            int row = i * segment;
            for (int j = 0; j < segment; j++) {
                out[outFrom + j] += x * weights[row + j];
            }
        }
    }

    public void save(Path runDir, Map<String, String> metadata) throws IOException {
        Path file = runDir.resolve(FILE);
        SafeTensors.write(file, List.of(SafeTensors.Slice.of(WEIGHTS, weights)), metadata);
    }

    public static boolean existsIn(Path runDir) {
        return Files.isRegularFile(runDir.resolve(FILE));
    }

    /** The skip saved in a run directory, checked to be a lookback x segment map. */
    public static LinearSkip load(Path runDir, int lookback, int segment) throws IOException {
        float[] w = SafeTensors.readAll(runDir.resolve(FILE)).get(WEIGHTS);
        if (w == null || w.length != lookback * segment) {
            throw new IOException(runDir.resolve(FILE) + ": expected a " + lookback + " x " + segment
                    + " tensor '" + WEIGHTS + "'");
        }
        return new LinearSkip(lookback, segment, w);
    }
}
