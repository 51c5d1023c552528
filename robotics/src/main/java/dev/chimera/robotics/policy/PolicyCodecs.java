package dev.chimera.robotics.policy;

import dev.chimera.robotics.tokenize.BeastSettings;
import dev.chimera.robotics.tokenize.BeastTokenizer;
import dev.chimera.robotics.tokenize.BinningTokenizer;
import dev.chimera.robotics.tokenize.ChunkedEpisode;
import dev.chimera.robotics.tokenize.Continuity;
import dev.chimera.robotics.tokenize.DofScaler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/** Makes a policy's {@link ChunkCodec}: fitted on demonstrations for training, or as a saved policy recorded it. */
public final class PolicyCodecs {
    private PolicyCodecs() {
    }

    /**
     * A codec named "beast" or "binning" over chunks of T steps; BEAST's bounds are fitted on the
     * normalised demonstrations (episodes (frames, D)) with N control points of degree p (C0).
     */
    public static ChunkCodec fit(String name, int steps, int controlPoints, int degree, boolean[] gripper,
                                 DofScaler scaler, List<double[][]> normalised) {
        switch (name) {
            case "binning":
                return binning(steps, gripper.length);
            case "beast":
                List<ChunkedEpisode> chunked = new ArrayList<>();
                for (double[][] episode : normalised) {
                    chunked.add(ChunkedEpisode.of(episode, steps));
                }
                BeastSettings settings = BeastSettings.of(steps, controlPoints, degree, Continuity.C0);
                return beast(BeastTokenizer.fit(settings, gripper, scaler, chunked));
            default:
                throw new IllegalArgumentException("a policy's tokenizer is beast or binning, got " + name);
        }
    }

    /** The codec a saved policy recorded (keys of {@link ChunkCodec#toInfo}). */
    public static ChunkCodec fromInfo(Map<String, String> info, DofScaler scaler) {
        String name = text(info, "name");
        switch (name) {
            case "binning":
                return binning(integer(info, "steps"), integer(info, "dof"));
            case "beast":
                return beast(beastFromInfo(info, scaler));
            default:
                throw new IllegalArgumentException("unknown codec '" + name + "'");
        }
    }

    /** Per-step bins, T predictions of D tokens. */
    private static ChunkCodec binning(int steps, int dof) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", "binning");
        m.put("steps", Integer.toString(steps));
        m.put("dof", Integer.toString(dof));
        return new ChunkCodec(new BinningTokenizer(steps, dof), steps, m);
    }

    /** BEAST's control-point tokens in one prediction, with its settings and bounds as the info. */
    private static ChunkCodec beast(BeastTokenizer tokenizer) {
        BeastSettings s = tokenizer.settings();
        if (s.continuity() != Continuity.C0) {
            throw new IllegalArgumentException("a policy's BEAST codec pins the chunk's start only (C0)");
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("name", "beast");
        m.put("steps", Integer.toString(s.steps()));
        m.put("control_points", Integer.toString(s.controlPoints()));
        m.put("degree", Integer.toString(s.degree()));
        m.put("lambda", Double.toString(s.lambda()));
        m.put("gripper", flags(tokenizer::gripper, tokenizer.dof()));
        StringBuilder bounds = new StringBuilder();
        for (int d = 0; d < tokenizer.dof(); d++) {
            bounds.append(d == 0 ? "" : " ").append(tokenizer.lower(d)).append(':').append(tokenizer.upper(d));
        }
        m.put("bounds", bounds.toString());
        return new ChunkCodec(tokenizer, 1, m);
    }

    private static BeastTokenizer beastFromInfo(Map<String, String> info, DofScaler scaler) {
        boolean[] gripper = parseFlags(text(info, "gripper"));
        String[] parts = text(info, "bounds").split(" ");
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
        BeastSettings settings = new BeastSettings(integer(info, "steps"), integer(info, "control_points"),
                integer(info, "degree"), Double.parseDouble(text(info, "lambda")), Continuity.C0);
        return BeastTokenizer.restore(settings, gripper, lower, upper, scaler);
    }

    private static String text(Map<String, String> info, String key) {
        String v = info.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no codec setting '" + key + "' recorded");
        }
        return v;
    }

    private static int integer(Map<String, String> info, String key) {
        return Integer.parseInt(text(info, key));
    }

    static String flags(IntPredicate flag, int count) {
        StringBuilder b = new StringBuilder();
        for (int d = 0; d < count; d++) {
            b.append(flag.test(d) ? '1' : '0');
        }
        return b.toString();
    }

    static boolean[] parseFlags(String text) {
        boolean[] flags = new boolean[text.length()];
        for (int d = 0; d < flags.length; d++) {
            flags[d] = text.charAt(d) == '1';
        }
        return flags;
    }
}
