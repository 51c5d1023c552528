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
import dev.chimera.runtime.PeakHeap;
import dev.chimera.runtime.UserException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera bench long}: one forward pass over a very long sequence (the inference
 * prefill path) with the attention layers full-span and windowed: seconds and peak heap, at
 * several lengths so that the growth of memory with T can be seen.
 */
@Command(name = "long",
        mixinStandardHelpOptions = true,
        description = {"Forward pass over very long sequences (prefill) with full-span and windowed attention: "
                + "seconds and peak heap for each length. Run with CHIMERA_JAVA_OPTS=-Xmx8g to check the 8 GiB bound."})
final class BenchLongCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--seq", split = ",", defaultValue = "32768,131072",
            description = "Sequence length(s) (default: ${DEFAULT-VALUE}).")
    List<Integer> lengths;

    @Option(names = "--spans", split = ",", defaultValue = "full,window:4096", paramLabel = "SPAN",
            description = "Attention spans to compare (default: ${DEFAULT-VALUE}).")
    List<String> spans;


    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        ModelConfig base = config.load();
        if (base.tokenVocab() < 1) {
            throw new UserException("bench long needs a token model (tokens input, softmax head)");
        }
        List<ModelConfig.Span> parsed = new ArrayList<>();
        for (String span : spans) {
            parsed.add(InferenceSpan.span("--spans", span));
        }
        int t = compute.threads();
        PrintWriter out = spec.commandLine().getOut();
        if (!json.enabled()) {
            out.printf(Locale.ROOT, "long-sequence forward, config %s, %d thread(s), max heap %d MiB%n", config.name(), t,
                    Runtime.getRuntime().maxMemory() >> 20);
        }
        for (int s = 0; s < spans.size(); s++) {
            String span = spans.get(s);
            ModelConfig c = InferenceSpan.withSpan(base, parsed.get(s));
            for (int seq : lengths) {
                if (seq < 1) {
                    throw new UserException("--seq must be >= 1, got " + seq);
                }
                try (ComputePool pool = new ComputePool(t)) {
                    Decoder model = new Decoder(c, seq, compute.backend(pool));
                    model.initialise(1);
                    SplittableRandom random = new SplittableRandom(4);
                    int[] ids = new int[seq];
                    for (int i = 0; i < seq; i++) {
                        ids[i] = random.nextInt(c.tokenVocab());
                    }
                    DecoderState state = model.newState();
                    System.gc();
                    PeakHeap.reset();
                    long t0 = System.nanoTime();
                    model.prefill(state, Inputs.tokens(ids, 1, seq));
                    double seconds = (System.nanoTime() - t0) * 1e-9;
                    long peak = PeakHeap.bytes();
                    if (json.enabled()) {
                        out.println(new JsonLine().put("op", "long").put("config", config.name()).put("span", span)
                                .put("seq", seq).put("threads", t).put("seconds", seconds, 2)
                                .put("tokens_per_s", seq / seconds, 0).put("peak_heap_mb", peak / 1048576.0, 0));
                    } else {
                        out.printf(Locale.ROOT, "  span %-12s T=%7d: %8.2f s (%,.0f tokens/s), peak heap %,d MiB%n",
                                span, seq, seconds, seq / seconds, peak >> 20);
                    }
                    out.flush();
                }
            }
        }
        return 0;
    }
}
