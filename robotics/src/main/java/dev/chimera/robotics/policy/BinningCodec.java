package dev.chimera.robotics.policy;

import dev.chimera.robotics.tokenize.BinningTokenizer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-step 256-bin tokens (RT-2/OpenVLA style), one step's D tokens per prediction, T predictions
 * one after another. A token's value in [-1, 1] is its bin's centre, which is also the decoded
 * normalised action, so the action fed back to the next position is the token itself.
 */
final class BinningCodec implements ChunkCodec {
    private final BinningTokenizer tokenizer;
    private final int steps;
    private final int dof;
    private final double[] flat;   // (T, D)
    private final int[] tokens;

    BinningCodec(int steps, int dof) {
        this.tokenizer = new BinningTokenizer(steps, dof);
        this.steps = steps;
        this.dof = dof;
        this.flat = new double[steps * dof];
        this.tokens = new int[steps * dof];
    }

    @Override
    public String name() {
        return "binning";
    }

    @Override
    public int dof() {
        return dof;
    }

    @Override
    public int steps() {
        return steps;
    }

    @Override
    public int valuesPerPrediction() {
        return dof;
    }

    @Override
    public int predictionsPerChunk() {
        return steps;
    }

    @Override
    public void targets(double[] previous, double[][] chunk, float[] out, int offset) {
        for (int j = 0; j < steps; j++) {
            System.arraycopy(chunk[j], 0, flat, j * dof, dof);
        }
        int count = tokenizer.encode(flat, previous, previous, tokens);
        for (int i = 0; i < count; i++) {
            out[offset + i] = ChunkCodec.tokenValue(tokens[i]);
        }
    }

    @Override
    public void decode(double[] previous, float[] values, int offset, double[][] out) {
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (int) Math.round(ChunkCodec.token(values[offset + i]));
        }
        tokenizer.decode(tokens, tokens.length, previous, previous, flat);
        for (int j = 0; j < steps; j++) {
            System.arraycopy(flat, j * dof, out[j], 0, dof);
        }
    }

    @Override
    public Map<String, String> toInfo() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name());
        m.put("steps", Integer.toString(steps));
        m.put("dof", Integer.toString(dof));
        return m;
    }
}
