package dev.chimera.core.ssd;

import dev.chimera.core.tensor.Tensor;

/**
 * The chunked SSD forward pass, the four steps of Listing 1 of the SSD paper (Dao and Gu 2024,
 * "Transformers are SSMs"; state-spaces/mamba modules/ssd_minimal.py), as REFERENCE §2 states
 * them. It is the middle of the three implementations: tested against {@link SsdRecurrence},
 * and {@link SsdScan} is tested against it.
 *
 * <p>Within a chunk of length Q, with a_l = dt_l A, X_l = dt_l x_l and
 * segsum[l][s] = a_{s+1} + ... + a_l (s &lt;= l, else -inf):
 * <ol>
 *   <li>intra-chunk (diagonal blocks): Y_diag[l] = sum_{s&lt;=l} (C_l . B_s) exp(segsum[l][s]) X_s;</li>
 *   <li>chunk states: S_c = sum_l exp(segsum[Q-1][l]) X_l outer B_l;</li>
 *   <li>inter-chunk recurrence: S_in(0) = h0, S_in(c+1) = exp(a_0 + ... + a_{Q-1}) S_in(c) + S_c;
 *       S_in(nchunks) is the final state;</li>
 *   <li>state to output: Y_off[l] = exp(a_0 + ... + a_l) S_in(c) . C_l.</li>
 * </ol>
 * y = Y_diag + Y_off + D x. Unlike the stored ssd_minimal, which indexes B and C as if
 * ngroups were 1, each head here reads its own group h / (nheads / ngroups).
 *
 * <p>Inputs are float32 tensors; everything inside is double, so this is a reference, not a
 * fast path. Forward only: the optimised {@link SsdScan} has its own backward, tested against
 * {@link SsdRecurrence#backward}.
 */
public final class SsdChunked {
    private SsdChunked() {
    }

    /**
     * y (batch, seqlen, nheads, headdim) and the final state hFinal (batch, nheads, headdim,
     * dstate; may be null) from x, dt, A, B, C, D in {@link SsdShape}'s layouts and the initial
     * state h0 (may be null: zeros), chunk by chunk; the last chunk may be shorter.
     */
    public static void forward(Tensor y, Tensor hFinal, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C,
                               Tensor D, Tensor h0, int chunkSize) {
        String op = "SsdChunked.forward";
        SsdShape s = SsdShape.of(op, x, dt, A, B, C, D);
        s.require(op, "y", y, s.xShape());
        if (hFinal != null) {
            s.require(op, "hFinal", hFinal, s.stateShape());
        }
        if (h0 != null) {
            s.require(op, "h0", h0, s.stateShape());
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException(op + ": chunkSize must be >= 1, got " + chunkSize);
        }
        for (int b = 0; b < s.batch(); b++) {
            for (int h = 0; h < s.nheads(); h++) {
                new Pair(s, chunkSize, b, h, x, dt, A, B, C, D).run(y, hFinal, h0);
            }
        }
    }

    /** The four steps for one (sequence, head) pair, with its inputs read into double. */
    private static final class Pair {
        private final SsdShape s;
        private final int Q;
        private final int nchunks;
        private final double[] a;   // (seqlen): dt_t A
        private final double[] X;   // (seqlen, headdim): dt_t x_t
        private final double[] Bh;  // (seqlen, dstate): this head's group of B
        private final double[] Ch;  // (seqlen, dstate): this head's group of C
        private final double[] xh;  // (seqlen, headdim)
        private final double Dh;
        private final int b;
        private final int h;

        Pair(SsdShape s, int chunkSize, int b, int h, Tensor x, Tensor dt, Tensor A, Tensor B, Tensor C, Tensor D) {
            this.s = s;
            this.b = b;
            this.h = h;
            this.Q = chunkSize;
            this.nchunks = (s.seqlen() + chunkSize - 1) / chunkSize;
            int T = s.seqlen();
            int P = s.headdim();
            int N = s.dstate();
            a = new double[T];
            X = new double[T * P];
            xh = new double[T * P];
            Bh = new double[T * N];
            Ch = new double[T * N];
            double Ah = A.data()[A.offset() + h];
            Dh = D.data()[D.offset() + h];
            for (int t = 0; t < T; t++) {
                double step = dt.data()[dt.offset() + (b * T + t) * s.nheads() + h];
                a[t] = step * Ah;
                int xo = x.offset() + ((b * T + t) * s.nheads() + h) * P;
                for (int p = 0; p < P; p++) {
                    xh[t * P + p] = x.data()[xo + p];
                    X[t * P + p] = step * xh[t * P + p];
                }
                int bo = ((b * T + t) * s.ngroups() + s.group(h)) * N;
                for (int n = 0; n < N; n++) {
                    Bh[t * N + n] = B.data()[B.offset() + bo + n];
                    Ch[t * N + n] = C.data()[C.offset() + bo + n];
                }
            }
        }

        void run(Tensor y, Tensor hFinal, Tensor h0) {
            int P = s.headdim();
            int N = s.dstate();
            int hs = s.stateSize();
            double[] yDiag = new double[s.seqlen() * P];  // (seqlen, headdim): step 1
            double[] states = new double[nchunks * hs];    // (nchunks, headdim, dstate): step 2
            double[] chunkDecay = new double[nchunks];     // exp(sum of a over the chunk)
            for (int c = 0; c < nchunks; c++) {
                int t0 = c * Q;
                int len = Math.min(Q, s.seqlen() - t0);
                double[] L = segsum(t0, len); // (len, len)
                for (int i = 0; i < L.length; i++) {
                    L[i] = Math.exp(L[i]); // exp(-inf) = 0 masks the future, as in the listing
                }
                // Step 1: the diagonal block, attention-like with the decay mask L.
                for (int l = 0; l < len; l++) {
                    for (int sIdx = 0; sIdx <= l; sIdx++) {
                        double cb = 0;
                        for (int n = 0; n < N; n++) {
                            cb += Ch[(t0 + l) * N + n] * Bh[(t0 + sIdx) * N + n];
                        }
                        double w = cb * L[l * len + sIdx];
                        for (int p = 0; p < P; p++) {
                            yDiag[(t0 + l) * P + p] += w * X[(t0 + sIdx) * P + p];
                        }
                    }
                }
                // Step 2: each position's input decayed to the end of its chunk.
                for (int l = 0; l < len; l++) {
                    double w = L[(len - 1) * len + l];
                    for (int p = 0; p < P; p++) {
                        for (int n = 0; n < N; n++) {
                            states[c * hs + p * N + n] += w * X[(t0 + l) * P + p] * Bh[(t0 + l) * N + n];
                        }
                    }
                }
                double total = 0;
                for (int l = 0; l < len; l++) {
                    total += a[t0 + l];
                }
                chunkDecay[c] = Math.exp(total);
            }
            // Step 3: the recurrence over chunk states, from the initial state.
            double[] stateIn = new double[(nchunks + 1) * hs]; // (nchunks + 1, headdim, dstate)
            int h0Off = (b * s.nheads() + h) * hs;
            for (int i = 0; i < hs; i++) {
                stateIn[i] = h0 == null ? 0 : h0.data()[h0.offset() + h0Off + i];
            }
            for (int c = 0; c < nchunks; c++) {
                for (int i = 0; i < hs; i++) {
                    stateIn[(c + 1) * hs + i] = chunkDecay[c] * stateIn[c * hs + i] + states[c * hs + i];
                }
            }
            if (hFinal != null) {
                for (int i = 0; i < hs; i++) {
                    hFinal.data()[hFinal.offset() + h0Off + i] = (float) stateIn[nchunks * hs + i];
                }
            }
            // Step 4: each chunk's incoming state, decayed to position l and read out by C_l.
            for (int c = 0; c < nchunks; c++) {
                int t0 = c * Q;
                int len = Math.min(Q, s.seqlen() - t0);
                double cumsum = 0;
                for (int l = 0; l < len; l++) {
                    int t = t0 + l;
                    cumsum += a[t];
                    double decay = Math.exp(cumsum);
                    int yo = y.offset() + ((b * s.seqlen() + t) * s.nheads() + h) * P;
                    for (int p = 0; p < P; p++) {
                        double off = 0;
                        for (int n = 0; n < N; n++) {
                            off += Ch[t * N + n] * stateIn[c * hs + p * N + n];
                        }
                        y.data()[yo + p] = (float) (yDiag[t * P + p] + decay * off + Dh * xh[t * P + p]);
                    }
                }
            }
        }

        /**
         * segsum[l][s] = a_{t0+s+1} + ... + a_{t0+l} for s &lt;= l, -inf above the diagonal; summed
         * directly rather than as a difference of cumulative sums, the listing's stable form.
         */
        private double[] segsum(int t0, int len) {
            double[] seg = new double[len * len]; // (len, len)
            for (int sIdx = 0; sIdx < len; sIdx++) {
                double run = 0;
                for (int l = 0; l < len; l++) {
                    if (l < sIdx) {
                        seg[l * len + sIdx] = Double.NEGATIVE_INFINITY;
                    } else {
                        if (l > sIdx) {
                            run += a[t0 + l];
                        }
                        seg[l * len + sIdx] = run;
                    }
                }
            }
            return seg;
        }
    }
}
