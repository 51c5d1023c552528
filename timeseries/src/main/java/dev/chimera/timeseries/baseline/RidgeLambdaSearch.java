package dev.chimera.timeseries.baseline;

import dev.chimera.core.kernel.ComputePool;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;

/**
 * Validation error of the ridge solution at every lambda of a grid, from one eigendecomposition of
 * the train X^T X and the validation windows' sums, never forming the validation predictions.
 *
 * <p>With {@code X^T X = V diag(e) V^T} (train) and {@code A = V^T (X^T Y)}, the solution is
 * {@code W(lambda) = V D A}, {@code D = diag(d)}, {@code d_i = 1 / (e_i + lambda)}. For validation
 * sums {@code Gv = Xv^T Xv}, {@code Cv = Xv^T Yv} and the targets' sums of squares {@code yy}, the
 * squared error summed over output columns h < H is
 *
 * <pre>
 *   err_H = sum_{h<H} yy_h - 2 sum_i d_i T_i + sum_{i,k} d_i d_k P_ik
 *   T_i   = sum_{h<H} A_ih (V^T Cv)_ih                                 (L)
 *   P     = (V^T Gv V) o S,   S = sum_{h<H} A_h A_h^T   (o: elementwise)  (L, L)
 * </pre>
 *
 * <p>T and P depend on H but not on lambda, so after the eigendecomposition (Commons Math, ~1.5 s
 * for L = 672) and three products done once (two L^3, one L^2 Hmax) every lambda costs O(L^2)
 * per horizon: a fine grid is free.
 */
final class RidgeLambdaSearch {

    private RidgeLambdaSearch() {
    }

    /**
     * The validation MSE per lambda and horizon: mean over the validation rows and the first H output
     * columns. // result: (lambdas, horizons)
     *
     * @param xtx      train X^T X (L, L)
     * @param xty      train X^T Y (L, Hmax)
     * @param gv       validation X^T X (L, L)
     * @param cv       validation X^T Y (L, Hmax)
     * @param yyv      validation targets' sums of squares (Hmax)
     * @param rowsV    validation rows (windows x channels)
     * @param lambdas  absolute lambdas
     * @param horizons increasing, each at most Hmax
     */
    static double[][] validationMse(ComputePool pool, double[][] xtx, double[][] xty, double[][] gv, double[][] cv,
                                    double[] yyv, long rowsV, double[] lambdas, int[] horizons) {
        int L = xtx.length;
        EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(xtx, false));
        double[][] v = eig.getV().getData();        // (L, L), columns are eigenvectors
        double[] e = eig.getRealEigenvalues();       // (L)
        double[][] a = DenseMath.transposeMultiply(pool, v, xty);                                // V^T C    (L, Hmax)
        double[][] cvRot = DenseMath.transposeMultiply(pool, v, cv);                             // V^T Cv   (L, Hmax)
        double[][] mv = DenseMath.transposeMultiply(pool, v, DenseMath.multiply(pool, gv, v));   // V^T Gv V (L, L)
        double[][] at = transpose(a);                                                            // (Hmax, L)
        double[][] s = new double[L][L];   // S over the columns so far
        double[] t = new double[L];        // T over the columns so far
        double yy = 0;
        int done = 0;
        double[][] out = new double[lambdas.length][horizons.length];
        double[] d = new double[L];
        for (int k = 0; k < horizons.length; k++) {
            int H = horizons[k];
            double[][] block = java.util.Arrays.copyOfRange(at, done, H);  // columns [done, H) of A, (H - done, L)
            double[][] sBlock = DenseMath.transposeMultiply(pool, block, block);
            for (int i = 0; i < L; i++) {
                for (int j = 0; j < L; j++) {
                    s[i][j] += sBlock[i][j];
                }
                for (int h = done; h < H; h++) {
                    t[i] += a[i][h] * cvRot[i][h];
                }
            }
            for (int h = done; h < H; h++) {
                yy += yyv[h];
            }
            done = H;
            double[][] p = new double[L][L];
            for (int i = 0; i < L; i++) {
                for (int j = 0; j < L; j++) {
                    p[i][j] = mv[i][j] * s[i][j];
                }
            }
            for (int g = 0; g < lambdas.length; g++) {
                for (int i = 0; i < L; i++) {
                    d[i] = 1.0 / (e[i] + lambdas[g]);
                }
                double err = yy;
                for (int i = 0; i < L; i++) {
                    double pi = 0;
                    double[] row = p[i];
                    for (int j = 0; j < L; j++) {
                        pi += row[j] * d[j];
                    }
                    err += d[i] * (pi - 2 * t[i]);
                }
                out[g][k] = err / ((double) rowsV * H);
            }
        }
        return out;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }
}
