package dev.chimera.genomics.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Baseline: multinomial logistic regression ({@link SoftmaxRegression}, L2 chosen on a split of
 * the training set) on the records' 6-mer profiles ({@link KmerCounts}: counts scaled to unit norm).
 */
public final class KmerLogReg implements Classifier {
    public static final int K = 6;
    private static final String WEIGHT = "weight";
    private static final String BIAS = "bias";

    private final KmerCounts kmers;
    private final SoftmaxRegression regression;

    private KmerLogReg(KmerCounts kmers, SoftmaxRegression regression) {
        this.kmers = kmers;
        this.regression = regression;
    }

    public static KmerLogReg fit(List<Example> train, int classes, long seed) {
        KmerCounts kmers = new KmerCounts(K);
        List<SparseVector> xs = train.stream().map(e -> kmers.profile(e.tokens())).toList();
        int[] labels = train.stream().mapToInt(Example::label).toArray();
        SoftmaxRegression r = SoftmaxRegression.fitChoosingL2(xs, labels, classes, kmers.dim(), seed);
        return new KmerLogReg(kmers, rounded(r));
    }

    static SoftmaxRegression rounded(SoftmaxRegression r) {
        return new SoftmaxRegression(r.classes(), r.dim(), StoredTensors.toFloat32(r.weights()),
                StoredTensors.toFloat32(r.bias()), r.l2());
    }

    @Override
    public Method method() {
        return Method.KMER_LOGREG;
    }

    /** The regularisation strength chosen. */
    public double l2() {
        return regression.l2();
    }

    @Override
    public double[][] probabilities(List<Example> records) {
        return records.stream().map(e -> regression.probabilities(kmers.profile(e.tokens()))).toArray(double[][]::new);
    }

    @Override
    public void save(Path dir) throws IOException {
        StoredTensors.write(dir.resolve(method().file()),
                Map.of("method", method().id(), "k", Integer.toString(kmers.k()), "l2", Double.toString(l2())),
                List.of(StoredTensors.slice(WEIGHT, regression.weights(), regression.classes(), regression.dim()),
                        StoredTensors.slice(BIAS, regression.bias(), regression.classes())));
    }

    public static KmerLogReg load(Path dir, int classes) {
        StoredTensors s = StoredTensors.read(dir.resolve(Method.KMER_LOGREG.file()));
        KmerCounts kmers = new KmerCounts(s.intMeta("k"));
        return new KmerLogReg(kmers, new SoftmaxRegression(classes, kmers.dim(),
                s.doubles(WEIGHT, classes * kmers.dim()), s.doubles(BIAS, classes), s.doubleMeta("l2")));
    }
}
