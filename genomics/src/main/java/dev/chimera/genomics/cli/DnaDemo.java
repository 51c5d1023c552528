package dev.chimera.genomics.cli;

import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.GenomeCache;
import dev.chimera.genomics.Holdout;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.ReferenceGenome;
import dev.chimera.genomics.ShippedModels;
import dev.chimera.genomics.TrainEvalSplit;
import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.DemoPart;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import picocli.CommandLine.Option;

/**
 * The DNA part of {@code chimera demo}: the DNA story end to end on built-in defaults. The E. coli
 * K-12 genome (shipped, unpacked once), the model shipped in {@code models/ecoli-hybrid} (trained on its first
 * 90%), its bits per base on the held-out 10% beside the Markov and compressor baselines
 * ({@code dna baseline --model}), scores of held-out regions against their shuffled copies
 * ({@code dna score}), generated DNA ({@code dna generate}) and embeddings ({@code dna embed}).
 */
public final class DnaDemo implements DemoPart {
    private static final int REGIONS = 3;
    private static final int REGION_LENGTH = 3_000;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Another model trained by 'chimera dna pretrain' on this genome (default: models/ecoli-hybrid).")
    Path modelOption;

    /** For the demo's help; picocli formats help text, hence '%%' for a percent sign. */
    @Override
    public List<String> description() {
        return List.of("DNA: the E. coli K-12 MG1655 genome (shipped with Chimera, unpacked once into cache/genomes), the shipped model "
                + "models/ecoli-hybrid, its bits per base on the held-out last 10%% beside order 0-12 Markov models, gzip "
                + "and xz, held-out regions scored against shuffled copies of themselves, generated sequences and "
                + "embeddings.");
    }

    @Override
    public int run(Context context) throws IOException {
        PrintWriter out = context.out();
        PrintWriter err = context.err();
        int threadCount = context.threads();
        Commands chimera = context.commands();
        out.println("Chimera demo: a hybrid Mamba2-attention DNA language model on E. coli, end to end");
        out.println();

        ReferenceGenome genome = ReferenceGenome.ECOLI_K12_MG1655;
        Path fasta = GenomeCache.locate().obtain(genome, line -> {
            err.println(line);
            err.flush();
        });
        Holdout holdout = new Holdout(Holdout.DEFAULT_FRACTION);
        TrainEvalSplit data = TrainEvalSplit.holdout(fasta, holdout, new NucleotideTokenizer());
        Path modelDir = modelOption != null ? modelOption : Checkout.shippedModel(ShippedModels.ECOLI);
        DnaModel model = DnaModel.open(modelDir);
        out.printf(Locale.ROOT, "1. genome  %s, %,d bp: the first %,d bases are for training, the last %,d held out%n",
                genome.description(), data.totalBases(), data.trainBases(), data.evalBases());
        out.printf(Locale.ROOT, "   model   %s: layers %s, d %d, context %d, trained %,d steps on the training part%n",
                modelDir, model.config().layerMixers(), model.config().dModel(), model.context(), model.steps());
        out.println();

        out.println("2. bits per base on the held-out bases (lower is better; 2 = no information):");
        out.println("   chimera dna baseline --model " + modelDir);
        out.flush();
        long t1 = System.nanoTime();
        int code = chimera.run(out, err, "dna", "baseline", "--model", modelDir.toString(), "--threads",
                Integer.toString(threadCount));
        if (code != 0) {
            return code;
        }
        out.printf(Locale.ROOT, "   (%.0f s)%n%n", (System.nanoTime() - t1) / 1e9);

        Path work = Files.createTempDirectory("chimera-demo");
        try {
            return scoreGenerateEmbed(chimera, out, err, modelDir, data, work, threadCount);
        } finally {
            deleteTree(work);
        }
    }

    /** Steps 3-5: {@code dna score}, {@code dna generate} and {@code dna embed} on held-out regions; the exit code. */
    private static int scoreGenerateEmbed(Commands chimera, PrintWriter out, PrintWriter err, Path modelDir,
                                          TrainEvalSplit data, Path work, int threads) throws IOException {
        Path regions = writeRegions(work.resolve("held-out-regions.fa"), data);
        Path scores = work.resolve("scores.tsv");
        long t = System.nanoTime();
        out.println("3. held-out regions, their reverse complements and shuffled copies (same composition, no order), "
                + "scored:");
        out.println("   chimera dna score --model " + modelDir + " --fasta held-out-regions.fa --out scores.tsv");
        out.flush();
        int code = chimera.run(out, err, "dna", "score", "--model", modelDir.toString(), "--fasta", regions.toString(),
                "--out", scores.toString(), "--threads", Integer.toString(threads));
        if (code != 0) {
            return code;
        }
        for (String line : Files.readAllLines(scores)) {
            String[] f = line.split("\t");
            out.printf(Locale.ROOT, "   %-38s %8s %14s%n", f[0], f[1], f[3]);
        }
        out.printf(Locale.ROOT, "   (%.0f s)%n%n", (System.nanoTime() - t) / 1e9);

        out.println("4. generated DNA (chimera dna generate --model " + modelDir + " --length 240 --num 2 --seed 1):");
        out.flush();
        StringWriter generated = new StringWriter();
        code = chimera.run(new PrintWriter(generated, true), err, "dna", "generate", "--model", modelDir.toString(),
                "--length", "240", "--num", "2", "--seed", "1", "--threads", Integer.toString(threads));
        if (code != 0) {
            return code;
        }
        out.print(generated);
        out.printf(Locale.ROOT, "   GC content: generated %.1f%%, held-out genome %.1f%%%n%n",
                100 * gc(generated.toString().lines().filter(l -> !l.startsWith(">")).reduce("", String::concat)),
                100 * gc(heldOutLetters(data)));

        Path embeddings = work.resolve("embeddings.arrow");
        t = System.nanoTime();
        out.println("5. one vector per region (mean of the last hidden states less the model's centre, --pooling "
                + "centred), cosine similarity to region 1:");
        out.println("   chimera dna embed --model " + modelDir + " --fasta held-out-regions.fa --out embeddings.arrow");
        out.flush();
        code = chimera.run(out, err, "dna", "embed", "--model", modelDir.toString(), "--fasta", regions.toString(),
                "--out", embeddings.toString(), "--threads", Integer.toString(threads));
        if (code != 0) {
            return code;
        }
        Map<String, float[]> vectors = readEmbeddings(embeddings);
        float[] first = vectors.values().iterator().next();
        for (Map.Entry<String, float[]> e : vectors.entrySet()) {
            out.printf(Locale.ROOT, "   %-38s dim %d  cosine %.3f%n", e.getKey(), e.getValue().length,
                    cosine(first, e.getValue()));
        }
        out.printf(Locale.ROOT, "   (%.0f s)%n", (System.nanoTime() - t) / 1e9);
        return 0;
    }

    /** Held-out regions of the first record, each also reverse-complemented and shuffled, as FASTA. */
    private static Path writeRegions(Path file, TrainEvalSplit data) throws IOException {
        TrainEvalSplit.Part part = data.parts().get(0);
        int evalLength = part.evalLength();
        SplittableRandom random = new SplittableRandom(1);
        StringBuilder fasta = new StringBuilder();
        for (int i = 0; i < REGIONS; i++) {
            int from = part.trainEnd() + (int) ((long) evalLength * i / REGIONS);
            int to = Math.min(part.tokens().length, from + REGION_LENGTH);
            byte[] real = java.util.Arrays.copyOfRange(part.tokens(), from, to);
            byte[] shuffled = real.clone();
            for (int j = shuffled.length - 1; j > 0; j--) {
                int k = random.nextInt(j + 1);
                byte tmp = shuffled[j];
                shuffled[j] = shuffled[k];
                shuffled[k] = tmp;
            }
            String name = String.format(Locale.ROOT, "%s:%d-%d", part.id(), from + 1, to);
            record(fasta, name, real);
            record(fasta, name + "_revcomp", NucleotideTokenizer.reverseComplement(real));
            record(fasta, name + "_shuffled", shuffled);
        }
        return Files.writeString(file, fasta);
    }

    private static void record(StringBuilder fasta, String id, byte[] tokens) {
        fasta.append('>').append(id).append('\n');
        fasta.append(new String(NucleotideTokenizer.letters(tokens, 0, tokens.length), StandardCharsets.US_ASCII))
                .append('\n');
    }

    /** id -> embedding from a {@code dna embed} Arrow file, in file order. */
    private static Map<String, float[]> readEmbeddings(Path file) throws IOException {
        Map<String, float[]> vectors = new LinkedHashMap<>();
        try (BufferAllocator allocator = new RootAllocator();
             FileChannel channel = FileChannel.open(file);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            while (reader.loadNextBatch()) {
                VectorSchemaRoot root = reader.getVectorSchemaRoot();
                VarCharVector ids = (VarCharVector) root.getVector("id");
                FixedSizeListVector lists = (FixedSizeListVector) root.getVector("embedding");
                Float4Vector values = (Float4Vector) lists.getDataVector();
                int dim = lists.getListSize();
                for (int r = 0; r < root.getRowCount(); r++) {
                    float[] v = new float[dim];
                    for (int j = 0; j < dim; j++) {
                        v[j] = values.get(r * dim + j);
                    }
                    vectors.put(new String(ids.get(r), StandardCharsets.UTF_8), v);
                }
            }
        }
        return vectors;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String heldOutLetters(TrainEvalSplit data) {
        return new String(data.evalLetters(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static double gc(String letters) {
        long gc = 0;
        long acgt = 0;
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            gc += c == 'G' || c == 'C' ? 1 : 0;
            acgt += "ACGT".indexOf(c) >= 0 ? 1 : 0;
        }
        return acgt == 0 ? Double.NaN : (double) gc / acgt;
    }
}
