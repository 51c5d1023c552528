package dev.chimera.timeseries.cli;

import dev.chimera.core.checkpoint.SafeTensors;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.runtime.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The best weights of a {@code ts train} run so far by its validation score, kept in memory and in
 * the run directory's {@code best.safetensors}, so that a resumed run knows them.
 */
final class BestWeights {
    private final Path file;
    final String metric;
    long step = -1;
    double mse = Double.POSITIVE_INFINITY;
    float[] values;

    BestWeights(Path file, String metric) {
        this.file = file;
        this.metric = metric;
    }

    boolean known() {
        return step >= 0;
    }

    void offer(long atStep, double validationMse, Decoder decoder, Progress progress) throws IOException {
        offer(atStep, validationMse, null, decoder, progress);
    }

    /** As {@link #offer(long, double, Decoder, Progress)}, with a note on why the weights may be kept. */
    void offer(long atStep, double validationMse, String eligible, Decoder decoder, Progress progress)
            throws IOException {
        boolean better = validationMse < mse;
        String why = eligible == null ? "" : eligible + "; ";
        progress.note(String.format(Locale.ROOT, "step %d: validation %s %.4f (%s%s)", atStep, metric, validationMse,
                why, better ? "best so far" : String.format(Locale.ROOT, "best %.4f at step %d", mse, step)));
        if (better) {
            step = atStep;
            mse = validationMse;
            values = decoder.parameters().values().clone();
            SafeTensors.write(file, List.of(SafeTensors.Slice.of("values", values)),
                    Map.of("step", Long.toString(step), "mse", Double.toString(mse)));
        }
    }

    /** A check whose weights may not be kept whatever their score, and why. */
    void decline(long atStep, double validationMse, String why, Progress progress) {
        progress.note(String.format(Locale.ROOT, "step %d: validation %s %.4f (%s; best %.4f at step %d)", atStep,
                metric, validationMse, why, mse, step));
    }

    void read() throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (SafeTensors.Reader reader = SafeTensors.open(file)) {
            values = reader.read("values");
            step = Long.parseLong(reader.metadata().get("step"));
            mse = Double.parseDouble(reader.metadata().get("mse"));
        }
    }

    void restoreInto(Decoder decoder) {
        if (values != null) {
            System.arraycopy(values, 0, decoder.parameters().values(), 0, values.length);
        }
    }
}
