package dev.chimera.robotics.policy;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.checkpoint.LoadedCheckpoint;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.robotics.tokenize.DofScaler;
import dev.chimera.runtime.RunDirectory;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trained action-chunk policy: the hybrid decoder, its sequence layout, the codec its head
 * speaks (BEAST control points or per-step bins), and the scalers of observations and actions.
 * On disk it is a Chimera run directory whose trainer.json says {@code task = robot-policy} and
 * records everything else under {@code robot.*} keys, so a model directory is all a robot needs.
 */
public final class PolicyModel {
    public static final String TASK_KEY = RunDirectory.TASK_KEY;
    public static final String TASK = "robot-policy";
    static final String PREFIX = "robot.";

    private final Path directory;
    private final Decoder decoder;
    private final PolicyLayout layout;
    private final ChunkCodec codec;
    private final DofScaler observationScaler;
    private final DofScaler actionScaler;
    private final boolean[] gripper;
    private final int replan;
    private final double rateHz;

    public PolicyModel(Path directory, Decoder decoder, PolicyLayout layout, ChunkCodec codec,
                       DofScaler observationScaler, DofScaler actionScaler, boolean[] gripper, int replan,
                       double rateHz) {
        this.directory = directory;
        this.decoder = decoder;
        this.layout = layout;
        this.codec = codec;
        this.observationScaler = observationScaler;
        this.actionScaler = actionScaler;
        this.gripper = gripper.clone();
        this.replan = replan;
        this.rateHz = rateHz;
    }

    /** What every checkpoint of a policy run records (besides the training options). */
    public Map<String, String> info() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TASK_KEY, TASK);
        m.put(PREFIX + "history", Integer.toString(layout.history()));
        m.put(PREFIX + "stride", Integer.toString(layout.stride()));
        m.put(PREFIX + "observations", Integer.toString(layout.observations()));
        m.put(PREFIX + "replan", Integer.toString(replan));
        m.put(PREFIX + "rate_hz", Double.toString(rateHz));
        m.put(PREFIX + "observation_scaler", observationScaler.encode());
        m.put(PREFIX + "action_scaler", actionScaler.encode());
        m.put(PREFIX + "gripper", PolicyCodecs.flags(d -> gripper[d], gripper.length));
        for (Map.Entry<String, String> e : codec.toInfo().entrySet()) {
            m.put(PREFIX + "codec." + e.getKey(), e.getValue());
        }
        return m;
    }

    /** Opens a run or step directory holding a policy; a one-line error names what is wrong. */
    public static PolicyModel open(Path directory, Backend backend) throws IOException {
        LoadedCheckpoint loaded = RunDirectory.openModel(directory, TASK, "a robot policy");
        Map<String, String> info = loaded.trainerState().info();
        try {
            Map<String, String> codecInfo = new LinkedHashMap<>();
            info.forEach((k, v) -> {
                if (k.startsWith(PREFIX + "codec.")) {
                    codecInfo.put(k.substring((PREFIX + "codec.").length()), v);
                }
            });
            DofScaler actionScaler = DofScaler.decode(text(info, "action_scaler"));
            ChunkCodec codec = PolicyCodecs.fromInfo(codecInfo, actionScaler);
            PolicyLayout layout = new PolicyLayout(integer(info, "observations"), codec.dof(), integer(info, "history"),
                    integer(info, "stride"));
            if (layout.observations() != TaskFeatures.COUNT) {
                throw new UserException("--model " + directory + " reads " + layout.observations() + " observation "
                        + "features, this build makes " + TaskFeatures.COUNT + "; retrain it with this build's 'robot train'");
            }
            Decoder decoder = new Decoder(loaded.config(), layout.length(codec), backend);
            loaded.restoreInto(decoder.parameters());
            return new PolicyModel(directory, decoder, layout, codec,
                    DofScaler.decode(text(info, "observation_scaler")), actionScaler,
                    PolicyCodecs.parseFlags(text(info, "gripper")), integer(info, "replan"),
                    Double.parseDouble(text(info, "rate_hz")));
        } catch (IllegalArgumentException e) {
            throw new UserException("--model " + directory + ": " + e.getMessage(), e);
        }
    }

    private static String text(Map<String, String> info, String key) {
        String v = info.get(PREFIX + key);
        if (v == null) {
            throw new IllegalArgumentException("no '" + PREFIX + key + "' recorded");
        }
        return v;
    }

    private static int integer(Map<String, String> info, String key) {
        return Integer.parseInt(text(info, key));
    }

    public Path directory() {
        return directory;
    }

    public Decoder decoder() {
        return decoder;
    }

    public PolicyLayout layout() {
        return layout;
    }

    public ChunkCodec codec() {
        return codec;
    }

    public DofScaler observationScaler() {
        return observationScaler;
    }

    public DofScaler actionScaler() {
        return actionScaler;
    }

    /** This policy replanning every {@code frames} frames instead. */
    public PolicyModel withReplan(int frames) {
        return new PolicyModel(directory, decoder, layout, codec, observationScaler, actionScaler, gripper, frames, rateHz);
    }

    /** Whether action DoF d is a binary gripper. */
    public boolean gripper(int d) {
        return gripper[d];
    }

    /** Frames executed from a chunk before the next one is planned. */
    public int replan() {
        return replan;
    }

    public double rateHz() {
        return rateHz;
    }
}
