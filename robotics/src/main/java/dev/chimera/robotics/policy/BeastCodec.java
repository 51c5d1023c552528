package dev.chimera.robotics.policy;

import dev.chimera.robotics.tokenize.BeastSettings;
import dev.chimera.robotics.tokenize.BeastTokenizer;
import dev.chimera.robotics.tokenize.Continuity;
import dev.chimera.robotics.tokenize.DofScaler;
import java.util.LinkedHashMap;
import java.util.Map;

/** BEAST's control-point tokens, all predicted at once (parallel decoding, as BEAST does). */
final class BeastCodec implements ChunkCodec {
    private final BeastTokenizer tokenizer;
    private final double[] flat;     // (T, D) a chunk, step-major
    private final double[] velocity; // (D) zero: the policy's codec pins C0 only
    private final int[] tokens;

    BeastCodec(BeastTokenizer tokenizer) {
        if (tokenizer.settings().continuity() != Continuity.C0) {
            throw new IllegalArgumentException("a policy's BEAST codec pins the chunk's start only (C0)");
        }
        this.tokenizer = tokenizer;
        this.flat = new double[tokenizer.chunkLength() * tokenizer.dof()];
        this.velocity = new double[tokenizer.dof()];
        this.tokens = new int[tokenizer.maxTokens()];
    }

    @Override
    public String name() {
        return "beast";
    }

    @Override
    public int dof() {
        return tokenizer.dof();
    }

    @Override
    public int steps() {
        return tokenizer.chunkLength();
    }

    @Override
    public int valuesPerPrediction() {
        return tokenizer.maxTokens();
    }

    @Override
    public int predictionsPerChunk() {
        return 1;
    }

    @Override
    public void targets(double[] previous, double[][] chunk, float[] out, int offset) {
        int dof = dof();
        for (int j = 0; j < chunk.length; j++) {
            System.arraycopy(chunk[j], 0, flat, j * dof, dof);
        }
        int count = tokenizer.encode(flat, previous, velocity, tokens);
        for (int i = 0; i < count; i++) {
            out[offset + i] = ChunkCodec.tokenValue(tokens[i]);
        }
    }

    @Override
    public void decode(double[] previous, float[] values, int offset, double[][] out) {
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (int) Math.round(ChunkCodec.token(values[offset + i]));
        }
        tokenizer.decode(tokens, tokens.length, previous, velocity, flat);
        int dof = dof();
        for (int j = 0; j < out.length; j++) {
            System.arraycopy(flat, j * dof, out[j], 0, dof);
        }
    }

    @Override
    public Map<String, String> toInfo() {
        BeastSettings s = tokenizer.settings();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", name());
        m.put("steps", Integer.toString(s.steps()));
        m.put("control_points", Integer.toString(s.controlPoints()));
        m.put("degree", Integer.toString(s.degree()));
        m.put("lambda", Double.toString(s.lambda()));
        m.put("gripper", PolicyCodecs.flags(this::gripper, dof()));
        StringBuilder bounds = new StringBuilder();
        for (int d = 0; d < dof(); d++) {
            bounds.append(d == 0 ? "" : " ").append(tokenizer.lower(d)).append(':').append(tokenizer.upper(d));
        }
        m.put("bounds", bounds.toString());
        return m;
    }

    boolean gripper(int d) {
        return tokenizer.gripper(d);
    }

    /** The tokenizer (its scratch is shared with this codec: use it on the thread that decodes). */
    BeastTokenizer tokenizer() {
        return tokenizer;
    }

    /** The codec a saved policy recorded. */
    static BeastCodec fromInfo(Map<String, String> info, DofScaler scaler) {
        boolean[] gripper = PolicyCodecs.parseFlags(PolicyCodecs.text(info, "gripper"));
        String[] parts = PolicyCodecs.text(info, "bounds").split(" ");
        if (parts.length != gripper.length) {
            throw new IllegalArgumentException(parts.length + " BEAST bounds for " + gripper.length + " DoF");
        }
        double[] lower = new double[parts.length];
        double[] upper = new double[parts.length];
        for (int d = 0; d < parts.length; d++) {
            String[] lu = parts[d].split(":");
            lower[d] = Double.parseDouble(lu[0]);
            upper[d] = Double.parseDouble(lu[1]);
        }
        BeastSettings settings = new BeastSettings(PolicyCodecs.integer(info, "steps"),
                PolicyCodecs.integer(info, "control_points"), PolicyCodecs.integer(info, "degree"),
                Double.parseDouble(PolicyCodecs.text(info, "lambda")), Continuity.C0);
        return new BeastCodec(BeastTokenizer.restore(settings, gripper, lower, upper, scaler));
    }
}
