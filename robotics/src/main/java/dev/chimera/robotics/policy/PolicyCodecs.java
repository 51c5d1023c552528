package dev.chimera.robotics.policy;

import dev.chimera.robotics.tokenize.BeastSettings;
import dev.chimera.robotics.tokenize.BeastTokenizer;
import dev.chimera.robotics.tokenize.ChunkedEpisode;
import dev.chimera.robotics.tokenize.Continuity;
import dev.chimera.robotics.tokenize.DofScaler;
import java.util.ArrayList;
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
                return new BinningCodec(steps, gripper.length);
            case "beast":
                List<ChunkedEpisode> chunked = new ArrayList<>();
                for (double[][] episode : normalised) {
                    chunked.add(ChunkedEpisode.of(episode, steps));
                }
                BeastSettings settings = BeastSettings.of(steps, controlPoints, degree, Continuity.C0);
                return new BeastCodec(BeastTokenizer.fit(settings, gripper, scaler, chunked));
            default:
                throw new IllegalArgumentException("a policy's tokenizer is beast or binning, got " + name);
        }
    }

    /** The codec a saved policy recorded (keys of {@link ChunkCodec#toInfo}). */
    public static ChunkCodec fromInfo(Map<String, String> info, DofScaler scaler) {
        String name = text(info, "name");
        switch (name) {
            case "binning":
                return new BinningCodec(integer(info, "steps"), integer(info, "dof"));
            case "beast":
                return BeastCodec.fromInfo(info, scaler);
            default:
                throw new IllegalArgumentException("unknown codec '" + name + "'");
        }
    }

    static String text(Map<String, String> info, String key) {
        String v = info.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no codec setting '" + key + "' recorded");
        }
        return v;
    }

    static int integer(Map<String, String> info, String key) {
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
