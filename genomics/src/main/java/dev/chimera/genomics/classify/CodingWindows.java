package dev.chimera.genomics.classify;

import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.annotation.Gff3Annotation;
import dev.chimera.genomics.annotation.Gff3Annotation.Feature;
import dev.chimera.runtime.UserException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A labelled data set cut from an annotated genome: windows of W bases labelled {@code coding}
 * (inside one CDS, read on the CDS's strand: reverse-complemented for a '-' CDS) or
 * {@code intergenic} (overlapping no feature at all; read on a seeded random strand, so that both
 * classes hold both strands of the genome).
 *
 * <p>Windows start every {@code stride} bases of a sequence (a coding window, every stride bases
 * of the sequence inside its CDS). A coding window must overlap no feature on the other strand (a
 * window inside a '+' CDS that also overlaps a '-' gene is neither class); a window holding an N
 * is left out and counted. Train and test come from different parts of each sequence: the last
 * {@code testFraction} of it is the test part, the rest the training part, and a window that
 * straddles the boundary is in neither, so no base is in both files. Only sequences with at least
 * one feature are used; features of whole-sequence types (region, chromosome: see
 * {@link Gff3Annotation#bySeqid}) count as none. Each class of each part is then sampled without
 * replacement (seeded) to at most {@code maxPerClass} windows in training and
 * maxPerClass * f / (1 - f) in test, and each file's records are shuffled. Bases are written
 * upper-case whatever the case of the sequences.
 */
public final class CodingWindows {
    public static final String CODING = "coding";
    public static final String INTERGENIC = "intergenic";

    /** One window: where it is, its label, and its bases on the strand it is read on (upper-case ASCII). */
    public record Window(String sequence, int start, int end, char strand, String label, byte[] bases) {
        /** {@code seq:start-end(strand)}, 1-based inclusive like GFF3. */
        public String id() {
            return sequence + ":" + (start + 1) + "-" + end + "(" + strand + ")";
        }
    }

    /** The windows of both parts, and how many candidates each class had before sampling. */
    public record Split(List<Window> train, List<Window> test, Map<String, int[]> candidates, long withN) {
    }

    public record Settings(int window, int stride, double testFraction, int maxPerClass, long seed) {
        public Settings {
            if (window < 1 || stride < 1 || !(testFraction > 0 && testFraction < 1) || maxPerClass < 1) {
                throw new IllegalArgumentException("window and stride >= 1, test fraction in (0, 1), max per class "
                        + ">= 1; got " + window + ", " + stride + ", " + testFraction + ", " + maxPerClass);
            }
        }

        int maxTest() {
            return Math.max(1, (int) Math.round(maxPerClass * testFraction / (1 - testFraction)));
        }
    }

    private CodingWindows() {
    }

    /** Cuts the windows of {@code annotation}'s sequences, whose bases (ASCII) {@code sequences} holds by name. */
    public static Split cut(Gff3Annotation annotation, Map<String, byte[]> sequences, Settings s) {
        Map<String, List<Feature>> bySeqid = annotation.bySeqid();
        if (bySeqid.isEmpty()) {
            throw new UserException(annotation.name() + ": no features (besides whole-sequence ones such as region "
                    + "or chromosome)");
        }
        List<List<Window>> train = List.of(new ArrayList<>(), new ArrayList<>());  // coding, intergenic
        List<List<Window>> test = List.of(new ArrayList<>(), new ArrayList<>());
        SplittableRandom strands = new SplittableRandom(s.seed() ^ 0x2545F4914F6CDD1DL);
        long withN = 0;
        for (Map.Entry<String, List<Feature>> e : bySeqid.entrySet()) {
            String name = e.getKey();
            byte[] bases = sequences.get(name);
            if (bases == null) {
                throw new UserException(annotation.name() + ": features on sequence '" + name + "', which the "
                        + "sequences given do not hold (" + sequences.size() + " sequences)");
            }
            int length = bases.length;
            int testStart = (int) Math.floor(length * (1 - s.testFraction()));
            int[] any = new int[length + 1];    // prefix counts of positions covered by a feature
            int[] plus = new int[length + 1];   // ... by a feature on '+' or on no strand
            int[] minus = new int[length + 1];  // ... on '-' or on no strand
            int[] nCount = new int[length + 1]; // ... of N (or any non-ACGT) bases
            coverage(e.getValue(), length, annotation.name(), any, plus, minus);
            for (int i = 0; i < length; i++) {
                int code = NucleotideTokenizer.code(bases[i]);
                nCount[i + 1] = nCount[i] + (code < 0 || code > NucleotideTokenizer.T ? 1 : 0);
            }
            Set<Long> coding = new LinkedHashSet<>();  // start * 2 + (strand == '-')
            for (Feature f : e.getValue()) {
                if (!f.type().equals("CDS") || (f.strand() != '+' && f.strand() != '-')) {
                    continue;
                }
                int[] other = f.strand() == '+' ? minus : plus;
                int first = (int) ((f.from() + s.stride() - 1) / s.stride() * s.stride());
                for (int p = first; p + s.window() <= f.end(); p += s.stride()) {
                    if (other[p + s.window()] - other[p] == 0) {
                        coding.add(2L * p + (f.strand() == '-' ? 1 : 0));
                    }
                }
            }
            for (long key : coding) {
                int p = (int) (key >> 1);
                char strand = (key & 1) == 0 ? '+' : '-';
                if (nCount[p + s.window()] - nCount[p] > 0) {
                    withN++;
                } else {
                    add(p, s.window(), testStart, new Window(name, p, p + s.window(), strand, CODING,
                            read(bases, p, p + s.window(), strand)), train.get(0), test.get(0));
                }
            }
            for (int p = 0; p + s.window() <= length; p += s.stride()) {
                if (any[p + s.window()] - any[p] != 0) {
                    continue;
                }
                char strand = strands.nextBoolean() ? '+' : '-';
                if (nCount[p + s.window()] - nCount[p] > 0) {
                    withN++;
                } else {
                    add(p, s.window(), testStart, new Window(name, p, p + s.window(), strand, INTERGENIC,
                            read(bases, p, p + s.window(), strand)), train.get(1), test.get(1));
                }
            }
        }
        Map<String, int[]> candidates = Map.of(CODING, new int[] {train.get(0).size(), test.get(0).size()},
                INTERGENIC, new int[] {train.get(1).size(), test.get(1).size()});
        SplittableRandom random = new SplittableRandom(s.seed());
        List<Window> trainOut = new ArrayList<>();
        List<Window> testOut = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            trainOut.addAll(sample(train.get(c), s.maxPerClass(), random));
            testOut.addAll(sample(test.get(c), s.maxTest(), random));
        }
        shuffle(trainOut, random);
        shuffle(testOut, random);
        return new Split(trainOut, testOut, candidates, withN);
    }

    /** Prefix counts of the positions covered by any feature, by one on '+' or none, by one on '-' or none. */
    private static void coverage(List<Feature> features, int length, String file, int[] any, int[] plus,
                                 int[] minus) {
        int[] dAny = new int[length + 1];
        int[] dPlus = new int[length + 1];
        int[] dMinus = new int[length + 1];
        for (Feature f : features) {
            if (f.end() > length) {
                throw new UserException(file + ": line " + f.line() + ": a " + f.type() + " at " + f.start() + "-"
                        + f.end() + " on '" + f.seqid() + "', outside its " + length + " bases");
            }
            int from = (int) f.from();
            int end = (int) f.end();
            dAny[from]++;
            dAny[end]--;
            if (f.strand() != '-') {
                dPlus[from]++;
                dPlus[end]--;
            }
            if (f.strand() != '+') {
                dMinus[from]++;
                dMinus[end]--;
            }
        }
        int cAny = 0;
        int cPlus = 0;
        int cMinus = 0;
        for (int i = 0; i < length; i++) {
            cAny += dAny[i];
            cPlus += dPlus[i];
            cMinus += dMinus[i];
            any[i + 1] = any[i] + (cAny > 0 ? 1 : 0);
            plus[i + 1] = plus[i] + (cPlus > 0 ? 1 : 0);
            minus[i + 1] = minus[i] + (cMinus > 0 ? 1 : 0);
        }
    }

    private static void add(int p, int window, int testStart, Window w, List<Window> train, List<Window> test) {
        if (p + window <= testStart) {
            train.add(w);
        } else if (p >= testStart) {
            test.add(w);
        }
    }

    private static byte[] read(byte[] bases, int from, int to, char strand) {
        byte[] out = Arrays.copyOfRange(bases, from, to);
        if (strand == '+') {
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) Character.toUpperCase((char) out[i]);
            }
        } else {
            for (int i = 0, j = out.length - 1; i < j; i++, j--) {
                byte t = out[i];
                out[i] = out[j];
                out[j] = t;
            }
            for (int i = 0; i < out.length; i++) {
                out[i] = NucleotideTokenizer.complementLetter(out[i]);
            }
        }
        return out;
    }

    private static List<Window> sample(List<Window> windows, int max, SplittableRandom random) {
        List<Window> copy = new ArrayList<>(windows);
        shuffle(copy, random);
        return copy.subList(0, Math.min(max, copy.size()));
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}
