package dev.chimera.genomics.classify;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.LearningRateSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Full fine-tuning of a {@link FineTunedClassifier}: every parameter of the decoder and the head
 * trained on mini-batches of the training set, reshuffled each epoch (seeded), with AdamW, global
 * gradient-norm clipping over both parameter sets, and a linear-warmup + cosine learning-rate
 * schedule; the head takes a larger rate ({@link Settings#headLrFactor}) as it starts from zero.
 */
public final class FineTuning {

    /** What a run does; {@link #defaults} are the command's defaults. */
    public record Settings(long steps, int batch, double lr, double headLrFactor, double warmupFraction,
                           double weightDecay, double clip, long seed) {
        public Settings {
            if (steps < 1 || batch < 1 || !(lr > 0) || !(headLrFactor > 0)
                    || !(warmupFraction >= 0 && warmupFraction < 1) || !(weightDecay >= 0) || !(clip > 0)) {
                throw new IllegalArgumentException("fine-tuning settings out of range: " + this);
            }
        }
    }

    /** The steps of {@code epochs} passes over {@code records} in batches of {@code batch} (the last one partial). */
    public static long stepsFor(double epochs, int records, int batch) {
        return Math.max(1, (long) Math.ceil(epochs * records / batch));
    }

    /** Default passes over the training set. */
    public static final int DEFAULT_EPOCHS = 2;
    /** Fewest default steps, so a small set is seen more often (at most {@link #MAX_SMALL_SET_EPOCHS} times). */
    public static final long MIN_DEFAULT_STEPS = 250;
    public static final int MAX_SMALL_SET_EPOCHS = 8;
    /** Most default steps, so that a large set keeps a bounded time (24,000 records seen at batch 16). */
    public static final long MAX_DEFAULT_STEPS = 1500;
    /**
     * Most positions (records' bases + BOS, summed over every step's batch) a default run reads: a
     * bound on its time whatever the records' length (about 10 minutes on two cores for the shipped
     * 0.77 M-parameter model, estimated from its ~9,650 positions a second forward and backward in pretraining).
     */
    public static final long MAX_DEFAULT_POSITIONS = 6_000_000;

    /**
     * The default length of a run over {@code records} records of {@code meanPositions} positions on
     * average (as the model reads them: BOS + bases, cropped): {@link #DEFAULT_EPOCHS} passes, raised
     * to {@link #MIN_DEFAULT_STEPS} steps for a small set (but not beyond {@link #MAX_SMALL_SET_EPOCHS}
     * passes), capped at {@link #MAX_DEFAULT_STEPS} steps and at {@link #MAX_DEFAULT_POSITIONS}
     * positions read.
     */
    public static long defaultSteps(int records, int batch, double meanPositions) {
        long steps = stepsFor(DEFAULT_EPOCHS, records, batch);
        long floor = Math.min(MIN_DEFAULT_STEPS, stepsFor(MAX_SMALL_SET_EPOCHS, records, batch));
        long byPositions = Math.max(1, (long) (MAX_DEFAULT_POSITIONS / (batch * Math.max(1, meanPositions))));
        return Math.min(byPositions, Math.min(MAX_DEFAULT_STEPS, Math.max(steps, floor)));
    }

    private FineTuning() {
    }

    /** Trains {@code model} on {@code train}; returns the loss of every step. */
    public static double[] run(FineTunedClassifier model, List<Example> train, Settings s, Consumer<String> log) {
        Backend backend = model.decoder().backend();
        AdamW.Settings adam = new AdamW.Settings(0.9, 0.999, 1e-8, s.weightDecay());
        AdamW body = new AdamW(model.decoder().parameters(), adam, backend);
        AdamW head = new AdamW(model.head(), adam, backend);
        long warmup = Math.round(s.warmupFraction() * s.steps());
        LearningRateSchedule schedule = new LearningRateSchedule(s.lr(), s.lr() / 10, warmup, s.steps());
        SplittableRandom random = new SplittableRandom(s.seed());
        int[] order = shuffled(train.size(), random);
        int next = 0;
        double[] losses = new double[(int) s.steps()];
        long started = System.nanoTime();
        double recent = 0;
        int logEvery = (int) Math.max(1, s.steps() / 20);
        int size = Math.min(s.batch(), train.size());  // a set smaller than a batch: all of it each step
        for (long step = 0; step < s.steps(); step++) {
            List<Example> batch = new ArrayList<>(size);
            while (batch.size() < size) {
                if (next == order.length) {
                    order = shuffled(train.size(), random);
                    next = 0;
                }
                batch.add(train.get(order[next++]));
            }
            model.decoder().parameters().zeroGrads();
            model.head().zeroGrads();
            double loss = model.forward(batch);
            model.backward();
            double norm = Math.sqrt(backend.sumOfSquares(model.decoder().parameters().flatGrads())
                    + backend.sumOfSquares(model.head().flatGrads()));
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "fine-tuning diverged at step %d: loss %s, gradient norm %s", step + 1, loss, norm));
            }
            if (norm > s.clip()) {
                float scale = (float) (s.clip() / norm);
                for (Tensor g : List.of(model.decoder().parameters().flatGrads(), model.head().flatGrads())) {
                    backend.scale(g, scale, g);
                }
            }
            double lr = schedule.at(step);
            body.step(lr);
            head.step(lr * s.headLrFactor());
            losses[(int) step] = loss;
            recent += loss;
            if ((step + 1) % logEvery == 0 || step + 1 == s.steps()) {
                int n = (int) ((step % logEvery) + 1);
                double seconds = (System.nanoTime() - started) / 1e9;
                log.accept(String.format(Locale.ROOT, "finetune step %d/%d  loss %.4f  lr %.2e  %.1f s, ETA %.0f s",
                        step + 1, s.steps(), recent / n, lr, seconds, seconds / (step + 1) * (s.steps() - step - 1)));
                recent = 0;
            }
        }
        return losses;
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
