package dev.chimera.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backends;
import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.core.checkpoint.RunCheckpoints;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.eval.mqar.MqarTask;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final ModelConfig CONFIG = ModelConfig.builder().dModel(16).nLayers(2).mixerPattern("MA")
            .mlp(ModelConfig.MlpKind.SWIGLU).mlpHidden(32).attnHeads(2).kvHeads(1).ropeBase(10_000)
            .attnSpans(List.of("full")).dState(4).headdim(8).expand(2).ngroups(1).dConv(4).chunkSize(8)
            .input(CoreComponents.tokens(16)).head(CoreComponents.softmax(16, false)).build();
    private static final MqarTask TASK = new MqarTask(16, 24, 3, 4, 7);
    private static final MqarTask EVAL = new MqarTask(16, 24, 3, 4, 8);

    @TempDir
    Path dir;

    private static Trainer.Settings settings(long steps, int accumulation) {
        return new Trainer.Settings(steps, accumulation, 1e-2, 1e-3, 2, 1.0, 3, 2, 3, 1);
    }

    /** A fresh seeded model, optimiser and trainer: what a new process builds. */
    private static final class Run {
        final Decoder model;
        final Optimizer optimizer;
        final Trainer trainer;
        final List<String> lines = new ArrayList<>();

        Run(ComputePool pool, Function<Decoder, Optimizer> optimizer, Trainer.Settings s, DataSource data,
            Path checkpoints) {
            model = new Decoder(CONFIG, 24, Backends.cpu(pool));
            model.initialise(3);
            this.optimizer = optimizer.apply(model);
            CheckpointStore store = checkpoints == null ? null
                    : new RunCheckpoints(checkpoints, CONFIG, model.parameters(), this.optimizer, 3, Map.of(), 2);
            trainer = new Trainer(new TrainableDecoder(model), this.optimizer, s, data, EVAL, store, lines::add);
        }
    }

    private static Optimizer adamw(Decoder m) {
        return new AdamW(m.parameters(), AdamW.Settings.defaults(), m.backend());
    }

    private static Optimizer sgdSai(Decoder m) {
        return new SgdSai(m.parameters(), SgdSai.Settings.defaults(), m.backend());
    }

    @Test
    void resumingFromACheckpointInAFreshModelRepeatsTheUninterruptedLossesBitForBit() throws Exception {
        for (Function<Decoder, Optimizer> optimizer : List.<Function<Decoder, Optimizer>>of(TrainerTest::adamw,
                TrainerTest::sgdSai)) {
            try (ComputePool pool = new ComputePool(2)) {
                double[] straight = new Run(pool, optimizer, settings(8, 1), TASK, null).trainer.run(0).losses();
                Path run = Files.createTempDirectory(dir, "run");
                Run first = new Run(pool, optimizer, settings(8, 1), TASK, run);
                first.trainer.run(0, 6);  // an 8-step schedule cut after step 6: checkpoints at 3 and 6
                Run resumed = new Run(pool, optimizer, settings(8, 1), TASK, run);
                long step = new RunCheckpoints(run, CONFIG, resumed.model.parameters(), resumed.optimizer, 3,
                        Map.of(), 2).restoreLatest();
                assertEquals(6, step);
                assertArrayEquals(first.model.parameters().values(), resumed.model.parameters().values(), "weights");
                for (String k : first.optimizer.state().keySet()) {
                    assertArrayEquals(first.optimizer.state().get(k), resumed.optimizer.state().get(k), k);
                }
                assertEquals(first.optimizer.steps(), resumed.optimizer.steps());
                double[] rest = resumed.trainer.run(step).losses();
                assertEquals(2, rest.length);
                assertArrayEquals(Arrays.copyOfRange(straight, 6, 8), rest, 0.0, resumed.optimizer.name());
                assertTrue(straight[7] < straight[0], "the loss falls: " + Arrays.toString(straight));
            }
        }
    }

    @Test
    void theSameSeedAndThreadCountGiveTheSameRun() {
        try (ComputePool pool = new ComputePool(2)) {
            double[] a = new Run(pool, TrainerTest::adamw, settings(4, 2), TASK, null).trainer.run(0).losses();
            double[] b = new Run(pool, TrainerTest::adamw, settings(4, 2), TASK, null).trainer.run(0).losses();
            assertArrayEquals(a, b, 0.0);
        }
    }

    @Test
    void accumulatingTwoMicroBatchesAveragesTheirGradients() {
        try (ComputePool pool = new ComputePool(1)) {
            Run accumulated = new Run(pool, m -> new SgdSai(m.parameters(), new SgdSai.Settings(0, 1e-8, 0), m.backend()),
                    new Trainer.Settings(1, 2, 0.1, 0.1, 0, 0, 0, 0, 0, 1), TASK, null);
            float[] before = accumulated.model.parameters().values().clone();
            double loss = accumulated.trainer.run(0).losses()[0];

            Decoder manual = new Decoder(CONFIG, 24, Backends.cpu(pool));
            manual.initialise(3);
            Decoder.Training t = manual.new Training(4, 24);
            double expected = 0;
            for (int i = 0; i < 2; i++) {
                Batch b = TASK.batch(i);
                expected += manual.forward(b.inputs(), b.targets(), t) / 2;
                manual.backward(b.inputs(), b.targets(), t);
            }
            assertEquals(expected, loss, 1e-12);
            float[] grads = manual.parameters().grads();
            float[] after = accumulated.model.parameters().values();
            // SGD-SaI without momentum or decay moves each tensor along its averaged gradient:
            // the direction of (before - after) equals that of the summed gradient.
            double dot = 0;
            double nd = 0;
            double ng = 0;
            for (int i = 0; i < grads.length; i++) {
                double d = before[i] - after[i];
                dot += d * grads[i];
                nd += d * d;
                ng += (double) grads[i] * grads[i];
            }
            assertTrue(nd > 0);
            assertTrue(dot / Math.sqrt(nd * ng) > 0.5, "update follows the averaged gradient");
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunAndRestoresTheLastCheckpoint() throws Exception {
        try (ComputePool pool = new ComputePool(1)) {
            Decoder[] holder = new Decoder[1];
            DataSource poisoned = new DataSource() {
                @Override
                public Batch batch(long index) {
                    if (index == 4) {  // a weight turns NaN just before step 5
                        holder[0].parameters().values()[0] = Float.NaN;
                    }
                    return TASK.batch(index);
                }

                @Override
                public String describe() {
                    return "poisoned";
                }
            };
            Run run = new Run(pool, TrainerTest::adamw, settings(8, 1), poisoned, dir);
            holder[0] = run.model;
            Trainer.Outcome outcome = run.trainer.run(0);
            assertTrue(outcome.diverged());
            assertEquals(4, outcome.losses().length);
            assertTrue(outcome.message().contains("step 5: loss is NaN"), outcome.message());
            assertTrue(outcome.message().contains("restored the last good checkpoint (step 3)"), outcome.message());
            assertFalse(Float.isNaN(run.model.parameters().values()[0]));
            assertEquals(3, run.optimizer.steps());
            Decoder fromDisk = new Decoder(CONFIG, 24, Backends.cpu(pool));
            Checkpoint.load(dir.resolve(Checkpoint.stepName(3))).restoreInto(fromDisk.parameters());
            assertArrayEquals(fromDisk.parameters().values(), run.model.parameters().values());
        }
    }

    @Test
    void progressLinesShowStepLossEvalLearningRateThroughputAndEta() {
        try (ComputePool pool = new ComputePool(1)) {
            Run run = new Run(pool, TrainerTest::adamw, settings(3, 1), TASK, null);
            run.trainer.run(0);
            assertEquals(3, run.lines.size());
            String last = run.lines.get(2);
            assertTrue(last.matches("step 3/3  loss \\d+\\.\\d{4}  eval \\d+\\.\\d{4}  lr \\d\\.\\d\\de-0\\d  [\\d,]+ tok/s  ETA 0m00s"),
                    last);
            assertTrue(run.lines.get(0).contains("eval -"), run.lines.get(0));
        }
    }

    @Test
    void badBatchesAndStartStepsAreRejectedWithReasons() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Batch.of(Inputs.tokens(new int[6], 2, 3), Targets.tokens(new int[5]), "data.txt"));
        assertEquals("data.txt: 5 targets for 2 x 3 input positions", e.getMessage());
        try (ComputePool pool = new ComputePool(1)) {
            Run run = new Run(pool, TrainerTest::adamw, settings(3, 1), TASK, null);
            assertThrows(IllegalArgumentException.class, () -> run.trainer.run(4));
            assertThrows(IllegalArgumentException.class, () -> run.trainer.run(2, 1));
        }
        assertThrows(IllegalArgumentException.class, () -> new Trainer.Settings(0, 1, 1e-3, 0, 0, 1, 0, 0, 0, 1));
    }
}
