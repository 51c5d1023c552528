package dev.chimera.streaming.flink;

import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.streaming.consumer.StreamForecaster;
import dev.chimera.streaming.record.DeadLetter;
import dev.chimera.streaming.record.ForecastRecord;
import dev.chimera.timeseries.model.TsModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The reference: the single-process consumer's logic ({@link StreamForecaster}) over the same file's
 * data lines in order, in ticks of random sizes as the consumer reads them, a malformed line refused
 * where it stands. Its records, sorted by input index, are what the job must write.
 */
final class SingleProcessConsumer implements StreamForecaster.Output {
    final List<ForecastRecord> forecasts = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();

    /** Runs {@code lines} (header first) through a consumer of {@code model} with {@code settings}. */
    static SingleProcessConsumer run(Path model, ForecastSettings settings, List<String> lines, long seed) {
        SingleProcessConsumer out = new SingleProcessConsumer();
        ObservationCsv format = ObservationCsv.fromHeader(lines.get(0));
        try (ComputePool pool = new ComputePool(1)) {
            TsModel m = TsModel.open(model, Backends.forDevice("cpu", pool).rowInvariant());
            StreamForecaster consumer = new StreamForecaster(m, settings.consumerSettings(m.settings().segment()), 64);
            Random r = new Random(seed);
            List<StreamForecaster.Input> tick = new ArrayList<>();
            int tickSize = 1 + r.nextInt(32);
            for (int index = 0; index < lines.size() - 1; index++) {
                String line = lines.get(index + 1);
                try {
                    tick.add(new StreamForecaster.Input(index, format.parse(line)));
                } catch (ObservationCsv.MalformedLine e) {
                    consumer.process(tick, out);
                    tick.clear();
                    consumer.refuse(index, "line " + (index + 2) + ": " + e.getMessage(), line, out);
                }
                if (tick.size() == tickSize) {
                    consumer.process(tick, out);
                    tick.clear();
                    tickSize = 1 + r.nextInt(32);
                }
            }
            consumer.process(tick, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    @Override
    public void forecast(ForecastRecord forecast) {
        forecasts.add(forecast);
    }

    @Override
    public void deadLetter(DeadLetter letter) {
        deadLetters.add(letter);
    }
}
