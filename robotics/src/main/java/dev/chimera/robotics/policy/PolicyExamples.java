package dev.chimera.robotics.policy;

import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.DataSource;
import dev.chimera.robotics.tokenize.DofScaler;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Training batches for a policy (behaviour cloning on demonstrations): each sequence plans at a
 * random frame of a random episode. Every observation position k is trained to predict the first
 * prediction of the chunk planned at its own frame (so shorter histories are trained as well);
 * for an autoregressive codec the action positions are teacher-forced with the demonstration's
 * tokenised steps and predict the steps after them. Batch {@code index} is a pure function of
 * the index and the seed, so a resumed run sees the same batches.
 */
public final class PolicyExamples implements DataSource {
    private final List<double[][]> observations;   // per episode (frames, O), raw
    private final List<double[][]> actions;        // per episode (frames, D), normalised
    private final DofScaler scaler;
    private final PolicyLayout layout;
    private final ChunkCodec codec;
    private final int batch;
    private final long seed;

    public PolicyExamples(List<double[][]> observations, List<double[][]> actions, DofScaler scaler,
                          PolicyLayout layout, ChunkCodec codec, int batch, long seed) {
        if (observations.size() != actions.size() || observations.isEmpty()) {
            throw new IllegalArgumentException(observations.size() + " observation and " + actions.size()
                    + " action episodes");
        }
        this.observations = observations;
        this.actions = actions;
        this.scaler = scaler;
        this.layout = layout;
        this.codec = codec;
        this.batch = batch;
        this.seed = seed;
    }

    @Override
    public Batch batch(long index) {
        int length = layout.length(codec);
        int width = layout.width();
        int per = codec.predictionsPerChunk() * codec.valuesPerPrediction();
        int outDim = codec.valuesPerPrediction();
        float[] inputs = new float[batch * length * width];           // (batch, L, W)
        float[] targets = new float[batch * length * outDim];         // (batch, L, outDim)
        float[] weights = new float[batch * length];                  // (batch, L)
        float[] chunkTargets = new float[per];
        double[] previous = new double[codec.dof()];
        double[][] chunk = new double[codec.steps()][codec.dof()];
        double[] fed = new double[codec.dof()];
        SplittableRandom random = new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L));
        for (int b = 0; b < batch; b++) {
            int e = random.nextInt(observations.size());
            double[][] obs = observations.get(e);
            double[][] act = actions.get(e);
            int frame = random.nextInt(obs.length);
            int row0 = b * length;
            for (int k = 0; k < layout.history(); k++) {
                int f = layout.historyFrame(frame, k);
                layout.observationRow(inputs, (row0 + k) * width, obs[f], scaler);
                DemoChunks.previous(act, f, previous);
                DemoChunks.chunk(act, f, chunk);
                codec.targets(previous, chunk, chunkTargets, 0);
                System.arraycopy(chunkTargets, 0, targets, (row0 + k) * outDim, outDim);
                weights[row0 + k] = 1f;
            }
            // the planning frame's chunk: later predictions of an autoregressive codec, fed their step before
            for (int j = 1; j < codec.predictionsPerChunk(); j++) {
                int row = row0 + layout.history() - 1 + j;
                for (int d = 0; d < fed.length; d++) {
                    fed[d] = chunkTargets[(j - 1) * outDim + d];
                }
                layout.actionRow(inputs, row * width, fed);
                System.arraycopy(chunkTargets, j * outDim, targets, row * outDim, outDim);
                weights[row] = 1f;
            }
        }
        return new Batch(Inputs.values(Tensor.of(inputs, batch, length, width)), Targets.values(targets, weights));
    }

    @Override
    public String describe() {
        return String.format("%d demonstrations, batches of %d sequences x %d positions (%s)", observations.size(),
                batch, layout.length(codec), codec.name());
    }
}
