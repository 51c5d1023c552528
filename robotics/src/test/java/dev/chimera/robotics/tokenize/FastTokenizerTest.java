package dev.chimera.robotics.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.robotics.data.Trajectories;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FAST's parts: the orthonormal DCT-II, BPE round trips and clipping, the whole chunk round trip. */
class FastTokenizerTest {

    @Test
    void dctIsOrthonormalAndMatchesTheDefinition() {
        for (int t : new int[] {1, 5, 16, 50}) {
            Dct dct = new Dct(t);
            double[] unit = new double[t];
            double[][] rows = new double[t][t];
            for (int n = 0; n < t; n++) {
                Arrays.fill(unit, 0.0);
                unit[n] = 1.0;
                double[] c = new double[t];
                dct.forward(unit, 0, 1, c, 0, 1);
                for (int k = 0; k < t; k++) {
                    rows[k][n] = c[k];
                }
            }
            for (int a = 0; a < t; a++) {
                for (int b = 0; b < t; b++) {
                    double dot = 0;
                    for (int n = 0; n < t; n++) {
                        dot += rows[a][n] * rows[b][n];
                    }
                    assertEquals(a == b ? 1.0 : 0.0, dot, 1e-12, "T=" + t + " rows " + a + "," + b);
                }
            }
            if (t == 5) {
                // C_2 of e_1 = sqrt(2/5) cos(pi * 1.5 * 2 / 5), by hand
                assertEquals(Math.sqrt(0.4) * Math.cos(Math.PI * 3 / 5), rows[2][1], 1e-15);
            }
            double[] x = new Random(t).doubles(t).toArray();
            double[] c = new double[t];
            double[] back = new double[t];
            dct.forward(x, 0, 1, c, 0, 1);
            dct.inverse(c, 0, 1, back, 0, 1);
            assertArrayEquals(x, back, 1e-12);
        }
    }

    @Test
    void bpeRoundTripIsExactOnTrainingSequencesAndCompresses() {
        Random r = new Random(5);
        List<int[]> sequences = new ArrayList<>();
        for (int s = 0; s < 300; s++) {
            int[] q = new int[40];
            for (int i = 0; i < q.length; i++) {
                q[i] = i < 8 ? r.nextInt(30) - 15 : (r.nextInt(10) == 0 ? r.nextInt(3) - 1 : 0);
            }
            sequences.add(q);
        }
        BytePairEncoding bpe = BytePairEncoding.train(sequences, 1024);
        assertTrue(bpe.vocabulary() <= 1024, "vocabulary " + bpe.vocabulary());
        int[] tokens = new int[40];
        int[] back = new int[40];
        double total = 0;
        for (int[] q : sequences) {
            int n = bpe.encode(q, q.length, tokens);
            total += n;
            assertEquals(q.length, bpe.decode(tokens, n, back));
            assertArrayEquals(q, back);
        }
        assertTrue(total / sequences.size() < 20, "mostly zeros compress: " + total / sequences.size());
    }

    @Test
    void bpeClipsAnUnseenIntegerToTheNearestInTheAlphabet() {
        BytePairEncoding bpe = BytePairEncoding.train(List.of(new int[] {-4, 0, 0, 3, 0, 0, 10}), 64);
        int[] tokens = new int[4];
        int[] back = new int[4];
        int n = bpe.encode(new int[] {2, -100, 7, 99}, 4, tokens);
        assertEquals(4, bpe.decode(tokens, n, back));
        assertArrayEquals(new int[] {3, -4, 10, 10}, back); // 7 is nearer 10 than 3? |7-3| = 4 > |10-7| = 3
    }

    @Test
    void chunkRoundTripErrorIsBoundedByTheRounding() {
        Trajectories data = Synthetic.smooth(3, 12, 90, 3, 0, 20, 0.0);
        DofScaler scaler = DofScaler.fit(data.episodes(), 3);
        List<ChunkedEpisode> chunks = Synthetic.chunked(data, scaler, 20);
        FastTokenizer fast = FastTokenizer.fit(20, 3, chunks);
        int[] tokens = new int[fast.maxTokens()];
        double[] out = new double[60];
        for (ChunkedEpisode e : chunks) {
            for (int k = 0; k < e.chunks(); k++) {
                int n = fast.encode(e.chunk(k), null, null, tokens);
                assertTrue(n < 60);
                fast.decode(tokens, n, null, null, out);
                for (int d = 0; d < 3; d++) {
                    double sq = 0;
                    for (int j = 0; j < 20; j++) {
                        double err = out[j * 3 + d] - e.chunk(k)[j * 3 + d];
                        sq += err * err;
                    }
                    // orthonormal: the error's norm is that of the coefficients' rounding, <= 0.05 each
                    assertTrue(Math.sqrt(sq) <= 0.05 * Math.sqrt(20) + 1e-12, "DoF " + d + " error " + Math.sqrt(sq));
                }
            }
        }
    }
}
