package dev.chimera.timeseries.baseline;

/**
 * The ridge's lambda search: validation MSE for every relative lambda of the grid and every
 * horizon, and the one lambda chosen for all horizons: the grid point with the smallest mean over
 * the horizons (the "avg" the reports use), the smaller lambda on a tie. One lambda keeps the
 * horizons nested: the H-step model is the first H columns of the longest one.
 *
 * @param relativeLambdas the grid, as multiples of trace(X^T X) / L of the train windows
 * @param horizons        the horizons, increasing
 * @param mse             validation MSE; (grid, horizons)
 * @param chosen          the index into the grid of the chosen lambda
 * @param trainRows       regression rows (windows x channels) the search fitted on
 * @param validationRows  regression rows it scored
 */
public record RidgeValidation(double[] relativeLambdas, int[] horizons, double[][] mse, int chosen,
                              long trainRows, long validationRows) {

    /** The chosen relative lambda. */
    public double chosenRelativeLambda() {
        return relativeLambdas[chosen];
    }

    /** The mean over horizons of the validation MSE at grid point g. */
    public double averageMse(int g) {
        return mean(mse[g]);
    }

    /** The grid index with the smallest mean over its row, the first one on a tie. */
    static int argminOfMeans(double[][] mse) {
        int best = 0;
        for (int g = 1; g < mse.length; g++) {
            if (mean(mse[g]) < mean(mse[best])) {
                best = g;
            }
        }
        return best;
    }

    private static double mean(double[] row) {
        double s = 0;
        for (double v : row) {
            s += v;
        }
        return s / row.length;
    }
}
