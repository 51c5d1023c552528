package dev.chimera.core.heads;

import dev.chimera.core.tensor.Tensor;
import java.util.function.DoubleUnaryOperator;

/**
 * B equal bins over [-1, 1], the support of the Fourier head (REFERENCE.md §4; Fourier Head,
 * ICLR 2025). Bin m covers [-1 + m w, -1 + (m+1) w) with w = 2/B, and the last bin also takes 1
 * itself, as np.digitize followed by the reference's clip does for the upper end; its centre is
 * x_m = -1 + (2m+1)/B, where {@link FourierDensity} evaluates the density.
 *
 * <p>Only [-1, 1] is accepted: a value outside (or NaN) throws, naming it. Callers scale their data
 * into [-1, 1] first (and decide themselves what to do with outliers); nothing here clamps.
 */
public final class Bins {
    private final int count;
    private final double width;

    public Bins(int count) {
        if (count < 2) {
            throw new IllegalArgumentException("Bins: count B must be >= 2, got " + count);
        }
        this.count = count;
        this.width = 2.0 / count;
    }

    public int count() {
        return count;
    }

    /** w = 2 / B. */
    public double width() {
        return width;
    }

    /** x_m = -1 + (2m+1)/B. */
    public double center(int m) {
        check(m);
        return -1 + (2.0 * m + 1) / count;
    }

    /** -1 + m w; the lower edge of bin 0 is exactly -1. */
    public double lowerEdge(int m) {
        check(m);
        return -1 + m * width;
    }

    /** The next bin's lower edge; the upper edge of the last bin is exactly 1. */
    public double upperEdge(int m) {
        check(m);
        return m == count - 1 ? 1.0 : -1 + (m + 1) * width;
    }

    /** The bin holding value, which must lie in [-1, 1]; 1 itself belongs to the last bin. */
    public int index(double value) {
        if (!(value >= -1 && value <= 1)) {
            throw new IllegalArgumentException("Bins: value " + value + " is outside [-1, 1]; scale values into [-1, 1]"
                    + " before binning");
        }
        // floor((v+1)/w) can land one off next to an edge after rounding; settle it against the edges themselves.
        int m = Math.min(count - 1, (int) Math.floor((value + 1) / width));
        if (m > 0 && value < lowerEdge(m)) {
            m--;
        } else if (m < count - 1 && value >= upperEdge(m)) {
            m++;
        }
        return m;
    }

    /** out[i] = index(values[i]) over the flattened tensor; an error names the position and value. */
    public void indices(int[] out, Tensor values) {
        if (out.length != values.size()) {
            throw new IllegalArgumentException("Bins.indices: " + out.length + " outputs for " + values.size()
                    + " values " + values.shapeString());
        }
        for (int i = 0; i < out.length; i++) {
            float v = values.at(i);
            if (!(v >= -1 && v <= 1)) {
                throw new IllegalArgumentException("Bins.indices: value " + v + " at flat position " + i + " of "
                        + values.shapeString() + " is outside [-1, 1]; scale values into [-1, 1] before binning");
            }
            out[i] = index(v);
        }
    }

    /**
     * A density discretised as the synthetic experiment does: out[m] = pdf(x_m) / sum_j pdf(x_j),
     * the pdf at the bin centres, normalised (generate_datasets.py, gaussian_pdf).
     */
    public void discretize(double[] out, DoubleUnaryOperator pdf) {
        if (out.length != count) {
            throw new IllegalArgumentException("Bins.discretize: out has " + out.length + " values for " + count + " bins");
        }
        double total = 0;
        for (int m = 0; m < count; m++) {
            double v = pdf.applyAsDouble(center(m));
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("Bins.discretize: pdf(" + center(m) + ") = " + v
                        + " at bin " + m + " is not a finite density value >= 0");
            }
            out[m] = v;
            total += v;
        }
        if (total == 0) {
            throw new IllegalArgumentException("Bins.discretize: the pdf is 0 at every bin centre");
        }
        for (int m = 0; m < count; m++) {
            out[m] /= total;
        }
    }

    private void check(int m) {
        if (m < 0 || m >= count) {
            throw new IndexOutOfBoundsException("bin " + m + " of " + count);
        }
    }
}
