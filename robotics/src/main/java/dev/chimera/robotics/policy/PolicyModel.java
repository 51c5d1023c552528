package dev.chimera.robotics.policy;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.checkpoint.LoadedCheckpoint;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.robotics.tokenize.DofScaler;
import dev.chimera.runtime.RunDirectory;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained action-chunk policy: one or more hybrid decoders (the members of an ensemble, trained
 * alike from different seeds; the policy plans with the mean of their head values), their sequence
 * layout, the codec their heads speak (BEAST control points or per-step bins), and the scalers of
 * observations and actions. On disk one member is a Chimera run directory whose trainer.json says
 * {@code task = robot-policy} and records everything else under {@code robot.*} keys; an ensemble
 * is a directory of members {@code member-1}, {@code member-2}, ... (each such a run directory,
 * all with the same codec, layout and scalers) and {@value #ENSEMBLE_FILE}, which records the
 * ensemble's replanning interval. Either way the model directory is all a robot needs.
 */
public final class PolicyModel {
    public static final String TASK_KEY = RunDirectory.TASK_KEY;
    public static final String TASK = "robot-policy";
    static final String PREFIX = "robot.";
    /** Name prefix of an ensemble's member directories: member-1, member-2, ... */
    public static final String MEMBER_PREFIX = "member-";
    /** The file of an ensemble directory that records its members and replanning interval. */
    public static final String ENSEMBLE_FILE = "ensemble.properties";

    private final Path directory;
    private final List<Decoder> members;
    private final PolicyLayout layout;
    private final ChunkCodec codec;
    private final DofScaler observationScaler;
    private final DofScaler actionScaler;
    private final boolean[] gripper;
    private final int replan;
    private final double rateHz;

    public PolicyModel(Path directory, List<Decoder> members, PolicyLayout layout, ChunkCodec codec,
                       DofScaler observationScaler, DofScaler actionScaler, boolean[] gripper, int replan,
                       double rateHz) {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a policy needs at least one decoder");
        }
        this.directory = directory;
        this.members = List.copyOf(members);
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

    /**
     * Opens a policy: a run or step directory holding one member, or an ensemble directory; a
     * one-line error names what is wrong.
     */
    public static PolicyModel open(Path directory, Backend backend) throws IOException {
        List<Path> memberDirectories = memberDirectories(directory);
        if (memberDirectories.isEmpty()) {
            return openMember(directory, backend);
        }
        PolicyModel first = openMember(memberDirectories.get(0), backend);
        List<Decoder> decoders = new ArrayList<>(first.members);
        Map<String, String> shared = first.sharedInfo();
        for (Path member : memberDirectories.subList(1, memberDirectories.size())) {
            PolicyModel other = openMember(member, backend);
            if (!other.sharedInfo().equals(shared)) {
                throw new UserException("--model " + member + ": its codec, layout or scalers differ from "
                        + memberDirectories.get(0) + "'s; an ensemble's members are trained alike");
            }
            decoders.addAll(other.members);
        }
        int replan = EnsembleFile.replan(directory, decoders.size());
        return new PolicyModel(directory, decoders, first.layout, first.codec, first.observationScaler,
                first.actionScaler, first.gripper, replan, first.rateHz);
    }

    /**
     * The member directories of an ensemble, member-1 .. member-K in order; empty when
     * {@code directory} is not an ensemble (a run directory, say).
     */
    private static List<Path> memberDirectories(Path directory) {
        List<Path> found = new ArrayList<>();
        for (int k = 1; Files.isDirectory(directory.resolve(MEMBER_PREFIX + k)); k++) {
            found.add(directory.resolve(MEMBER_PREFIX + k));
        }
        return found;
    }

    /** What every member of an ensemble must share: its info less how often it replans (the ensemble decides). */
    private Map<String, String> sharedInfo() {
        Map<String, String> m = info();
        m.remove(PREFIX + "replan");
        return m;
    }

    /** Opens one run or step directory holding a single-member policy. */
    private static PolicyModel openMember(Path directory, Backend backend) throws IOException {
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
            return new PolicyModel(directory, List.of(decoder), layout, codec,
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

    /** The ensemble's decoders (one for a single policy), each predicting every head value. */
    public List<Decoder> members() {
        return members;
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
        return new PolicyModel(directory, members, layout, codec, observationScaler, actionScaler, gripper, frames,
                rateHz);
    }

    /** This policy with these members instead (an ensemble of decoders trained like this one's). */
    public PolicyModel withMembers(List<Decoder> decoders) {
        return new PolicyModel(directory, decoders, layout, codec, observationScaler, actionScaler, gripper, replan,
                rateHz);
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
