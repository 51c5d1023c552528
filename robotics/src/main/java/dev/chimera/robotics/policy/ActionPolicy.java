package dev.chimera.robotics.policy;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.robotics.tokenize.BinningTokenizer;
import java.util.Arrays;

/**
 * Plans chunks with a trained policy: each member decoder reads the observation history (H
 * positions, from a fresh state each time) and its regression head gives, per token, a value in
 * [-1, 1]; the token is the bin of 256 that the members' mean value falls in (an ensemble averages
 * out the errors its members do not share). BEAST reads every control-point token at the last
 * observation position in one pass of each member; binning steps T - 1 more positions, every
 * member fed the step the ensemble has just decoded. One ActionPolicy serves one caller at a time
 * (its buffers are reused).
 */
public final class ActionPolicy {
    private final PolicyModel model;
    private final Member[] members;
    private final float[] historyRows;     // (H, W)
    private final float[] stepRow;         // (1, W)
    private final Inputs historyInputs;
    private final Inputs stepInputs;
    private final int[] tokens;            // (predictions, valuesPerPrediction)
    private final float[] mean;            // (valuesPerPrediction) the members' mean head values
    private final int[] historyLength;     // (1) the prefill's length
    private final double[] fed;            // (D) the step fed back to an autoregressive codec
    private final double[] features;       // (O) one observation's features

    public ActionPolicy(PolicyModel model) {
        this.model = model;
        PolicyLayout layout = model.layout();
        ChunkCodec codec = model.codec();
        members = new Member[model.members().size()];
        for (int m = 0; m < members.length; m++) {
            members[m] = new Member(model.members().get(m), layout.history(), layout.length(codec));
        }
        historyRows = new float[layout.history() * layout.width()];
        stepRow = new float[layout.width()];
        historyInputs = Inputs.values(Tensor.wrap(historyRows, 0, 1, layout.history(), layout.width()));
        stepInputs = Inputs.values(Tensor.wrap(stepRow, 0, 1, 1, layout.width()));
        tokens = new int[codec.predictionsPerChunk() * codec.valuesPerPrediction()];
        mean = new float[codec.valuesPerPrediction()];
        historyLength = new int[] {layout.history()};
        fed = new double[codec.dof()];
        features = new double[layout.observations()];
    }

    public PolicyModel model() {
        return model;
    }

    /**
     * The chunk (T, D, normalised actions) to execute after {@code previous} (normalised, D), from
     * the raw observations of the history's frames, (H, 14), oldest first.
     */
    public void plan(double[][] history, double[] previous, double[][] out) {
        PolicyLayout layout = model.layout();
        ChunkCodec codec = model.codec();
        int width = layout.width();
        for (int k = 0; k < layout.history(); k++) {
            TaskFeatures.expand(history[k], features);
            layout.observationRow(historyRows, k * width, features, model.observationScaler());
        }
        Arrays.fill(mean, 0f);
        for (Member member : members) {
            member.add(member.prefill(historyInputs, historyLength, layout.history()), mean, members.length);
        }
        readTokens(0);
        int per = codec.valuesPerPrediction();
        for (int j = 1; j < codec.predictionsPerChunk(); j++) {
            for (int v = 0; v < fed.length; v++) {
                fed[v] = BinningTokenizer.centre(tokens[(j - 1) * per + v]);
            }
            layout.actionRow(stepRow, 0, fed);
            Arrays.fill(mean, 0f);
            for (Member member : members) {
                member.add(member.step(stepInputs), mean, members.length);
            }
            readTokens(j * per);
        }
        codec.decode(previous, tokens, out);
    }

    /**
     * The tokens the latest {@link #plan} read, (predictionsPerChunk * valuesPerPrediction) into out,
     * in the codec's order; returns their count. For a caller that wants the code rather than the
     * decoded steps (BEAST's control points: {@link LearnedChunkPolicy}).
     */
    public int tokens(int[] out) {
        System.arraycopy(tokens, 0, out, 0, tokens.length);
        return tokens.length;
    }

    /** Each value's token: the bin of 256 over [-1, 1] the members' mean falls in. */
    private void readTokens(int offset) {
        for (int v = 0; v < mean.length; v++) {
            tokens[offset + v] = BinningTokenizer.bin(mean[v]);
        }
    }

    /** One member decoder with its inference buffers and its state (one sequence). */
    private static final class Member {
        private final Decoder.Inference inference;
        private final DecoderState empty;
        private final DecoderState[] states;

        Member(Decoder decoder, int history, int length) {
            inference = decoder.inference(1, history);
            empty = decoder.newState(length);
            states = new DecoderState[] {decoder.newState(length)};
        }

        /** Reads the history from a fresh state; the head's values at its last position, (1, values). */
        Tensor prefill(Inputs history, int[] length, int positions) {
            states[0].copyFrom(empty);
            Tensor hidden = inference.prefill(states, history, length);
            int d = hidden.dim(2);
            return inference.output(hidden.view(positions, d).slice(positions - 1, positions));
        }

        /** One more position; the head's values there, (1, values). */
        Tensor step(Inputs input) {
            return inference.output(inference.step(states, input));
        }

        /** Adds predicted / count into sum. */
        void add(Tensor predicted, float[] sum, int count) {
            float[] p = predicted.data();
            int base = predicted.offset();
            for (int v = 0; v < sum.length; v++) {
                sum[v] += p[base + v] / count;
            }
        }
    }
}
