package dev.chimera.genomics.cli;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.JsonLine;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.Scorer;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.ConfigOption;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.PeakHeap;
import dev.chimera.runtime.UserException;
import dev.chimera.runtime.WindowedPrefill;
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
 * {@code chimera bench score}: the throughput of {@code dna score}'s scoring path (the Scorer
 * over windows of a record, random weights, random bases) for short and long records in the
 * same run, so that their per-base costs can be compared, and a record scored with full-span
 * attention (its KV cache holds the whole record): time and peak heap.
 */
@Command(name = "score",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Scoring throughput (bases/s) of dna score's path with random weights: many short records "
                + "and one long record with windowed attention (per-base costs side by side), then one record with "
                + "full-span attention. Peak heap per measurement; run with CHIMERA_JAVA_OPTS=-Xmx8g for the "
                + "longest records."})
public final class BenchScoreCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--span", defaultValue = "window:1024,window:4096", split = ",", paramLabel = "SPAN",
            description = {"Attention spans for the short and long records, each measured in turn: what dna score's "
                    + "default --span context gives for a model trained on windows of 1024 or 4096 positions "
                    + "(default: ${DEFAULT-VALUE}).",
                    "A long record's positions attend to W keys each, a short record's to about half its length, so "
                            + "for W much longer than the short records the long record does more attention work per "
                            + "base."})
    List<String> spans;

    @Option(names = "--short", defaultValue = "1000", paramLabel = "BP", description = "Short record length (default: ${DEFAULT-VALUE}).")
    int shortLength;

    @Option(names = "--short-records", defaultValue = "200", paramLabel = "N",
            description = "Short records scored (default: ${DEFAULT-VALUE}).")
    int shortRecords;

    @Option(names = "--long", defaultValue = "1000000", paramLabel = "BP",
            description = "Long record length; 0 skips the short/long comparison (default: ${DEFAULT-VALUE}).")
    int longLength;

    @Option(names = "--full", defaultValue = "131072", paramLabel = "BP",
            description = "Length of the record scored with full-span attention; 0 skips it (default: ${DEFAULT-VALUE}).")
    int fullLength;

    @Option(names = "--chunk", defaultValue = "" + WindowedPrefill.DEFAULT_WINDOW, paramLabel = "N",
            description = "Positions per prefill, as dna score --chunk (default: ${DEFAULT-VALUE}).")
    int chunk;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        ModelConfig base = config.load();
        if (base.tokenVocab() < 5) {
            throw new UserException("bench score needs a token model with a softmax head over at least 5 ids");
        }
        if (shortLength < 1 || shortRecords < 1 || longLength < 0 || fullLength < 0 || chunk < 1) {
            throw new UserException("--short, --short-records and --chunk must be >= 1, --long and --full >= 0");
        }
        List<ModelConfig.Span> parsed = new ArrayList<>();
        for (String span : spans) {
            parsed.add(InferenceSpan.span("--span", span));
        }
        int threadCount = compute.threads();
        PrintWriter out = spec.commandLine().getOut();
        if (!json.enabled()) {
            out.printf(Locale.ROOT, "scoring throughput, config %s, random weights, %d thread(s), chunks of %,d, max heap "
                    + "%,d MiB%n", config.name(), threadCount, chunk, Runtime.getRuntime().maxMemory() >> 20);
        }
        try (ComputePool pool = new ComputePool(threadCount)) {
            Backend backend = compute.backend(pool);
            for (int i = 0; i < (longLength == 0 ? 0 : spans.size()); i++) {
                String span = spans.get(i);
                Decoder windowed = decoder(InferenceSpan.withSpan(base, parsed.get(i)), chunk, backend);
                // Warm-up: compile the kernels (long and short paths) before anything is timed.
                measure(windowed, bases(1, 3 * chunk), 1);
                measure(windowed, bases(5, shortLength), Math.max(1, shortRecords / 10));
                // Short records before and after the long one, so that a change of the machine's load
                // during the long run shows (this machine is shared) and the ratio uses their mean.
                Result before = measure(windowed, bases(2, shortLength), shortRecords);
                report(out, "short", span, shortLength, shortRecords, before, threadCount);
                Result large = measure(windowed, bases(3, longLength), 1);
                report(out, "long", span, longLength, 1, large, threadCount);
                Result after = measure(windowed, bases(2, shortLength), shortRecords);
                report(out, "short", span, shortLength, shortRecords, after, threadCount);
                double ratio = large.secondsPerBase() / ((before.secondsPerBase() + after.secondsPerBase()) / 2);
                if (json.enabled()) {
                    out.println(new JsonLine().put("op", "score").put("config", config.name()).put("span", span)
                            .put("compare", "long/short").put("per_base_cost_ratio", ratio, 3));
                } else {
                    out.printf(Locale.ROOT, "  per-base cost, %,d bp record / %,d bp records (mean of before and "
                            + "after), span %s: %.3f%n",
                            longLength, shortLength, span, ratio);
                }
                out.flush();
            }
            if (fullLength > 0) {
                Decoder full = decoder(InferenceSpan.withSpan(base, new ModelConfig.Span(0)), fullLength, backend);
                Result r = measure(full, bases(4, fullLength), 1);
                report(out, "full-span", "full", fullLength, 1, r, threadCount);
            }
        }
        return 0;
    }

    private Decoder decoder(ModelConfig c, int maxLength, Backend backend) {
        Decoder d = new Decoder(c, maxLength, backend);
        d.initialise(1);
        return d;
    }

    private static byte[] bases(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(4);
        }
        return b;
    }

    /** Seconds and peak heap for scoring {@code records} copies of one record. */
    private record Result(long bases, double seconds, long peakHeap, double bitsPerBase) {
        double secondsPerBase() {
            return seconds / bases;
        }
    }

    private Result measure(Decoder decoder, byte[] record, int records) {
        Scorer scorer = new Scorer(decoder, chunk);
        System.gc();
        PeakHeap.reset();
        long t0 = System.nanoTime();
        double bpb = 0;
        for (int i = 0; i < records; i++) {
            bpb = scorer.score(record, "bench record", null, null).bitsPerBase();
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        return new Result((long) record.length * records, seconds, PeakHeap.bytes(), bpb);
    }

    private void report(PrintWriter out, String what, String span, int length, int records, Result r, int threads) {
        if (json.enabled()) {
            out.println(new JsonLine().put("op", "score").put("config", config.name()).put("record", what)
                    .put("span", span).put("length", length).put("records", records).put("threads", threads)
                    .put("chunk", chunk).put("seconds", r.seconds(), 3).put("bases_per_s", r.bases() / r.seconds(), 0)
                    .put("us_per_base", 1e6 * r.secondsPerBase(), 2).put("peak_heap_mb", r.peakHeap() / 1048576.0, 0)
                    .put("bits_per_base", r.bitsPerBase(), 4));
        } else {
            out.printf(Locale.ROOT, "  %-9s %,9d bp x %,4d, span %-12s %8.2f s  %,8.0f bases/s  %7.2f us/base  "
                    + "peak heap %,6d MiB%n", what, length, records, span, r.seconds(), r.bases() / r.seconds(),
                    1e6 * r.secondsPerBase(), r.peakHeap() >> 20);
        }
        out.flush();
    }
}
