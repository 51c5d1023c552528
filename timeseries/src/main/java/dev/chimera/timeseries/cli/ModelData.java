package dev.chimera.timeseries.cli;

import dev.chimera.runtime.UserException;
import dev.chimera.timeseries.data.SeriesTable;
import dev.chimera.timeseries.model.TsModel;
import java.nio.file.Path;
import java.time.Duration;

/** Checks that data fits a model. */
final class ModelData {
    private ModelData() {
    }

    /** The model reads segments of a fixed number of points: the data's grid step must be the one it was trained on. */
    static void requireSameStep(TsModel model, SeriesTable table, Path file) {
        long trained = model.settings().stepSeconds();
        if (table.step().getSeconds() != trained) {
            throw new UserException(file + ": data every " + table.step() + ", the model in " + model.directory()
                    + " was trained on data every " + Duration.ofSeconds(trained));
        }
    }
}
