package dev.chimera.core.eval.mqar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.train.Batch;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MqarTest {

    @Test
    void sequencesHoldDistinctKeysTheirValuesAndOneQueryPerKeyAfterThePairs() {
        MqarTask task = new MqarTask(128, 64, 8, 3, 1);
        Batch b = task.batch(5);
        int[] in = b.inputs().tokens();
        int[] tg = b.targets().tokens();
        for (int s = 0; s < 3; s++) {
            int base = s * 64;
            Set<Integer> keys = new HashSet<>();
            for (int i = 0; i < 8; i++) {
                int k = in[base + 2 * i];
                int v = in[base + 2 * i + 1];
                assertTrue(k >= 1 && k < 64 && v >= 64 && v < 128, k + " " + v);
                assertTrue(keys.add(k), "keys distinct");
                assertEquals(Backend.IGNORE_TARGET, tg[base + 2 * i]);
                assertEquals(Backend.IGNORE_TARGET, tg[base + 2 * i + 1]);
            }
            int queries = 0;
            for (int t = 16; t < 64; t++) {
                if (tg[base + t] == Backend.IGNORE_TARGET) {
                    assertEquals(MqarTask.FILLER, in[base + t]);
                    continue;
                }
                queries++;
                int pair = -1;
                for (int i = 0; i < 8; i++) {
                    pair = in[base + 2 * i] == in[base + t] ? i : pair;
                }
                assertTrue(pair >= 0, "a query asks a key of the sequence");
                assertEquals(in[base + 2 * pair + 1], tg[base + t], "its target is that key's value");
            }
            assertEquals(8, queries);
        }
        assertEquals(24, b.lossPositions());
    }

    @Test
    void batchesArePureFunctionsOfTheIndexAndDifferBetweenIndices() {
        MqarTask task = new MqarTask(128, 64, 8, 2, 1);
        assertTrue(java.util.Arrays.equals(task.batch(3).inputs().tokens(), task.batch(3).inputs().tokens()));
        assertTrue(java.util.Arrays.equals(task.batch(3).targets().tokens(), task.batch(3).targets().tokens()));
        int same = 0;
        int[] a = task.batch(3).inputs().tokens();
        int[] c = task.batch(4).inputs().tokens();
        for (int i = 0; i < a.length; i++) {
            same += a[i] == c[i] && a[i] != MqarTask.FILLER ? 1 : 0;
        }
        assertTrue(same < 10, "neighbouring batches are unrelated: " + same + " equal tokens");
        assertFalse(java.util.Arrays.equals(a, new MqarTask(128, 64, 8, 2, 2).batch(3).inputs().tokens()),
                "another seed gives other sequences");
    }

    @Test
    void impossibleTasksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MqarTask(16, 64, 8, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> new MqarTask(128, 20, 8, 2, 1));
    }

    /**
     * A small MQAR run (vocabulary 16, T 32, 3 pairs, values drawn from 8): chance is 1/8. Trained
     * models must recall; a model whose attention cannot look back, or whose training does not
     * update it, stays near chance.
     */
    @Test
    void attentionAndTheHybridLearnToRecall() {
        MqarExperiment.Settings s = new MqarExperiment.Settings(16, 32, 3, 64, 2, false, 32, 400, 3e-3, 4, 1);
        try (ComputePool pool = new ComputePool(2)) {
            List<MqarExperiment.Arm> arms = MqarExperiment.arms(s, s.seqlen());
            assertEquals(List.of("mamba2", "attention", "hybrid"), arms.stream().map(MqarExperiment.Arm::name).toList());
            int budget = 0;
            for (MqarExperiment.Arm arm : arms.subList(1, 3)) {
                MqarExperiment.Result r = MqarExperiment.run(arm, s, Backends.cpu(pool), line -> { });
                System.out.println("MQAR small: " + r);
                budget = budget == 0 ? r.params() : budget;
                assertTrue(Math.abs(r.params() - budget) < 0.05 * budget, "same parameter budget: " + r.params());
                assertTrue(r.accuracy() > (arm.name().equals("attention") ? 0.95 : 0.4),
                        arm.name() + " recalls: " + r.accuracy());
            }
        }
    }
}
