package dev.chimera.genomics.classify;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Baseline: the {@link OneHotCnn} fitted by {@link CnnTraining}. */
public final class CnnBaseline implements Classifier {
    private static final String PARAMETERS = "parameters";

    private final OneHotCnn cnn;

    private CnnBaseline(OneHotCnn cnn) {
        this.cnn = cnn;
    }

    public static CnnBaseline fit(List<Example> train, int classes, long seed, Consumer<String> log) {
        OneHotCnn fitted = CnnTraining.fit(train, classes, seed, log).cnn();
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
        StoredTensors.write(dir.resolve(method().file()), Map.of("method", method().id(),
                        "filters", Integer.toString(cnn.filters()), "width", Integer.toString(cnn.width()),
                        "layout", "conv (width, 4, filters), conv_bias (filters), lin (classes, filters), lin_bias (classes)"),
                List.of(StoredTensors.slice(PARAMETERS, cnn.parameters(), cnn.parameters().length)));
    }

    public static CnnBaseline load(Path dir, int classes) {
        StoredTensors s = StoredTensors.read(dir.resolve(Method.CNN.file()));
        int filters = s.intMeta("filters");
        int width = s.intMeta("width");
        return new CnnBaseline(new OneHotCnn(classes, filters, width,
                s.doubles(PARAMETERS, OneHotCnn.size(classes, filters, width))));
    }
}
