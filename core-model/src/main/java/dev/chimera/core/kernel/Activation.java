package dev.chimera.core.kernel;

/**
 * Pointwise functions and their derivatives, in double precision: the definition that every
 * kernel implementation is tested against.
 *
 * <p>GELU is the tanh approximation (GPT-2, llm.c). Every function is written so that no
 * finite input gives NaN: softplus(x) = max(x, 0) + log1p(exp(-|x|)), sigmoid never forms
 * exp of a large positive number, GELU clamps its polynomial where tanh has saturated.
 */
public enum Activation {
    SILU {
        @Override
        public double apply(double x) {
            return x * sigmoid(x);
        }

        @Override
        public double derivative(double x) {
            double s = sigmoid(x);
            return s * (1 + x * (1 - s));
        }
    },
    GELU {
        @Override
        public double apply(double x) {
            return 0.5 * x * (1 + Math.tanh(geluInner(x)));
        }

        @Override
        public double derivative(double x) {
            double t = Math.tanh(geluInner(x));
            double xc = Math.max(-GELU_SATURATION, Math.min(GELU_SATURATION, x));
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_SCALE * (1 + 3 * GELU_CUBIC * xc * xc);
        }
    },
    RELU {
        @Override
        public double apply(double x) {
            return x > 0 ? x : 0;
        }

        @Override
        public double derivative(double x) {
            return x > 0 ? 1 : 0;
        }
    },
    SOFTPLUS {
        @Override
        public double apply(double x) {
            return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
        }

        @Override
        public double derivative(double x) {
            return sigmoid(x);
        }
    },
    SIGMOID {
        @Override
        public double apply(double x) {
            return sigmoid(x);
        }

        @Override
        public double derivative(double x) {
            double s = sigmoid(x);
            return s * (1 - s);
        }
    },
    EXP {
        @Override
        public double apply(double x) {
            return Math.exp(x);
        }

        @Override
        public double derivative(double x) {
            return Math.exp(x);
        }
    };

    /** sqrt(2/pi), the scale inside GELU's tanh. */
    public static final double GELU_SCALE = Math.sqrt(2 / Math.PI);
    /** The cubic coefficient of the GELU tanh approximation. */
    public static final double GELU_CUBIC = 0.044715;

    /**
     * Beyond |x| = 10 the tanh in GELU is +-1 to well past float precision; clamping x there
     * inside the polynomial keeps x^3 from overflowing, so huge finite inputs give no 0*Inf NaN.
     */
    public static final double GELU_SATURATION = 10;

    /** sqrt(2/pi) * (x + 0.044715 x^3) with x clamped to the saturation range. */
    public static double geluInner(double x) {
        double xc = Math.max(-GELU_SATURATION, Math.min(GELU_SATURATION, x));
        return GELU_SCALE * (xc + GELU_CUBIC * xc * xc * xc);
    }

    public abstract double apply(double x);

    public abstract double derivative(double x);

    /** 1/(1+e^-x) without overflow for either sign. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
