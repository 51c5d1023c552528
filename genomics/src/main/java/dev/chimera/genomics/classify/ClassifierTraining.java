package dev.chimera.genomics.classify;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.Embedder;
import dev.chimera.runtime.Progress;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@code classify train} fits on one training set: the main method over the pretrained
 * model ({@link Method#FINETUNE} or {@link Method#ECHO_PROBE}) and both baselines
 * ({@link Method#KMER_LOGREG}, {@link Method#CNN}), the main method first in the result.
 */
public final class ClassifierTraining {

    /** The fitted methods (main first), the decoder they share, and each method's fitting time in seconds. */
    public record Trained(Decoder decoder, int maxBases, List<Classifier> methods, Map<Method, Double> seconds,
                          long steps) {
    }

    private ClassifierTraining() {
    }

    /** The longest record a classifier over {@code pretrained} reads: its context less BOS. */
    public static int maxBases(DnaModel pretrained) {
        return pretrained.context() - 1;
    }

    /**
     * The line that says how many of {@code set}'s records {@code method} (one over the model) reads
     * cropped to their central {@code maxBases} bases ({@link Example#centralCrop}), or null when
     * none is longer. {@code baselines}: whether the baselines read the same records (whole).
     */
    public static String cropNote(String set, List<Example> records, int maxBases, Method method, boolean baselines) {
        long longer = records.stream().filter(e -> e.length() > maxBases).count();
        if (longer == 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%s: %,d of %,d records are longer than %,d bases; %s reads their central "
                + "%,d%s", set, longer, records.size(), maxBases, method.id(), maxBases,
                baselines ? " (the baselines read them whole)" : "");
    }

    public static Trained train(DnaModel pretrained, List<Example> train, int classes, Method main,
                                FineTuning.Settings fineTuning, long seed, Backend backend, Progress progress,
                                Consumer<String> log) throws IOException {
        if (!main.usesModel()) {
            throw new IllegalArgumentException("the main method must use the model, got " + main.id());
        }
        int maxBases = maxBases(pretrained);
        Map<Method, Double> seconds = new LinkedHashMap<>();
        List<Classifier> baselines = new ArrayList<>();
        long t0 = System.nanoTime();
        baselines.add(KmerLogReg.fit(train, classes, seed));
        seconds.put(Method.KMER_LOGREG, elapsed(t0));
        log.accept(String.format(java.util.Locale.ROOT, "kmer-logreg fitted in %.1f s",
                seconds.get(Method.KMER_LOGREG)));
        t0 = System.nanoTime();
        baselines.add(CnnBaseline.fit(train, classes, seed, log));
        seconds.put(Method.CNN, elapsed(t0));
        log.accept(String.format(java.util.Locale.ROOT, "cnn fitted in %.1f s", seconds.get(Method.CNN)));

        Decoder decoder = pretrained.decoder(2 * maxBases + 1, backend);
        t0 = System.nanoTime();
        Classifier fitted;
        long steps = 0;
        if (main == Method.FINETUNE) {
            FineTunedClassifier c = new FineTunedClassifier(decoder, classes, maxBases);
            FineTuning.run(c, train, fineTuning, log);  // c crops each record
            steps = fineTuning.steps();
            fitted = c;
        } else {
            long positions = train.stream().mapToLong(e -> 2L * Math.min(e.length(), maxBases) + 1).sum();
            Progress.Step step = progress.step("echo embeddings", positions, "positions");
            long[] done = {0};
            fitted = EchoProbe.fit(new Embedder(decoder, ClassifyModel.EMBED_WINDOW, Embedder.Pooling.ECHO, null),
                    maxBases, train, classes, seed, n -> step.update(done[0] += n));
            step.done();
        }
        seconds.put(main, elapsed(t0));
        List<Classifier> methods = new ArrayList<>();
        methods.add(fitted);
        methods.addAll(baselines);
        Map<Method, Double> ordered = new LinkedHashMap<>();
        for (Classifier c : methods) {
            ordered.put(c.method(), seconds.get(c.method()));
        }
        return new Trained(decoder, maxBases, methods, ordered, steps);
    }

    private static double elapsed(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
