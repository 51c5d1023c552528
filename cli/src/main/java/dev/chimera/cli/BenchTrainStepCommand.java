package dev.chimera.cli;

import dev.chimera.core.backend.Backend;

import dev.chimera.core.JsonLine;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.decoder.ModelFlops;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.Optimizer;
import dev.chimera.core.train.SgdSai;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.ConfigOption;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera bench train-step}: forward + backward of a model on random tokens, with the
 * useful model FLOP rate beside the GEMM rate measured in the same run, then the optimiser step
 * (AdamW and SGD-SaI) on the model's parameters and gradients: its time, its share of a whole
 * training step (forward + backward + update) and the state it holds.
 */
@Command(name = "train-step",
        mixinStandardHelpOptions = true,
        description = {"Times forward+backward of a model on random tokens: tokens/s, useful model GFLOP/s "
                + "(counted analytically) and, as the reference, the GEMM GFLOP/s of a 1024^3 product in the same run.",
                "Then times one optimiser step of AdamW and of SGD-SaI on the same parameters: ms, share of "
                        + "forward + backward + update, and optimiser state in bytes."})
final class BenchTrainStepCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--batch", defaultValue = "4", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", defaultValue = "2048", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--steps", defaultValue = "3", description = "Timed steps after one warm-up (default: ${DEFAULT-VALUE}).")
    int steps;


    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        ModelConfig c = config.load();
        if (c.tokenVocab() < 1) {
            throw new UserException("bench train-step needs a token model with a softmax head");
        }
        if (batch < 1 || seq < 1 || steps < 1) {
            throw new UserException("--batch, --seq and --steps must be >= 1");
        }
        int t = compute.threads();
        print(spec.commandLine().getOut(), json.enabled(), config.name(), measure(c, batch, seq, steps, t, compute::backend));
        return 0;
    }

    /** What one timed run measured. */
    static final class Result {
        int params;
        int batch;
        int seq;
        int threads;
        double forwardMs;
        double backwardMs;
        double modelGflops;
        double gemmGflops;
        final List<OptimizerTiming> optimizers = new ArrayList<>();

        double stepMs() {
            return forwardMs + backwardMs;
        }

        double tokensPerSecond() {
            return batch * seq / (stepMs() * 1e-3);
        }
    }

    /** One optimiser's mean step time on the model's parameters and the state it holds. */
    record OptimizerTiming(String name, double ms, long stateBytes) {
        /** Fraction of a whole training step, forward + backward + this update, spent in the update. */
        double share(double stepMs) {
            return ms / (stepMs + ms);
        }
    }

    /** Timed optimiser steps after one untimed step (which, for SGD-SaI, also measures the g-SNR). */
    static final int OPTIMIZER_STEPS = 5;

    /** Mean forward and backward time of {@code steps} steps on random tokens after one warm-up step, and the GEMM rate. */
    static Result measure(ModelConfig c, int batch, int seq, int steps, int threads,
                          Function<ComputePool, Backend> backends) {
        try (ComputePool pool = new ComputePool(threads)) {
            Decoder model = new Decoder(c, seq, backends.apply(pool));
            model.initialise(1);
            Decoder.Training buffers = model.new Training(batch, seq);
            SplittableRandom random = new SplittableRandom(2);
            int[] ids = new int[batch * seq];
            int[] targets = new int[batch * seq];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(c.tokenVocab());
                targets[i] = random.nextInt(c.tokenVocab());
            }
            Inputs in = Inputs.tokens(ids, batch, seq);
            Targets tg = Targets.tokens(targets);
            long forwardNs = 0;
            long backwardNs = 0;
            for (int step = -1; step < steps; step++) {
                model.parameters().zeroGrads();
                long t0 = System.nanoTime();
                model.forward(in, tg, buffers);
                long t1 = System.nanoTime();
                model.backward(in, tg, buffers);
                long t2 = System.nanoTime();
                if (step >= 0) {
                    forwardNs += t1 - t0;
                    backwardNs += t2 - t1;
                }
            }
            Result r = new Result();
            r.params = model.parameters().size();
            r.batch = batch;
            r.seq = seq;
            r.threads = threads;
            r.forwardMs = forwardNs * 1e-6 / steps;
            r.backwardMs = backwardNs * 1e-6 / steps;
            r.modelGflops = ModelFlops.trainingStep(c, batch, seq) / (r.stepMs() * 1e-3) / 1e9;
            r.optimizers.addAll(optimizerTimings(model.parameters(), model.backend(), OPTIMIZER_STEPS));
            r.gemmGflops = GemmBenchmark.measure(model.backend(),
                    new GemmBenchmark.Case("square 1024", GemmForm.AB, 1024, 1024, 1024), 2.0);
            return r;
        }
    }

    /**
     * AdamW (its defaults) and SGD-SaI (the official defaults) each stepped once untimed, then
     * {@code steps} times timed, on the gradients the parameters hold; the parameter values are put
     * back afterwards, so the model is as it was.
     */
    static List<OptimizerTiming> optimizerTimings(Parameters parameters, Backend backend, int steps) {
        List<Function<Parameters, Optimizer>> makers = List.of(
                p -> new AdamW(p, AdamW.Settings.defaults(), backend),
                p -> new SgdSai(p, SgdSai.Settings.defaults(), backend));
        float[] saved = parameters.values().clone();
        List<OptimizerTiming> timings = new ArrayList<>();
        for (Function<Parameters, Optimizer> make : makers) {
            Optimizer opt = make.apply(parameters);
            // A tiny rate: the updates are real work but keep the values in a sane range.
            double lr = 1e-6;
            opt.step(lr);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                opt.step(lr);
            }
            long ns = System.nanoTime() - t0;
            timings.add(new OptimizerTiming(opt.name(), ns * 1e-6 / steps, opt.stateBytes()));
            System.arraycopy(saved, 0, parameters.values(), 0, saved.length);
        }
        return timings;
    }

    static void print(PrintWriter out, boolean json, String config, Result r) {
        if (json) {
            JsonLine line = new JsonLine().put("op", "train-step").put("config", config)
                    .put("params", r.params).put("batch", r.batch).put("seq", r.seq)
                    .put("threads", r.threads).put("ms_per_step", r.stepMs(), 1)
                    .put("forward_ms", r.forwardMs, 1).put("backward_ms", r.backwardMs, 1)
                    .put("tokens_per_s", r.tokensPerSecond(), 1).put("model_gflops", r.modelGflops, 1)
                    .put("gemm_gflops", r.gemmGflops, 1).put("ratio", r.modelGflops / r.gemmGflops, 3);
            for (OptimizerTiming o : r.optimizers) {
                line.put(o.name() + "_optimizer_ms", o.ms(), 2)
                        .put(o.name() + "_optimizer_share", o.share(r.stepMs()), 4)
                        .put(o.name() + "_optimizer_state_bytes", o.stateBytes());
            }
            out.println(line);
        } else {
            out.printf(Locale.ROOT, "train step, config %s (%,d parameters), batch %d x %d tokens, %d thread(s)%n",
                    config, r.params, r.batch, r.seq, r.threads);
            out.printf(Locale.ROOT, "  %.1f ms per step (forward %.1f, backward %.1f), %.0f tokens/s%n", r.stepMs(),
                    r.forwardMs, r.backwardMs, r.tokensPerSecond());
            out.printf(Locale.ROOT, "  model %.1f GFLOP/s useful, GEMM 1024^3 %.1f GFLOP/s in the same run: %.0f%%%n",
                    r.modelGflops, r.gemmGflops, 100 * r.modelGflops / r.gemmGflops);
            for (int i = 0; i < r.optimizers.size(); i++) {
                OptimizerTiming o = r.optimizers.get(i);
                OptimizerTiming first = r.optimizers.get(0);
                out.printf(Locale.ROOT, "  optimiser %-7s %8.2f ms per step, %5.2f%% of forward+backward+update, "
                        + "state %,d bytes%s%n", o.name(), o.ms(), 100 * o.share(r.stepMs()), o.stateBytes(),
                        i == 0 ? "" : String.format(Locale.ROOT, " (%.1f%% of %s)",
                                100.0 * o.stateBytes() / first.stateBytes(), first.name()));
            }
        }
        out.flush();
    }
}
