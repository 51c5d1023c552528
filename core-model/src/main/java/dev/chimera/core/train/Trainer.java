package dev.chimera.core.train;

import dev.chimera.core.model.Parameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The training loop: per step, {@code accumulation} micro-batches (forward, backward, gradients
 * summed then averaged), global-norm clipping, the learning rate of a linear-warmup + cosine
 * schedule, one optimiser update; evaluation every {@code evalEvery} steps on a fixed set of
 * batches, a progress line, and checkpoints every {@code checkpointEvery} steps and at the end.
 *
 * <p>Micro-batch j of step s is {@code train.batch(s * accumulation + j)}, so a run is a pure
 * function of the data source, the initial weights and the thread count, and a run resumed from
 * a checkpoint of step s reproduces the uninterrupted one bit for bit.
 *
 * <p>A non-finite loss or gradient norm stops the run before the optimiser touches the weights;
 * the last good checkpoint is restored and the outcome says so.
 */
public final class Trainer {

    /** What the loop does; the constructor rejects counts out of range, naming them. */
    public record Settings(long steps, int accumulation, double peakLr, double minLr, long warmupSteps,
                           double clipNorm, int evalEvery, int evalBatches, int checkpointEvery, int logEvery) {
        public Settings {
            if (steps < 1 || accumulation < 1 || logEvery < 1) {
                throw new IllegalArgumentException("steps, accumulation and logEvery must be >= 1, got " + steps
                        + ", " + accumulation + ", " + logEvery);
            }
            if (evalEvery < 0 || evalBatches < 0 || checkpointEvery < 0) {
                throw new IllegalArgumentException("evalEvery, evalBatches and checkpointEvery must be >= 0 (0: never)");
            }
        }

        public LearningRateSchedule schedule() {
            return new LearningRateSchedule(peakLr, minLr, warmupSteps, steps);
        }
    }

    /** How a run ended: the loss of every step it ran, the last evaluation, and whether it diverged. */
    public record Outcome(long firstStep, double[] losses, double lastEvalLoss, boolean diverged, String message) {
        public long completedSteps() {
            return firstStep + losses.length;
        }
    }

    private final TrainableModel model;
    private final Optimizer optimizer;
    private final Settings settings;
    private final DataSource train;
    private final DataSource eval;
    private final CheckpointStore store;
    private final Consumer<String> progress;

    /** {@code eval} and {@code store} may be null (no evaluation, no checkpoints). */
    public Trainer(TrainableModel model, Optimizer optimizer, Settings settings, DataSource train, DataSource eval,
                   CheckpointStore store, Consumer<String> progress) {
        this.model = model;
        this.optimizer = optimizer;
        this.settings = settings;
        this.train = train;
        this.eval = eval;
        this.store = store;
        this.progress = progress;
    }

    /** Runs steps [startStep, settings.steps); startStep is 0 for a new run or the step a checkpoint reached. */
    public Outcome run(long startStep) {
        return run(startStep, settings.steps());
    }

    /**
     * Runs steps [startStep, stopAt) of the schedule and checkpoints at stopAt: a run can be cut
     * into pieces (each resumed from the previous piece's checkpoint) without changing any step.
     */
    public Outcome run(long startStep, long stopAt) {
        if (startStep < 0 || startStep > stopAt || stopAt > settings.steps()) {
            throw new IllegalArgumentException("cannot run steps " + startStep + " to " + stopAt + " of a "
                    + settings.steps() + "-step run");
        }
        LearningRateSchedule schedule = settings.schedule();
        Parameters p = model.parameters();
        List<Double> losses = new ArrayList<>();
        double evalLoss = Double.NaN;
        long tokens = 0;
        long started = System.nanoTime();
        for (long step = startStep; step < stopAt; step++) {
            p.zeroGrads();
            double loss = 0;
            for (int micro = 0; micro < settings.accumulation(); micro++) {
                Batch batch = train.batch(step * settings.accumulation() + micro);
                loss += model.forward(batch);
                model.backward(batch);
                tokens += (long) batch.inputs().batch() * batch.inputs().seqlen();
            }
            loss /= settings.accumulation();
            if (settings.accumulation() > 1) {
                model.backend().scale(p.flatGrads(), 1f / settings.accumulation(), p.flatGrads());
            }
            double norm = GradientClipping.clipGlobalNorm(model.backend(), p.flatGrads(), settings.clipNorm());
            if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                return diverged(startStep, losses, evalLoss, step, loss, norm);
            }
            double lr = schedule.at(step);
            optimizer.step(lr);
            losses.add(loss);
            long done = step + 1;
            boolean evaluate = settings.evalEvery() > 0 && eval != null
                    && (done % settings.evalEvery() == 0 || done == stopAt);
            if (evaluate) {
                evalLoss = evaluate();
            }
            if (store != null && ((settings.checkpointEvery() > 0 && done % settings.checkpointEvery() == 0)
                    || done == stopAt)) {
                store.save(done);
            }
            if (evaluate || done % settings.logEvery() == 0 || done == stopAt) {
                double seconds = (System.nanoTime() - started) * 1e-9;
                progress.accept(progressLine(done, loss, evalLoss, lr, tokens / seconds,
                        seconds / (done - startStep) * (stopAt - done)));
            }
        }
        return new Outcome(startStep, unbox(losses), evalLoss, false, "trained to step " + stopAt);
    }

    /** The mean loss over the fixed evaluation batches 0..evalBatches-1, weighted by the positions that carry a loss. */
    public double evaluate() {
        double sum = 0;
        long positions = 0;
        for (int i = 0; i < settings.evalBatches(); i++) {
            Batch batch = eval.batch(i);
            long n = batch.lossPositions();
            sum += model.forward(batch) * n;
            positions += n;
        }
        return positions == 0 ? Double.NaN : sum / positions;
    }

    private Outcome diverged(long startStep, List<Double> losses, double evalLoss, long step, double loss, double norm) {
        String what = !Double.isFinite(loss) ? "loss is " + loss : "gradient norm is " + norm;
        long restored = store == null ? -1 : store.restoreLatest();
        String message = String.format(Locale.ROOT, "step %d: %s; training stopped, %s", step + 1, what,
                restored >= 0 ? "restored the last good checkpoint (step " + restored + ")"
                        : "no checkpoint had been written, the weights are those before step " + (step + 1));
        progress.accept(message);
        return new Outcome(startStep, unbox(losses), evalLoss, true, message);
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private String progressLine(long step, double loss, double evalLoss, double lr, double tokensPerSecond,
                                double etaSeconds) {
        return String.format(Locale.ROOT, "step %d/%d  loss %.4f  eval %s  lr %.2e  %,.0f tok/s  ETA %s", step,
                settings.steps(), loss, Double.isNaN(evalLoss) ? "-" : String.format(Locale.ROOT, "%.4f", evalLoss),
                lr, tokensPerSecond, duration(etaSeconds));
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
