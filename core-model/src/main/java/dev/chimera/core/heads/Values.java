package dev.chimera.core.heads;

import dev.chimera.core.tensor.Tensor;

/**
 * A float32 tensor window or a float64 array, read and written in double, so the heads have one
 * row loop for the model path (float32) and the gradient-check path (float64).
 */
interface Values {
    double get(int i);

    void set(int i, double v);

    static Values of(Tensor t) {
        float[] data = t.data();
        int offset = t.offset();
        return new Values() {
            @Override
            public double get(int i) {
                return data[offset + i];
            }

            @Override
            public void set(int i, double v) {
                data[offset + i] = (float) v;
            }
        };
    }

    static Values of(double[] data) {
        return new Values() {
            @Override
            public double get(int i) {
                return data[i];
            }

            @Override
            public void set(int i, double v) {
                data[i] = v;
            }
        };
    }
}
