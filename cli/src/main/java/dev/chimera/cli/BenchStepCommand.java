package dev.chimera.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
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
 * {@code chimera bench step}: the cost of one recurrent decoding step after a context of C
 * positions, for one sequence and for a batch of sequences stepped together.
 */
@Command(name = "step",
        mixinStandardHelpOptions = true,
        description = {"Microseconds per token of recurrent decoding (DecoderState.step) after a prefilled context, "
                + "for one sequence and for a batch stepped together (one GEMM per projection)."})
final class BenchStepCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--context", defaultValue = "1024", description = "Positions prefilled before timing (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--span", defaultValue = "window:1024", paramLabel = "full|window:W",
            description = "Span given to every attention layer (default: ${DEFAULT-VALUE}; a window keeps the cost "
                    + "per token independent of the context).")
    String span;

    @Option(names = "--batch", defaultValue = "64", description = "Sequences stepped together (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "32", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int steps;


    @Mixin
    RunOptions run;

    @Override
    public Integer call() {
        ModelConfig c = ConfigOption.withSpan(config.load(), span);
        if (c.input().kind() != ModelConfig.InputKind.TOKENS) {
            throw new Chimera.UserError("bench step needs a token model");
        }
        if (context < 1 || batch < 1 || steps < 1) {
            throw new Chimera.UserError("--context, --batch and --steps must be >= 1");
        }
        int t = run.threads();
        PrintWriter out = spec.commandLine().getOut();
        try (ComputePool pool = new ComputePool(t)) {
            Decoder model = new Decoder(c, context + 3 * steps + 1, pool);
            model.initialise(1);
            SplittableRandom random = new SplittableRandom(3);
            int vocab = c.input().vocabSize();
            int[] prompt = new int[context];
            for (int i = 0; i < context; i++) {
                prompt[i] = random.nextInt(vocab);
            }
            DecoderState prefilled = model.newState();
            long p0 = System.nanoTime();
            model.prefill(prefilled, Inputs.tokens(prompt, 1, context));
            double prefillSeconds = (System.nanoTime() - p0) * 1e-9;

            double single = timeSteps(model, new DecoderState[] {prefilled.copy()}, random, vocab);
            DecoderState[] many = new DecoderState[batch];
            for (int i = 0; i < batch; i++) {
                many[i] = prefilled.copy();
            }
            double batched = timeSteps(model, many, random, vocab);
            if (run.json) {
                out.println(new JsonLine().put("op", "step").put("config", config.config).put("span", span)
                        .put("context", context).put("threads", t).put("prefill_s", prefillSeconds, 2)
                        .put("us_per_token", single, 1).put("batch", batch).put("batch_us_per_token", batched, 1));
            } else {
                out.printf(Locale.ROOT, "decoding step, config %s, attention span %s, context %d, %d thread(s)%n",
                        config.config, span, context, t);
                out.printf(Locale.ROOT, "  prefill of the context: %.2f s%n", prefillSeconds);
                out.printf(Locale.ROOT, "  one sequence:     %.1f us per token%n", single);
                out.printf(Locale.ROOT, "  %d sequences:     %.1f us per token%n", batch, batched);
            }
        }
        return 0;
    }

    /** Microseconds per token: the best of two rounds of {@code steps} steps over all states, after a warm-up round. */
    private double timeSteps(Decoder model, DecoderState[] states, SplittableRandom random, int vocab) {
        int[] next = new int[states.length];
        double best = Double.MAX_VALUE;
        for (int round = -1; round < 2; round++) {
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                for (int i = 0; i < next.length; i++) {
                    next[i] = random.nextInt(vocab);
                }
                model.step(states, Inputs.tokens(next, states.length, 1));
            }
            if (round >= 0) {
                best = Math.min(best, (System.nanoTime() - t0) * 1e-3 / (steps * (double) states.length));
            }
        }
        return best;
    }
}
