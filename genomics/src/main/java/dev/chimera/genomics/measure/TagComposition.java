package dev.chimera.genomics.measure;

import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.Holdout;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.SequenceRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Whether sequences generated with each tag have the composition of their tag's genome. Not a CLI
 * command: the measurement behind the README's tagged-generation table, run as
 *
 * <pre>
 *   java $(cat cli/target/jvm.flags) -cp "cli/target/chimera-cli.jar:cli/target/lib/*" \
 *     dev.chimera.genomics.measure.TagComposition K GENOME1 GENOME2 ... -- SAMPLES1 SAMPLES2 ...
 * </pre>
 *
 * Each argument is {@code NAME=FASTA}. For every set of samples and, as the yardstick of sampling
 * noise, for every genome's own held-out windows (as many windows of the samples' length as the
 * first sample set has, drawn with seed 1 from the last 10 % of each record, the part pretraining
 * holds out), it prints the GC fraction and the k-mer spectrum distance ({@link Composition#distance},
 * both strands) to each whole genome.
 */
public final class TagComposition {
    private TagComposition() {
    }

    public static void main(String[] args) {
        int k = Integer.parseInt(args[0]);
        Map<String, List<byte[]>> genomes = new LinkedHashMap<>();
        Map<String, List<byte[]>> samples = new LinkedHashMap<>();
        Map<String, List<byte[]>> into = genomes;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--")) {
                into = samples;
                continue;
            }
            int eq = args[i].indexOf('=');
            into.put(args[i].substring(0, eq), read(Path.of(args[i].substring(eq + 1))));
        }
        List<byte[]> first = samples.values().iterator().next();
        int count = first.size();
        int length = first.get(0).length;

        Map<String, Composition> whole = new LinkedHashMap<>();
        Map<String, List<byte[]>> rows = new LinkedHashMap<>();
        for (Map.Entry<String, List<byte[]>> g : genomes.entrySet()) {
            Composition c = new Composition(k);
            g.getValue().forEach(c::add);
            whole.put(g.getKey(), c);
        }
        for (Map.Entry<String, List<byte[]>> s : samples.entrySet()) {
            rows.put("generated, tag " + s.getKey(), s.getValue());
        }
        for (Map.Entry<String, List<byte[]>> g : genomes.entrySet()) {
            rows.put(g.getKey() + " held-out windows", heldOutWindows(g.getValue(), count, length));
        }

        StringBuilder header = new StringBuilder("| sequences | bases | GC |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (String g : whole.keySet()) {
            header.append(" ").append(k).append("-mer distance to ").append(g).append(" |");
            rule.append("---|");
        }
        System.out.println("| genome | bases | GC |\n|---|---|---|");
        whole.forEach((name, c) -> System.out.printf(Locale.ROOT, "| %s | %,d | %.4f |%n", name, c.bases(), c.gc()));
        System.out.printf(Locale.ROOT, "%n%s%n%s%n", header, rule);
        for (Map.Entry<String, List<byte[]>> r : rows.entrySet()) {
            Composition c = new Composition(k);
            r.getValue().forEach(c::add);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "| %s | %,d | %.4f |", r.getKey(),
                    c.bases(), c.gc()));
            for (Composition g : whole.values()) {
                line.append(String.format(Locale.ROOT, " %.4f |", c.distance(g)));
            }
            System.out.println(line);
        }
        Composition[] gs = whole.values().toArray(new Composition[0]);
        if (gs.length == 2) {
            System.out.printf(Locale.ROOT, "%nthe two genomes' %d-mer distance: %.4f%n", k, gs[0].distance(gs[1]));
        }
    }

    private static List<byte[]> read(Path file) {
        NucleotideTokenizer tokenizer = new NucleotideTokenizer();
        List<byte[]> out = new ArrayList<>();
        try (FastaSource source = FastaSource.open(file)) {
            while (source.hasNext()) {
                SequenceRecord r = source.next();
                out.add(tokenizer.encode(r));
            }
        }
        return out;
    }

    /** {@code count} windows of {@code length} bases from the held-out ends of the records, seed 1. */
    private static List<byte[]> heldOutWindows(List<byte[]> records, int count, int length) {
        Holdout holdout = new Holdout(Holdout.DEFAULT_FRACTION);
        SplittableRandom random = new SplittableRandom(1);
        List<byte[]> out = new ArrayList<>();
        List<byte[]> usable = records.stream().filter(r -> r.length - holdout.trainEnd(r.length) >= length).toList();
        for (int i = 0; i < count; i++) {
            byte[] r = usable.get(random.nextInt(usable.size()));
            int from = holdout.trainEnd(r.length) + random.nextInt(r.length - holdout.trainEnd(r.length) - length + 1);
            out.add(java.util.Arrays.copyOfRange(r, from, from + length));
        }
        return out;
    }
}
