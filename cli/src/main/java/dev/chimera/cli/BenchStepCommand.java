package dev.chimera.cli;

import dev.chimera.core.JsonLine;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.DecoderState;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.ConfigOption;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera bench step}: the cost of one recurrent decoding step after a context of C
 * positions, for one sequence and for a batch of sequences stepped together. With several
 * contexts their timing rounds alternate, so that each is measured beside the others under the
 * same load (a single sequence's step reads every weight per token and swings with the host's
 * memory traffic).
 */
@Command(name = "step",
        mixinStandardHelpOptions = true,
        description = {"Microseconds per token of recurrent decoding (DecoderState.step) after a prefilled context, "
                + "for one sequence and for a batch stepped together (one GEMM per projection). Several contexts "
                + "are timed in alternating rounds."})
final class BenchStepCommand implements Callable<Integer> {
    /** Timing rounds per context after one warm-up round; each context keeps its best. */
    static final int ROUNDS = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--context", defaultValue = "1024", split = ",", paramLabel = "C[,C...]",
            description = "Positions prefilled before timing; several are timed in alternating rounds "
                    + "(default: ${DEFAULT-VALUE}).")
    List<Integer> contexts;

    @Option(names = "--span", defaultValue = "window:1024", paramLabel = "full|window:W",
            description = "Span given to every attention layer (default: ${DEFAULT-VALUE}; a window keeps the cost "
                    + "per token independent of the context).")
    String span;

    @Option(names = "--batch", defaultValue = "64", description = "Sequences stepped together (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--steps", defaultValue = "32", description = "Timed steps per round (default: ${DEFAULT-VALUE}).")
    int steps;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        ModelConfig c = InferenceSpan.withSpan(config.load(), InferenceSpan.span("--span", span));
        if (c.input().kind() != ModelConfig.InputKind.TOKENS) {
            throw new UserException("bench step needs a token model");
        }
        if (contexts.stream().anyMatch(x -> x < 1) || batch < 1 || steps < 1) {
            throw new UserException("--context, --batch and --steps must be >= 1");
        }
        int t = compute.threads();
        int longest = contexts.stream().mapToInt(Integer::intValue).max().getAsInt();
        if (longest + (ROUNDS + 1L) * steps + 1 > Integer.MAX_VALUE) {
            throw new UserException("--context " + longest + " and --steps " + steps + " reach more than the 2^31 - 1 "
                    + "positions a sequence can have");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ComputePool pool = new ComputePool(t)) {
            // Every state takes `steps` steps in each of the ROUNDS + 1 rounds after its prefill.
            Decoder model = new Decoder(c, longest + (ROUNDS + 1) * steps + 1, pool);
            model.initialise(1);
            SplittableRandom random = new SplittableRandom(3);
            int vocab = c.input().vocabSize();
            int n = contexts.size();
            double[] prefillSeconds = new double[n];
            DecoderState[][] single = new DecoderState[n][];
            DecoderState[][] many = new DecoderState[n][];
            for (int i = 0; i < n; i++) {
                DecoderState prefilled = model.newState();
                long p0 = System.nanoTime();
                model.prefill(prefilled, Inputs.tokens(randomTokens(random, vocab, contexts.get(i)), 1, contexts.get(i)));
                prefillSeconds[i] = (System.nanoTime() - p0) * 1e-9;
                single[i] = new DecoderState[] {prefilled.copy()};
                many[i] = new DecoderState[batch];
                for (int s = 0; s < batch; s++) {
                    many[i][s] = prefilled.copy();
                }
            }
            double[] singleUs = new double[n];
            double[] batchedUs = new double[n];
            java.util.Arrays.fill(singleUs, Double.MAX_VALUE);
            java.util.Arrays.fill(batchedUs, Double.MAX_VALUE);
            for (int round = -1; round < ROUNDS; round++) {
                for (int i = 0; i < n; i++) {
                    double one = timeSteps(model, single[i], random, vocab);
                    double all = timeSteps(model, many[i], random, vocab);
                    if (round >= 0) {
                        singleUs[i] = Math.min(singleUs[i], one);
                        batchedUs[i] = Math.min(batchedUs[i], all);
                    }
                }
            }
            if (!json.enabled()) {
                out.printf(Locale.ROOT, "decoding step, config %s, attention span %s, %d thread(s), best of %d "
                        + "alternating rounds of %d steps%n", config.name(), span, t, ROUNDS, steps);
                out.printf(Locale.ROOT, "%10s %10s %18s %22s%n", "context", "prefill s", "1 sequence us/tok",
                        batch + " sequences us/tok");
            }
            for (int i = 0; i < n; i++) {
                if (json.enabled()) {
                    out.println(new JsonLine().put("op", "step").put("config", config.name()).put("span", span)
                            .put("context", contexts.get(i)).put("threads", t).put("prefill_s", prefillSeconds[i], 2)
                            .put("us_per_token", singleUs[i], 1).put("batch", batch)
                            .put("batch_us_per_token", batchedUs[i], 1));
                } else {
                    out.printf(Locale.ROOT, "%10d %10.2f %18.1f %22.1f%n", contexts.get(i), prefillSeconds[i],
                            singleUs[i], batchedUs[i]);
                }
            }
        }
        return 0;
    }

    private static int[] randomTokens(SplittableRandom random, int vocab, int count) {
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = random.nextInt(vocab);
        }
        return tokens;
    }

    /** Microseconds per token of {@code steps} steps over all the states together. */
    private double timeSteps(Decoder model, DecoderState[] states, SplittableRandom random, int vocab) {
        int[] next = new int[states.length];
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < next.length; i++) {
                next[i] = random.nextInt(vocab);
            }
            model.step(states, Inputs.tokens(next, states.length, 1));
        }
        return (System.nanoTime() - t0) * 1e-3 / (steps * (double) states.length);
    }
}
