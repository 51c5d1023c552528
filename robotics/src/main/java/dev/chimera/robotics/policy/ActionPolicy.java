package dev.chimera.robotics.policy;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.robotics.tokenize.BinningTokenizer;

/**
 * Plans chunks with a trained policy: the decoder reads the observation history (H positions,
 * from a fresh state each time) and its regression head gives, per token, a value in [-1, 1];
 * the token is the bin of 256 it falls in. BEAST reads every control-point token at
 * the last observation position in one pass; binning steps T - 1 more positions, each fed the
 * step it has just decoded. One ActionPolicy serves one caller at a time (its buffers are reused).
 */
public final class ActionPolicy {
    private final PolicyModel model;
    private final Decoder.Inference inference;
    private final DecoderState empty;
    private final DecoderState state;
    private final DecoderState[] states;
    private final float[] historyRows;     // (H, W)
    private final float[] stepRow;         // (1, W)
    private final Inputs historyInputs;
    private final Inputs stepInputs;
    private final int[] tokens;            // (predictions, valuesPerPrediction)
    private final int[] historyLength;     // (1) the prefill's length
    private final double[] fed;            // (D) the step fed back to an autoregressive codec
    private final double[] features;       // (O) one observation's features

    public ActionPolicy(PolicyModel model) {
        this.model = model;
        PolicyLayout layout = model.layout();
        ChunkCodec codec = model.codec();
        Decoder decoder = model.decoder();
        int length = layout.length(codec);
        inference = decoder.inference(1, layout.history());
        empty = decoder.newState(length);
        state = decoder.newState(length);
        states = new DecoderState[] {state};
        historyRows = new float[layout.history() * layout.width()];
        stepRow = new float[layout.width()];
        historyInputs = Inputs.values(Tensor.wrap(historyRows, 0, 1, layout.history(), layout.width()));
        stepInputs = Inputs.values(Tensor.wrap(stepRow, 0, 1, 1, layout.width()));
        tokens = new int[codec.predictionsPerChunk() * codec.valuesPerPrediction()];
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
        state.copyFrom(empty);
        Tensor hidden = inference.prefill(states, historyInputs, historyLength);
        int d = hidden.dim(2);
        Tensor last = hidden.view(layout.history(), d).slice(layout.history() - 1, layout.history());
        readTokens(inference.output(last), 0);
        int per = codec.valuesPerPrediction();
        for (int j = 1; j < codec.predictionsPerChunk(); j++) {
            for (int v = 0; v < fed.length; v++) {
                fed[v] = BinningTokenizer.centre(tokens[(j - 1) * per + v]);
            }
            layout.actionRow(stepRow, 0, fed);
            readTokens(inference.output(inference.step(states, stepInputs)), j * per);
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

    /** Each predicted value's token: the bin of 256 over [-1, 1] it falls in. */
    private void readTokens(Tensor predicted, int offset) {
        float[] p = predicted.data();
        int base = predicted.offset();
        int per = model.codec().valuesPerPrediction();
        for (int v = 0; v < per; v++) {
            tokens[offset + v] = BinningTokenizer.bin(p[base + v]);
        }
    }
}
