package dev.chimera.robotics.tokenize;

/**
 * Per-step uniform binning (RT-2, arXiv 2307.15818; OpenVLA, arXiv 2406.09246): every normalised
 * action of every DoF, clipped to [-1, 1], becomes one of 256 equal bins, T x D tokens per chunk,
 * ordered step-major; decoding returns bin centres. The baseline BEAST and FAST are measured against.
 */
public final class BinningTokenizer implements ActionTokenizer {
    public static final int BINS = 256;
    private final int steps;
    private final int dof;

    public BinningTokenizer(int steps, int dof) {
        if (steps < 1 || dof < 1) {
            throw new IllegalArgumentException("binning needs T >= 1 and D >= 1, got " + steps + ", " + dof);
        }
        this.steps = steps;
        this.dof = dof;
    }

    @Override
    public String method() {
        return "binning";
    }

    @Override
    public int chunkLength() {
        return steps;
    }

    @Override
    public int dof() {
        return dof;
    }

    @Override
    public int maxTokens() {
        return steps * dof;
    }

    /** The bin of a normalised value: floor((x + 1) / 2 * 256), clipped to 0..255. */
    public static int bin(double x) {
        int b = (int) Math.floor((x + 1.0) * (BINS / 2.0));
        return Math.max(0, Math.min(BINS - 1, b));
    }

    /** The centre of bin b in normalised units. */
    public static double centre(int b) {
        return -1.0 + (b + 0.5) * (2.0 / BINS);
    }

    @Override
    public int encode(double[] chunk, double[] previous, double[] velocity, int[] tokens) {
        int n = steps * dof;
        for (int i = 0; i < n; i++) {
            tokens[i] = bin(chunk[i]);
        }
        return n;
    }

    @Override
    public void decode(int[] tokens, int count, double[] previous, double[] velocity, double[] out) {
        if (count != steps * dof) {
            throw new IllegalArgumentException("binning decodes " + steps * dof + " tokens per chunk, got " + count);
        }
        for (int i = 0; i < count; i++) {
            out[i] = centre(tokens[i]);
        }
    }
}
