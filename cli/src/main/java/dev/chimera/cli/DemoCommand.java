package dev.chimera.cli;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.GenomeCache;
import dev.chimera.genomics.HeldOutScore;
import dev.chimera.genomics.Holdout;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.ReferenceGenome;
import dev.chimera.genomics.ShippedModels;
import dev.chimera.genomics.TrainEvalSplit;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code chimera demo}: the DNA story end to end on built-in defaults. The E. coli K-12 genome
 * (fetched once), the model shipped in {@code models/ecoli-hybrid} (trained on its first 90%),
 * its bits per base on the held-out 10% beside the Markov and compressor baselines ({@code dna baseline
 * --model}), scores of held-out regions against their shuffled copies, and generated DNA
 * ({@code dna generate}). The GEMM and train-step benchmarks live in {@code chimera bench}.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {"Runs the DNA job end to end on built-in defaults, in a few minutes on 2 cores:",
                "the E. coli K-12 MG1655 genome (fetched once into cache/genomes), the shipped model models/ecoli-hybrid, "
                        + "its bits per base on the held-out last 10% beside order 0-12 Markov models, gzip and xz, "
                        + "held-out regions scored against shuffled copies of themselves, and generated sequences."})
final class DemoCommand implements Callable<Integer> {
    private static final int REGIONS = 3;
    private static final int REGION_LENGTH = 3_000;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--threads", paramLabel = "T", description = "Compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Another model trained by 'chimera dna pretrain' on this genome (default: models/ecoli-hybrid).")
    Path modelOption;

    @Override
    public Integer call() throws IOException {
        long t0 = System.nanoTime();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (threadCount < 1) {
            throw new Chimera.UserError("--threads must be >= 1, got " + threadCount);
        }
        out.println("Chimera demo: a hybrid Mamba2-attention DNA language model on E. coli, end to end");
        out.println();

        ReferenceGenome genome = ReferenceGenome.ECOLI_K12_MG1655;
        Path fasta = GenomeCache.locate().obtain(genome, line -> {
            err.println(line);
            err.flush();
        });
        Holdout holdout = new Holdout(Holdout.DEFAULT_FRACTION);
        TrainEvalSplit data = TrainEvalSplit.holdout(fasta, holdout, new NucleotideTokenizer());
        Path modelDir = modelOption != null ? modelOption : ShippedModels.locate(ShippedModels.ECOLI);
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
        int code = dna(out, err, "baseline", "--model", modelDir.toString(), "--threads", Integer.toString(threadCount));
        if (code != 0) {
            return code;
        }
        out.printf(Locale.ROOT, "   (%.0f s)%n%n", (System.nanoTime() - t1) / 1e9);

        long t2 = System.nanoTime();
        regions(out, model, data, threadCount);
        out.printf(Locale.ROOT, "   (%.0f s)%n%n", (System.nanoTime() - t2) / 1e9);

        out.println("4. generated DNA (chimera dna generate --model " + modelDir + " --length 240 --num 2 --seed 1):");
        out.flush();
        StringWriter generated = new StringWriter();
        code = dna(new PrintWriter(generated, true), err, "generate", "--model", modelDir.toString(), "--length", "240",
                "--num", "2", "--seed", "1", "--threads", Integer.toString(threadCount));
        if (code != 0) {
            return code;
        }
        out.print(generated);
        out.printf(Locale.ROOT, "   GC content: generated %.1f%%, held-out genome %.1f%%%n%n",
                100 * gc(generated.toString().lines().filter(l -> !l.startsWith(">")).reduce("", String::concat)),
                100 * gc(heldOutLetters(data)));

        out.println("5. embed: 'chimera dna embed' is not in this build yet");  // EMBED: the lead wires dna embed here
        out.println();
        out.printf(Locale.ROOT, "demo finished in %.0f s%n", (System.nanoTime() - t0) / 1e9);
        out.flush();
        return 0;
    }

    /** Runs {@code chimera dna ARGS} in this process on the given writers; returns its exit code. */
    private static int dna(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = Chimera.commandLine();
        cl.setOut(out);
        cl.setErr(err);
        String[] full = new String[args.length + 1];
        full[0] = "dna";
        System.arraycopy(args, 0, full, 1, args.length);
        return cl.execute(full);
    }

    /** Held-out regions and the same regions shuffled: the model finds structure only in the real ones. */
    private static void regions(PrintWriter out, DnaModel model, TrainEvalSplit data, int threads) throws IOException {
        TrainEvalSplit.Part part = data.parts().get(0);
        int evalLength = part.evalLength();
        List<HeldOutScore.Region> regions = new ArrayList<>();
        List<String> names = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(1);
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
            regions.add(new HeldOutScore.Region(real, 0, real.length));
            regions.add(new HeldOutScore.Region(NucleotideTokenizer.reverseComplement(real), 0, real.length));
            regions.add(new HeldOutScore.Region(shuffled, 0, shuffled.length));
            names.add(String.format(Locale.ROOT, "%s:%d-%d", part.id(), from + 1, to));
        }
        List<HeldOutScore.Result> scores;
        try (ComputePool pool = new ComputePool(threads)) {
            Decoder decoder = model.decoder(model.context(), pool);
            scores = new HeldOutScore(decoder, model.context(), Math.max(1, 8192 / model.context())).score(regions, null);
        }
        out.println("3. held-out regions scored by the model, bits/base (the same bases shuffled keep the composition "
                + "and lose the order):");
        out.printf(Locale.ROOT, "   %-22s %10s %20s %10s%n", "region", "as is", "reverse complement", "shuffled");
        for (int i = 0; i < names.size(); i++) {
            out.printf(Locale.ROOT, "   %-22s %10.4f %20.4f %10.4f%n", names.get(i), scores.get(3 * i).bitsPerBase(),
                    scores.get(3 * i + 1).bitsPerBase(), scores.get(3 * i + 2).bitsPerBase());
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
