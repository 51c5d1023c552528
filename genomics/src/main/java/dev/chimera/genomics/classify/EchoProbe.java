package dev.chimera.genomics.classify;

import dev.chimera.genomics.Embedder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A probe of the frozen pretrained model: each record's echo embedding ({@link Embedder} with
 * echo: the model reads BOS + x + x and the states of the second copy are averaged), standardised
 * with the training set's per-dimension mean and standard deviation, and a multinomial logistic
 * regression on it ({@link SoftmaxRegression}, L2 chosen on a split of the training set).
 */
public final class EchoProbe implements Classifier {
    private static final String WEIGHT = "weight";
    private static final String BIAS = "bias";
    private static final String MEAN = "mean";
    private static final String SCALE = "scale";

    private final Embedder embedder;
    private final int maxBases;
    private final double[] mean;
    private final double[] scale;
    private final SoftmaxRegression regression;

    private EchoProbe(Embedder embedder, int maxBases, double[] mean, double[] scale, SoftmaxRegression regression) {
        this.embedder = embedder;
        this.maxBases = maxBases;
        this.mean = mean;
        this.scale = scale;
        this.regression = regression;
    }

    /**
     * {@code embedder} must embed with echo; a record longer than {@code maxBases} is embedded by its
     * central {@code maxBases} bases ({@link Example#centralCrop}), here and in {@link #probabilities}.
     */
    public static EchoProbe fit(Embedder embedder, int maxBases, List<Example> train, int classes, long seed,
                                LongConsumer progress) {
        requireEcho(embedder);
        List<float[]> raw = new ArrayList<>(train.size());
        for (Example e : train) {
            raw.add(embedder.embed(e.centralCrop(maxBases).tokens(), e.where(), progress));
        }
        int d = embedder.dim();
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (float[] v : raw) {
            for (int j = 0; j < d; j++) {
                mean[j] += v[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= raw.size();
        }
        for (float[] v : raw) {
            for (int j = 0; j < d; j++) {
                scale[j] += (v[j] - mean[j]) * (v[j] - mean[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(scale[j] / raw.size());
            scale[j] = sd > 1e-12 ? 1 / sd : 1;
        }
        StoredTensors.toFloat32(mean);
        StoredTensors.toFloat32(scale);
        List<SparseVector> xs = raw.stream().map(v -> standardised(v, mean, scale)).toList();
        int[] labels = train.stream().mapToInt(Example::label).toArray();
        SoftmaxRegression r = SoftmaxRegression.fitChoosingL2(xs, labels, classes, d, seed);
        return new EchoProbe(embedder, maxBases, mean, scale, KmerLogReg.rounded(r));
    }

    private static void requireEcho(Embedder embedder) {
        if (embedder.pooling() != Embedder.Pooling.ECHO) {
            throw new IllegalArgumentException("the echo probe needs an embedder with echo");
        }
    }

    private static SparseVector standardised(float[] v, double[] mean, double[] scale) {
        double[] x = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            x[j] = (v[j] - mean[j]) * scale[j];
        }
        return SparseVector.dense(x);
    }

    @Override
    public Method method() {
        return Method.ECHO_PROBE;
    }

    @Override
    public double[][] probabilities(List<Example> records) {
        return records.stream().map(e -> regression.probabilities(standardised(
                embedder.embed(e.centralCrop(maxBases).tokens(), e.where(), null), mean, scale)))
                .toArray(double[][]::new);
    }

    @Override
    public void save(Path dir) throws IOException {
        int d = mean.length;
        StoredTensors.write(dir.resolve(method().file()), Map.of("method", method().id(),
                        "l2", Double.toString(regression.l2()),
                        "features", "echo embedding, standardised: (x - mean) * scale"),
                List.of(StoredTensors.slice(WEIGHT, regression.weights(), regression.classes(), d),
                        StoredTensors.slice(BIAS, regression.bias(), regression.classes()),
                        StoredTensors.slice(MEAN, mean, d), StoredTensors.slice(SCALE, scale, d)));
    }

    public static EchoProbe load(Path dir, Embedder embedder, int maxBases, int classes) {
        requireEcho(embedder);
        StoredTensors s = StoredTensors.read(dir.resolve(Method.ECHO_PROBE.file()));
        int d = embedder.dim();
        return new EchoProbe(embedder, maxBases, s.doubles(MEAN, d), s.doubles(SCALE, d),
                new SoftmaxRegression(classes, d, s.doubles(WEIGHT, classes * d), s.doubles(BIAS, classes),
                        s.doubleMeta("l2")));
    }
}
