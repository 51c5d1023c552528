package dev.chimera.robotics.policy;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.robotics.data.DemoFiles;
import dev.chimera.robotics.data.Episode;
import dev.chimera.robotics.sim.Demonstrations;
import dev.chimera.robotics.tokenize.BeastSettings;
import dev.chimera.robotics.tokenize.DofScaler;
import dev.chimera.runtime.UserException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code robot train} builds a policy from: the demonstrations (generated, or read from a
 * file), the scalers fitted on them, the codec, and the trunk both codecs share. The policy plans
 * 1-s chunks (T = 50 at 50 Hz) every half second from 8 observations 0.1 s apart; BEAST uses 12
 * control points of degree 4 (45 tokens), the number {@code robot tokenizers} chooses on these
 * demonstrations.
 */
public final class PolicyTraining {
    /** The training options recorded in every checkpoint (and what a resumed run checks). */
    public static final String OPTIONS_KEY = PolicyModel.PREFIX + "train";
    static final int HISTORY = 8;
    static final int STRIDE = 5;
    static final int CHUNK = 50;
    static final int REPLAN = 25;
    static final int CONTROL_POINTS = 12;
    private static final boolean[] GRIPPER = {false, false, false, true};

    private PolicyTraining() {
    }

    /** The trunk both codecs share, with a continuous input of the layout's width and a regression of outDim token values. */
    static ModelConfig config(int width, int outDim) {
        return ModelConfig.small().toBuilder().dModel(64).nLayers(4).mixerPattern("MAMA").mlp(ModelConfig.MlpKind.SWIGLU)
                .mlpHidden(128).attnHeads(4).kvHeads(2).dState(16).headdim(16).expand(2).ngroups(1).dConv(4)
                .chunkSize(16).attnSpans(List.of("full")).input(CoreComponents.continuous(width, "linear"))
                .head(CoreComponents.regression(outDim)).build();
    }

    /** An untrained policy for these demonstrations, its codec and scalers fitted on them. */
    public static PolicyModel newModel(String tokenizer, Data data, Backend backend, Path directory) {
        ChunkCodec codec = PolicyCodecs.fit(tokenizer, CHUNK, CONTROL_POINTS, BeastSettings.DEFAULT_DEGREE, GRIPPER,
                data.actionScaler, data.actions);
        PolicyLayout layout = new PolicyLayout(TaskFeatures.COUNT, codec.dof(), HISTORY, STRIDE);
        Decoder decoder = new Decoder(config(layout.width(), codec.valuesPerPrediction()), layout.length(codec), backend);
        return new PolicyModel(directory, List.of(decoder), layout, codec, data.observationScaler, data.actionScaler, GRIPPER,
                REPLAN, Demonstrations.RATE_HZ);
    }

    /** Demonstrations with their scalers. */
    public static final class Data {
        private final List<double[][]> features;   // per episode (frames, TaskFeatures.COUNT)
        private final List<double[][]> actions;    // per episode (frames, D), normalised
        private final DofScaler observationScaler;
        private final DofScaler actionScaler;

        private Data(List<Episode> episodes) {
            List<double[][]> raw = new ArrayList<>();
            features = new ArrayList<>();
            for (Episode e : episodes) {
                features.add(TaskFeatures.expand(e.observations()));
                raw.add(e.actions());
            }
            observationScaler = DofScaler.standardise(features, TaskFeatures.COUNT);
            actionScaler = DofScaler.fit(raw, GRIPPER.length);
            actions = new ArrayList<>();
            for (double[][] episode : raw) {
                actions.add(actionScaler.normalise(episode));
            }
        }

        /** The successful episodes of a demonstrations file, or of {@code count} generated ones. */
        public static Data load(Path file, int count, PrintWriter progress) {
            List<Episode> all;
            if (file == null) {
                if (count < 1) {
                    throw new UserException("--episodes must be >= 1, got " + count);
                }
                all = Demonstrations.generate(count, Demonstrations.DEFAULT_SEED);
            } else {
                all = DemoFiles.read(file, Demonstrations.RATE_HZ);
            }
            List<Episode> kept = new ArrayList<>();
            for (Episode e : all) {
                if (e.success()) {
                    kept.add(e);
                }
            }
            if (kept.isEmpty()) {
                throw new UserException((file == null ? "the generated demonstrations" : file.toString())
                        + " hold no successful episode to learn from");
            }
            progress.printf(Locale.ROOT, "demonstrations: %d successful of %d%s%n", kept.size(), all.size(),
                    file == null ? " generated (seed " + Demonstrations.DEFAULT_SEED + ")" : " in " + file);
            progress.flush();
            return new Data(kept);
        }

        public int size() {
            return actions.size();
        }


        /** Training batches for a policy made by {@link #newModel} from these demonstrations. */
        public PolicyExamples examples(PolicyModel model, int batch, long seed) {
            return new PolicyExamples(features, actions, observationScaler, model.layout(), model.codec(),
                    batch, seed);
        }
    }
}
