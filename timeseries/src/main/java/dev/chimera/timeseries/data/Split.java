package dev.chimera.timeseries.data;

/**
 * Train / validation / test borders by time, as row indices of a {@link SeriesTable}: train is
 * rows [0, trainEnd), validation [trainEnd, validationEnd), test [validationEnd, testEnd). Rows
 * from testEnd on are used by no part (ETT's protocol stops at 20 months).
 *
 * <p>Validation and test windows take their lookback from the rows before their border, so the
 * first forecast origin of a part is its first row (the Informer/Autoformer data loaders' rule).
 */
public record Split(int trainEnd, int validationEnd, int testEnd) {

    public Split {
        if (trainEnd <= 0 || validationEnd < trainEnd || testEnd < validationEnd) {
            throw new IllegalArgumentException("split borders must grow: train " + trainEnd + ", validation "
                    + validationEnd + ", test " + testEnd);
        }
    }
}
