package dev.chimera.genomics.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Baseline: the {@link OneHotCnn} fitted by {@link CnnTraining}. */
public final class CnnBaseline implements Classifier {
    private static final String CONV = "conv.weight";            // (width, 4, filters)
    private static final String CONV_BIAS = "conv.bias";         // (filters)
    private static final String LINEAR = "linear.weight";        // (classes, filters)
    private static final String LINEAR_BIAS = "linear.bias";     // (classes)

    private final OneHotCnn cnn;

    private CnnBaseline(OneHotCnn cnn) {
        this.cnn = cnn;
    }

    public static CnnBaseline fit(List<Example> train, int classes, long seed, Consumer<String> log) {
        OneHotCnn fitted = CnnTraining.fit(train, classes, seed, log);
        StoredTensors.toFloat32(fitted.parameters());
        return new CnnBaseline(fitted);
    }

    @Override
    public Method method() {
        return Method.CNN;
    }

    @Override
    public double[][] probabilities(List<Example> records) {
        return records.stream().map(e -> cnn.probabilities(e.tokens())).toArray(double[][]::new);
    }

    @Override
    public void save(Path dir) throws IOException {
        double[] t = cnn.parameters();
        int f = cnn.filters();
        int w = cnn.width();
        int k = cnn.classes();
        int conv = w * 4 * f;
        StoredTensors.write(dir.resolve(method().file()), Map.of("method", method().id(),
                        "filters", Integer.toString(f), "width", Integer.toString(w)),
                List.of(StoredTensors.slice(CONV, Arrays.copyOfRange(t, 0, conv), w, 4, f),
                        StoredTensors.slice(CONV_BIAS, Arrays.copyOfRange(t, conv, conv + f), f),
                        StoredTensors.slice(LINEAR, Arrays.copyOfRange(t, conv + f, conv + f + k * f), k, f),
                        StoredTensors.slice(LINEAR_BIAS, Arrays.copyOfRange(t, conv + f + k * f, t.length), k)));
    }

    public static CnnBaseline load(Path dir, int classes) {
        StoredTensors s = StoredTensors.read(dir.resolve(Method.CNN.file()));
        int f = s.intMeta("filters");
        int w = s.intMeta("width");
        double[] theta = new double[OneHotCnn.size(classes, f, w)];
        int at = 0;
        for (double[] part : List.of(s.doubles(CONV, w * 4 * f), s.doubles(CONV_BIAS, f),
                s.doubles(LINEAR, classes * f), s.doubles(LINEAR_BIAS, classes))) {
            System.arraycopy(part, 0, theta, at, part.length);
            at += part.length;
        }
        return new CnnBaseline(new OneHotCnn(classes, f, w, theta));
    }
}
