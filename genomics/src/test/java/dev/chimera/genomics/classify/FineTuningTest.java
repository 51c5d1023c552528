package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.Parameters;
import dev.chimera.genomics.TinyDnaModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The fine-tuned classifier on a tiny in-process decoder: its gradient, and learning a trivially separable task. */
class FineTuningTest {
    private static final ComputePool POOL = new ComputePool(1);  // a tiny model: one thread, no hand-offs

    @AfterAll
    static void close() {
        POOL.close();
    }

    /** GC-rich (label 0) or AT-rich (label 1) records of 20 to 40 bases. */
    static List<Example> gcOrAt(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            byte[] t = new byte[20 + random.nextInt(21)];
            for (int j = 0; j < t.length; j++) {
                boolean strong = random.nextDouble() < (label == 0 ? 0.75 : 0.25);
                t[j] = (byte) (strong ? 1 + random.nextInt(2) : (random.nextBoolean() ? 0 : 3));
            }
            out.add(new Example("r" + i, "r" + i, t, label));
        }
        return out;
    }

    private static Decoder tinyDecoder() {
        Decoder d = new Decoder(TinyDnaModel.config("full", 2), 128, new VectorBackend(POOL));
        d.initialise(7);
        return d;
    }

    /**
     * The gradient of the whole classifier (head, pooling, decoder) along a random direction v of
     * all its parameters, against the central difference (L(θ + εv) - L(θ - εv)) / 2ε of the loss
     * computed in float32 (ε = 1e-3: rounding ~1e-7 of the loss, truncation ~ε²).
     */
    @Test
    void gradientAlongARandomDirectionMatchesTheLoss() {
        FineTunedClassifier c = new FineTunedClassifier(tinyDecoder(), 3, 60);
        SplittableRandom random = new SplittableRandom(5);
        Parameters body = c.decoder().parameters();
        Parameters head = c.head();
        for (int i = 0; i < head.size(); i++) {
            head.values()[i] = (float) (random.nextDouble() - 0.5);
        }
        List<Example> batch = new ArrayList<>();
        for (Example e : gcOrAt(6, 5)) {
            batch.add(new Example(e.id(), e.where(), e.tokens(), batch.size() % 3));
        }
        body.zeroGrads();
        head.zeroGrads();
        c.forward(batch);
        c.backward();
        double[] vBody = direction(random, body.size());
        double[] vHead = direction(random, head.size());
        double analytic = dot(body.grads(), vBody) + dot(head.grads(), vHead);
        double eps = 1e-3;
        float[] savedBody = body.values().clone();
        float[] savedHead = head.values().clone();
        move(body, savedBody, vBody, eps);
        move(head, savedHead, vHead, eps);
        double up = c.forward(batch);
        move(body, savedBody, vBody, -eps);
        move(head, savedHead, vHead, -eps);
        double down = c.forward(batch);
        double numeric = (up - down) / (2 * eps);
        assertTrue(Math.abs(analytic) > 1e-3, "the check would prove nothing: " + analytic);
        assertEquals(numeric, analytic, 1e-2 * Math.abs(numeric), "directional derivative");
    }

    private static double[] direction(SplittableRandom random, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextDouble() * 2 - 1;
        }
        return v;
    }

    private static double dot(float[] g, double[] v) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            s += g[i] * v[i];
        }
        return s;
    }

    private static void move(Parameters p, float[] from, double[] v, double eps) {
        for (int i = 0; i < v.length; i++) {
            p.values()[i] = (float) (from[i] + eps * v[i]);
        }
    }

    @Test
    void defaultLengthIsTwoEpochsRaisedForSmallSetsAndCappedForLargeOnes() {
        assertEquals(500, FineTuning.defaultSteps(4000, 16, 201), "2 epochs");
        assertEquals(250, FineTuning.defaultSteps(1000, 16, 201), "2 epochs = 125 steps, raised to 250 (4 epochs)");
        assertEquals(50, FineTuning.defaultSteps(100, 16, 201), "raised to 8 epochs, not 250 steps");
        assertEquals(1500, FineTuning.defaultSteps(20000, 16, 201), "2 epochs = 2500 steps, capped");
        assertEquals(366, FineTuning.defaultSteps(20000, 16, 1024), "6 M positions / (16 x 1,024) = 366 steps");
    }

    @Test
    void tinyModelLearnsGcRichFromAtRich() {
        FineTunedClassifier c = new FineTunedClassifier(tinyDecoder(), 2, 60);
        List<Example> train = gcOrAt(1, 96);
        List<Example> test = gcOrAt(2, 100);
        double[] losses = FineTuning.run(c, train, new FineTuning.Settings(24, 8, 3e-3, 10, 0.1, 0.01, 1.0, 1),
                line -> { });
        int[] truth = test.stream().mapToInt(Example::label).toArray();
        double accuracy = ClassMetrics.of(truth, Classifier.argmax(c.probabilities(test)), 2).accuracy();
        assertTrue(accuracy >= 0.95, "held-out accuracy " + accuracy);
        assertTrue(losses[losses.length - 1] < 0.3 * Math.log(2), "last loss " + losses[losses.length - 1]);
    }
}
