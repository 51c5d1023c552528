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
import java.lang.management.ManagementFactory;
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
    /**
     * Untimed steps per state set before the rounds: enough for the JIT to compile the step (before
     * that its vector kernels run boxed, slower and allocating, which is not the steady state).
     */
    static final int WARM_UP_STEPS = 256;

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
        int vocab = c.tokenVocab();
        if (vocab < 1) {
            throw new UserException("bench step needs a token model (tokens input, softmax head)");
        }
        if (contexts.stream().anyMatch(x -> x < 1) || batch < 1 || steps < 1) {
            throw new UserException("--context, --batch and --steps must be >= 1");
        }
        int t = compute.threads();
        int longest = contexts.stream().mapToInt(Integer::intValue).max().getAsInt();
        int warmUpRounds = (WARM_UP_STEPS + steps - 1) / steps;
        if (longest + (warmUpRounds + ROUNDS + 1L) * steps + 1 > Integer.MAX_VALUE) {
            throw new UserException("--context " + longest + " and --steps " + steps + " reach more than the 2^31 - 1 "
                    + "positions a sequence can have");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (ComputePool pool = new ComputePool(t)) {
            // After its prefill every state takes `steps` steps in each warm-up round and each of the ROUNDS + 1 rounds.
            Decoder model = new Decoder(c, longest + (warmUpRounds + ROUNDS + 1) * steps + 1, compute.backend(pool));
            model.initialise(1);
            SplittableRandom random = new SplittableRandom(3);
            int n = contexts.size();
            Decoder.Inference one = model.inference(1, 1);
            Decoder.Inference all = model.inference(batch, 1);
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
            Timing[] singleBest = new Timing[n];
            Timing[] batchedBest = new Timing[n];
            for (int i = 0; i < n; i++) {
                for (int w = 0; w < warmUpRounds; w++) {
                    timeSteps(one, single[i], random, vocab);
                    timeSteps(all, many[i], random, vocab);
                }
            }
            for (int round = -1; round < ROUNDS; round++) {
                for (int i = 0; i < n; i++) {
                    Timing a = timeSteps(one, single[i], random, vocab);
                    Timing b = timeSteps(all, many[i], random, vocab);
                    if (round >= 0) {
                        singleBest[i] = Timing.better(singleBest[i], a);
                        batchedBest[i] = Timing.better(batchedBest[i], b);
                    }
                }
            }
            if (!json.enabled()) {
                out.printf(Locale.ROOT, "decoding step, config %s, attention span %s, %d thread(s), best of %d "
                        + "alternating rounds of %d steps%n", config.name(), span, t, ROUNDS, steps);
                out.printf(Locale.ROOT, "%10s %10s %18s %22s %14s %14s%n", "context", "prefill s", "1 sequence us/tok",
                        batch + " sequences us/tok", "bytes/tok (1)", "bytes/tok (" + batch + ")");
            }
            for (int i = 0; i < n; i++) {
                if (json.enabled()) {
                    out.println(new JsonLine().put("op", "step").put("config", config.name()).put("span", span)
                            .put("context", contexts.get(i)).put("threads", t).put("prefill_s", prefillSeconds[i], 2)
                            .put("us_per_token", singleBest[i].microsPerToken, 1)
                            .put("alloc_bytes_per_token", singleBest[i].bytesPerToken, 1).put("batch", batch)
                            .put("batch_us_per_token", batchedBest[i].microsPerToken, 1)
                            .put("batch_alloc_bytes_per_token", batchedBest[i].bytesPerToken, 1));
                } else {
                    out.printf(Locale.ROOT, "%10d %10.2f %18.1f %22.1f %14.1f %14.1f%n", contexts.get(i),
                            prefillSeconds[i], singleBest[i].microsPerToken, batchedBest[i].microsPerToken,
                            singleBest[i].bytesPerToken, batchedBest[i].bytesPerToken);
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

    /** One timed round: microseconds per token, and bytes allocated per token by every thread of the JVM. */
    private record Timing(double microsPerToken, double bytesPerToken) {
        /** The faster of two rounds (the allocation figure comes with it; it does not vary once warm). */
        static Timing better(Timing best, Timing t) {
            return best == null || t.microsPerToken < best.microsPerToken ? t : best;
        }
    }

    /**
     * {@code steps} steps over all the states together in reused buffers and inputs, timed and with
     * the bytes every thread allocated counted (ThreadMXBean), so a step that allocates shows.
     */
    private Timing timeSteps(Decoder.Inference inference, DecoderState[] states, SplittableRandom random, int vocab) {
        int[] next = new int[states.length];
        Inputs in = Inputs.tokensIn(next, states.length, 1);
        long bytes0 = allocatedBytes();
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < next.length; i++) {
                next[i] = random.nextInt(vocab);
            }
            inference.step(states, in);
        }
        long nanos = System.nanoTime() - t0;
        double tokens = steps * (double) states.length;
        return new Timing(nanos * 1e-3 / tokens, (allocatedBytes() - bytes0) / tokens);
    }

    /** Bytes allocated so far by every live thread (the pool's workers included). */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, b);
        }
        return sum;
    }
}
