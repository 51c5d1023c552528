package dev.chimera.timeseries.data;

/**
 * Fills the missing (NaN) values of one column on a regular grid: linearly between the nearest
 * observed values on either side (the grid is regular, so row distance is time distance); before
 * the first observed value and after the last one, that value repeated. It is pandas'
 * {@code interpolate(method="linear", limit_direction="both")}.
 */
final class Interpolation {

    private Interpolation() {
    }

    /**
     * Fills {@code column} in place.
     *
     * @return false, leaving it untouched, if no value in it is observed
     */
    static boolean fill(double[] column) {
        int previous = -1;
        for (int i = 0; i < column.length; i++) {
            if (Double.isNaN(column[i])) {
                continue;
            }
            if (previous < 0) {
                for (int k = 0; k < i; k++) {
                    column[k] = column[i];
                }
            } else {
                double a = column[previous];
                double span = column[i] - a;
                int width = i - previous;
                for (int k = previous + 1; k < i; k++) {
                    column[k] = a + span * (k - previous) / width;
                }
            }
            previous = i;
        }
        if (previous < 0) {
            return false;
        }
        for (int k = previous + 1; k < column.length; k++) {
            column[k] = column[previous];
        }
        return true;
    }
}
