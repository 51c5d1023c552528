package dev.chimera.cli;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.decoder.ModelFlops;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.ModelConfig;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera bench train-step}: forward + backward of a model on random tokens, with the
 * useful model FLOP rate beside the GEMM rate measured in the same run.
 */
@Command(name = "train-step",
        mixinStandardHelpOptions = true,
        description = {"Times forward+backward of a model on random tokens: tokens/s, useful model GFLOP/s "
                + "(counted analytically) and, as the reference, the GEMM GFLOP/s of a 1024^3 product in the same run."})
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
    RunOptions run;

    @Override
    public Integer call() {
        ModelConfig c = config.load();
        if (c.input().kind() != ModelConfig.InputKind.TOKENS || c.head().kind() != ModelConfig.HeadKind.SOFTMAX) {
            throw new Chimera.UserError("bench train-step needs a token model with a softmax head");
        }
        if (batch < 1 || seq < 1 || steps < 1) {
            throw new Chimera.UserError("--batch, --seq and --steps must be >= 1");
        }
        print(spec.commandLine().getOut(), run.json, config.config, measure(c, batch, seq, steps, run.threads()));
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

        double stepMs() {
            return forwardMs + backwardMs;
        }

        double tokensPerSecond() {
            return batch * seq / (stepMs() * 1e-3);
        }
    }

    /** Mean forward and backward time of {@code steps} steps on random tokens after one warm-up step, and the GEMM rate. */
    static Result measure(ModelConfig c, int batch, int seq, int steps, int threads) {
        try (ComputePool pool = new ComputePool(threads)) {
            Decoder model = new Decoder(c, seq, pool);
            model.initialise(1);
            Decoder.Training buffers = model.new Training(batch, seq);
            SplittableRandom random = new SplittableRandom(2);
            int[] ids = new int[batch * seq];
            int[] targets = new int[batch * seq];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(c.input().vocabSize());
                targets[i] = random.nextInt(c.head().vocabSize());
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
            r.gemmGflops = GemmBenchmark.measure(model.kernels(),
                    new GemmBenchmark.Case("square 1024", GemmForm.AB, 1024, 1024, 1024), 2.0);
            return r;
        }
    }

    static void print(PrintWriter out, boolean json, String config, Result r) {
        if (json) {
            out.println(new JsonLine().put("op", "train-step").put("config", config)
                    .put("params", r.params).put("batch", r.batch).put("seq", r.seq)
                    .put("threads", r.threads).put("ms_per_step", r.stepMs(), 1)
                    .put("forward_ms", r.forwardMs, 1).put("backward_ms", r.backwardMs, 1)
                    .put("tokens_per_s", r.tokensPerSecond(), 1).put("model_gflops", r.modelGflops, 1)
                    .put("gemm_gflops", r.gemmGflops, 1).put("ratio", r.modelGflops / r.gemmGflops, 3));
        } else {
            out.printf(Locale.ROOT, "train step, config %s (%,d parameters), batch %d x %d tokens, %d thread(s)%n",
                    config, r.params, r.batch, r.seq, r.threads);
            out.printf(Locale.ROOT, "  %.1f ms per step (forward %.1f, backward %.1f), %.0f tokens/s%n", r.stepMs(),
                    r.forwardMs, r.backwardMs, r.tokensPerSecond());
            out.printf(Locale.ROOT, "  model %.1f GFLOP/s useful, GEMM 1024^3 %.1f GFLOP/s in the same run: %.0f%%%n",
                    r.modelGflops, r.gemmGflops, 100 * r.modelGflops / r.gemmGflops);
        }
        out.flush();
    }
}
