package dev.chimera.genomics.measure;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.Embedder;
import dev.chimera.genomics.Embedder.Pooling;
import dev.chimera.genomics.EmbeddingCentre;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.runtime.InferenceSpan;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Which pooling of {@code dna embed} serves classification: coding vs intergenic windows of an
 * annotated genome (a GFF3 with its sequences after {@code ##FASTA}), embedded with each pooling,
 * and the same windows with their bases shuffled. Not a CLI command: the measurement behind the
 * README's pooling table and {@code dna embed}'s default, run as
 *
 * <pre>
 *   java $(cat cli/target/jvm.flags) -cp "cli/target/chimera-cli.jar:cli/target/lib/*" \
 *     dev.chimera.genomics.measure.PoolingBench MODEL GFF3[.gz] [WINDOW] [PER_CLASS] [SEED] [THREADS]
 * </pre>
 *
 * Windows: WINDOW bases (default 200) at the middle of every CDS at least that long (coding) and
 * of every stretch between annotated features at least that long (intergenic), on the genome's
 * forward strand; PER_CLASS of each (default 250), drawn with SEED. Shuffled: each window's bases
 * in a seeded random order (same composition, no order).
 *
 * <p>Per pooling it prints the mean pairwise cosine similarity among real windows, among shuffled
 * ones and between the two, and 5-fold cross-validated accuracies of coding vs intergenic (real
 * windows) and of real vs shuffled (all windows) for a nearest-centroid classifier by cosine and
 * for a logistic-regression probe on standardised features; and the same for two composition baselines, the GC fraction and the 64 3-mer
 * frequencies. Centred pooling is shown with three centres: the model's ({@link EmbeddingCentre},
 * what {@code dna embed} uses), the same from samples of WINDOW bases, and the mean of the real
 * windows themselves.
 */
public final class PoolingBench {
    private static final int FOLDS = 5;

    private PoolingBench() {
    }

    /** A window and its class. */
    record Window(String where, byte[] tokens, boolean coding) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: PoolingBench MODEL GFF3[.gz] [WINDOW=200] [PER_CLASS=250] [SEED=1] [THREADS=2]");
            System.exit(2);
        }
        Path modelDir = Path.of(args[0]);
        Path gff = Path.of(args[1]);
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int perClass = args.length > 3 ? Integer.parseInt(args[3]) : 250;
        long seed = args.length > 4 ? Long.parseLong(args[4]) : 1;
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : 2;

        List<Window> real = windows(gff, window, perClass, seed);
        List<Window> shuffled = new ArrayList<>();
        SplittableRandom shuffle = new SplittableRandom(seed + 1);
        for (Window w : real) {
            byte[] t = w.tokens().clone();
            for (int i = t.length - 1; i > 0; i--) {
                int j = shuffle.nextInt(i + 1);
                byte x = t[i];
                t[i] = t[j];
                t[j] = x;
            }
            shuffled.add(new Window(w.where() + " shuffled", t, w.coding()));
        }
        boolean[] labels = new boolean[real.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = real.get(i).coding();
        }
        System.out.printf(Locale.ROOT, "model %s; %s: %d coding + %d intergenic windows of %d bases, seed %d%n",
                modelDir, gff, perClass, perClass, window, seed);

        Map<String, float[][][]> vectors = new LinkedHashMap<>();  // name -> {real, shuffled}
        DnaModel model = DnaModel.open(modelDir);
        ModelConfig config = InferenceSpan.parse("context").apply(model.config(), model.context());
        try (ComputePool pool = new ComputePool(threads)) {
            Decoder decoder = model.decoder(config, Math.max(2 * window + 1, model.context()), new VectorBackend(pool));
            for (Pooling p : new Pooling[] {Pooling.MEAN, Pooling.LAST, Pooling.ECHO}) {
                long t0 = System.nanoTime();
                Embedder e = new Embedder(decoder, 4096, p, null);
                vectors.put(p.label(), new float[][][] {embed(e, real), embed(e, shuffled)});
                System.out.printf(Locale.ROOT, "embedded %s in %.1f s%n", p.label(), (System.nanoTime() - t0) / 1e9);
            }
            float[][][] mean = vectors.get("mean");
            float[] modelCentre = EmbeddingCentre.compute(decoder, 4096, EmbeddingCentre.length(model.context()));
            float[] shortCentre = EmbeddingCentre.compute(decoder, 4096, window);
            vectors.put("centred (model's centre, samples of " + EmbeddingCentre.length(model.context()) + ")",
                    minus(mean, modelCentre));
            vectors.put("centred (model's centre, samples of " + window + ")", minus(mean, shortCentre));
            vectors.put("centred (mean of the real windows)", minus(mean, average(mean[0])));
        }
        vectors.put("baseline: GC fraction", new float[][][] {kmers(real, 0), kmers(shuffled, 0)});
        vectors.put("baseline: 3-mer frequencies", new float[][][] {kmers(real, 3), kmers(shuffled, 3)});

        System.out.printf(Locale.ROOT, "%n| pooling | cos real-real | cos shuffled-shuffled | cos real-shuffled "
                + "| coding vs intergenic, nearest centroid (cosine) | coding vs intergenic, logistic probe "
                + "| real vs shuffled, nearest centroid (cosine) | real vs shuffled, logistic probe |%n"
                + "|---|---|---|---|---|---|---|---|%n");
        boolean[] realOrShuffled = new boolean[2 * real.size()];
        for (int i = 0; i < real.size(); i++) {
            realOrShuffled[i] = true;
        }
        for (Map.Entry<String, float[][][]> e : vectors.entrySet()) {
            float[][] r = e.getValue()[0];
            float[][] s = e.getValue()[1];
            float[][] both = new float[2 * r.length][];
            System.arraycopy(r, 0, both, 0, r.length);
            System.arraycopy(s, 0, both, r.length, s.length);
            boolean scalar = r[0].length == 1;
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %.3f | %s | %.3f |%n", e.getKey(),
                    scalar ? "-" : f3(meanCosine(r, r)), scalar ? "-" : f3(meanCosine(s, s)),
                    scalar ? "-" : f3(meanCosine(r, s)), scalar ? "-" : f3(crossValidated(r, labels, seed, false)),
                    crossValidated(r, labels, seed, true),
                    scalar ? "-" : f3(crossValidated(both, realOrShuffled, seed, false)),
                    crossValidated(both, realOrShuffled, seed, true));
        }
    }

    private static String f3(double x) {
        return String.format(Locale.ROOT, "%.3f", x);
    }

    // ------------------------------------------------------------ windows

    /** PER_CLASS coding and PER_CLASS intergenic windows, drawn with the seed, coding first. */
    static List<Window> windows(Path gff, int window, int perClass, long seed) throws IOException {
        Map<String, List<int[]>> features = new TreeMap<>();  // seqid -> {start, end, isCds} (1-based, inclusive)
        Map<String, StringBuilder> sequences = new LinkedHashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(gff.toString().endsWith(".gz")
                ? new GZIPInputStream(Files.newInputStream(gff)) : Files.newInputStream(gff), StandardCharsets.US_ASCII))) {
            boolean fasta = false;
            StringBuilder current = null;
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("##FASTA")) {
                    fasta = true;
                } else if (fasta) {
                    if (line.startsWith(">")) {
                        current = new StringBuilder();
                        sequences.put(line.substring(1).split("\\s+")[0], current);
                    } else if (current != null) {
                        current.append(line.strip());
                    }
                } else if (!line.startsWith("#")) {
                    String[] f = line.split("\t");
                    if (f.length >= 9) {
                        features.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new int[] {Integer.parseInt(f[3]),
                            Integer.parseInt(f[4]), f[2].equals("CDS") ? 1 : 0});
                    }
                }
            }
        }
        List<Window> coding = new ArrayList<>();
        List<Window> intergenic = new ArrayList<>();
        NucleotideTokenizer tokenizer = new NucleotideTokenizer(NucleotideTokenizer.OnInvalid.MASK);
        for (Map.Entry<String, List<int[]>> e : features.entrySet()) {
            StringBuilder seq = sequences.get(e.getKey());
            if (seq == null) {
                continue;
            }
            byte[] tokens = tokenizer.encode(seq.toString().getBytes(StandardCharsets.US_ASCII), e.getKey());
            List<int[]> fs = e.getValue();
            fs.sort((a, b) -> Integer.compare(a[0], b[0]));
            int covered = 0;  // last base (1-based) covered by a feature so far
            for (int[] f : fs) {
                int length = f[1] - f[0] + 1;
                if (f[2] == 1 && length >= window) {
                    coding.add(cut(e.getKey(), tokens, f[0] - 1 + (length - window) / 2, window, true));
                }
                int gap = f[0] - covered - 1;  // bases covered + 1 .. f[0] - 1, 1-based
                if (gap >= window) {
                    intergenic.add(cut(e.getKey(), tokens, covered + (gap - window) / 2, window, false));
                }
                covered = Math.max(covered, f[1]);
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<Window> out = new ArrayList<>(draw(coding, perClass, random));
        out.addAll(draw(intergenic, perClass, random));
        return out;
    }

    /** WINDOW bases from 0-based position {@code from}. */
    private static Window cut(String seqid, byte[] tokens, int from, int window, boolean coding) {
        return new Window(seqid + ":" + (from + 1), java.util.Arrays.copyOfRange(tokens, from, from + window), coding);
    }

    private static List<Window> draw(List<Window> all, int n, SplittableRandom random) {
        if (all.size() < n) {
            throw new IllegalArgumentException("only " + all.size() + " windows of a class, asked for " + n);
        }
        List<Window> pool = new ArrayList<>(all);
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(pool.size() - i);
            Window x = pool.get(i);
            pool.set(i, pool.get(j));
            pool.set(j, x);
        }
        return pool.subList(0, n);
    }

    // ------------------------------------------------------------ features

    private static float[][] embed(Embedder e, List<Window> windows) {
        float[][] out = new float[windows.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = e.embed(windows.get(i).tokens(), windows.get(i).where(), null);
        }
        return out;
    }

    /** {real, shuffled} less the centre. */
    private static float[][][] minus(float[][][] v, float[] centre) {
        float[][][] out = new float[2][][];
        for (int k = 0; k < 2; k++) {
            out[k] = new float[v[k].length][centre.length];
            for (int i = 0; i < v[k].length; i++) {
                for (int j = 0; j < centre.length; j++) {
                    out[k][i][j] = v[k][i][j] - centre[j];
                }
            }
        }
        return out;
    }

    private static float[] average(float[][] v) {
        float[] out = new float[v[0].length];
        for (int j = 0; j < out.length; j++) {
            double s = 0;
            for (float[] row : v) {
                s += row[j];
            }
            out[j] = (float) (s / v.length);
        }
        return out;
    }

    /** k = 0: the GC fraction (one value); k >= 1: the 4^k k-mer frequencies (k-mers with N skipped). */
    private static float[][] kmers(List<Window> windows, int k) {
        float[][] out = new float[windows.size()][];
        for (int i = 0; i < out.length; i++) {
            byte[] t = windows.get(i).tokens();
            if (k == 0) {
                int gc = 0;
                for (byte b : t) {
                    gc += b == NucleotideTokenizer.C || b == NucleotideTokenizer.G ? 1 : 0;
                }
                out[i] = new float[] {(float) gc / t.length};
            } else {
                out[i] = Composition.kmerFrequencies(t, k);
            }
        }
        return out;
    }

    // ------------------------------------------------------------ measures

    /** Mean cosine similarity over pairs (a_i, b_j), i != j when a and b are the same set. */
    static double meanCosine(float[][] a, float[][] b) {
        double sum = 0;
        long pairs = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (a == b && i == j) {
                    continue;
                }
                sum += cosine(a[i], b[j]);
                pairs++;
            }
        }
        return sum / pairs;
    }

    static double cosine(float[] x, float[] y) {
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int j = 0; j < x.length; j++) {
            xy += (double) x[j] * y[j];
            xx += (double) x[j] * x[j];
            yy += (double) y[j] * y[j];
        }
        return xy / Math.sqrt(xx * yy);
    }

    /** Accuracy over FOLDS folds (rows assigned to folds in a seeded random order). */
    static double crossValidated(float[][] x, boolean[] y, long seed, boolean logistic) {
        int n = x.length;
        int[] fold = new int[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed + 7);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int i = 0; i < n; i++) {
            fold[order[i]] = i % FOLDS;
        }
        int correct = 0;
        for (int f = 0; f < FOLDS; f++) {
            List<float[]> trainX = new ArrayList<>();
            List<Boolean> trainY = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (fold[i] != f) {
                    trainX.add(x[i]);
                    trainY.add(y[i]);
                }
            }
            Classifier c = logistic ? Classifier.logistic(trainX, trainY) : Classifier.nearestCentroid(trainX, trainY);
            for (int i = 0; i < n; i++) {
                if (fold[i] == f && c.predict(x[i]) == y[i]) {
                    correct++;
                }
            }
        }
        return (double) correct / n;
    }

    /** A binary classifier fitted on one fold's training rows. */
    interface Classifier {
        boolean predict(float[] x);

        /** The class whose centroid has the higher cosine similarity. */
        static Classifier nearestCentroid(List<float[]> x, List<Boolean> y) {
            int d = x.get(0).length;
            float[][] centroid = new float[2][d];   // class sums: cosine ignores their scale
            for (int i = 0; i < x.size(); i++) {
                int c = y.get(i) ? 1 : 0;
                for (int j = 0; j < d; j++) {
                    centroid[c][j] += x.get(i)[j];
                }
            }
            return v -> cosine(v, centroid[1]) > cosine(v, centroid[0]);
        }

        /**
         * L2-regularised logistic regression (lambda 1e-3) on features standardised with the
         * training rows' means and deviations, fitted by 2,000 full-batch gradient steps of 0.5.
         */
        static Classifier logistic(List<float[]> x, List<Boolean> y) {
            int n = x.size();
            int d = x.get(0).length;
            double[] mu = new double[d];
            double[] sd = new double[d];
            for (float[] row : x) {
                for (int j = 0; j < d; j++) {
                    mu[j] += row[j] / (double) n;
                }
            }
            for (float[] row : x) {
                for (int j = 0; j < d; j++) {
                    sd[j] += (row[j] - mu[j]) * (row[j] - mu[j]) / n;
                }
            }
            for (int j = 0; j < d; j++) {
                sd[j] = Math.sqrt(sd[j]) + 1e-9;
            }
            double[][] z = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    z[i][j] = (x.get(i)[j] - mu[j]) / sd[j];
                }
            }
            double[] w = new double[d];
            double[] b = {0};
            for (int step = 0; step < 2000; step++) {
                double[] gw = new double[d];
                double gb = 0;
                for (int i = 0; i < n; i++) {
                    double s = b[0];
                    for (int j = 0; j < d; j++) {
                        s += w[j] * z[i][j];
                    }
                    double err = 1 / (1 + Math.exp(-s)) - (y.get(i) ? 1 : 0);
                    for (int j = 0; j < d; j++) {
                        gw[j] += err * z[i][j] / n;
                    }
                    gb += err / n;
                }
                for (int j = 0; j < d; j++) {
                    w[j] -= 0.5 * (gw[j] + 1e-3 * w[j]);
                }
                b[0] -= 0.5 * gb;
            }
            return v -> {
                double s = b[0];
                for (int j = 0; j < d; j++) {
                    s += w[j] * (v[j] - mu[j]) / sd[j];
                }
                return s > 0;
            };
        }
    }
}
