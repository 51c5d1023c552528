package dev.chimera.genomics.vep;

import static dev.chimera.genomics.NucleotideTokenizer.complementLetter;

import dev.chimera.core.train.Seeds;
import dev.chimera.genomics.annotation.Gff3Annotation.Feature;
import dev.chimera.runtime.UserException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded draws of coding SNVs of two kinds from an annotated genome, a test set for variant scores:
 * stop-gained (one base turns a sense codon into TAA, TAG or TGA) and synonymous at the third codon
 * position (one base changes the codon, not its amino acid; standard code, {@link GeneticCode}).
 *
 * <p>Coding sequences: CDS features grouped by Parent (else ID, else each alone), in the order of
 * transcription (ascending on '+', descending on '-', each part reverse-complemented on '-'); the
 * first part's phase gives the first codon and every later part's phase must agree with the
 * spliced length before it (GFF3: phase = bases to skip to the next codon start). A group on two
 * contigs or strands, without a strand, with a disagreeing phase or with fewer than three codons is
 * skipped and counted. The first and last complete codon of each coding sequence (start and stop)
 * are left out, as are internal stops and codons with other letters than A/C/G/T.
 *
 * <p>A base that two coding sequences read in different frames (strand or codon position differ:
 * overlapping genes) is ambiguous and left out; isoforms that share a codon count it once.
 * Candidates are enumerated in file order and each kind is drawn by reservoir sampling (Algorithm R)
 * from its own random stream of the seed, so a draw depends only on the annotation, the genome and
 * the seed. Memory: the genome, and one byte per base of the contigs with a CDS (the frame map).
 */
public final class CodingVariants {
    /** The two kinds, by their Sequence Ontology terms. */
    public enum Kind {
        STOP_GAINED("stop_gained"),
        SYNONYMOUS("synonymous_variant");

        private final String term;

        Kind(String term) {
            this.term = term;
        }

        public String term() {
            return term;
        }
    }

    /**
     * A drawn SNV: {@code position} 1-based, {@code ref} and {@code alt} on the forward strand; the
     * CDS (its group's key), its strand, and the codon before and after on the coding strand.
     */
    public record Drawn(Kind kind, String contig, long position, char ref, char alt, String cds, char strand,
                        String codon, String mutated) {
    }

    /** What the annotation offered. */
    public record Census(int cdsFeatures, int codingSequences, int skippedNoStrand, int skippedPhase, int skippedShort,
                         long codons, long ambiguousPositions, long stopGainedCandidates, long synonymousCandidates) {
    }

    /** The drawn variants of each kind, sorted by contig (genome order) and position, and the census. */
    public record Draw(List<Drawn> stopGained, List<Drawn> synonymous, Census census) {
    }

    private static final byte[] BASES = {'A', 'C', 'G', 'T'};

    private CodingVariants() {
    }

    /**
     * Draws up to {@code perKind} variants of each kind (all candidates when there are fewer) from the
     * CDS features {@code cds} of {@code gff} on {@code genome} (contig id to upper-case letters).
     */
    public static Draw draw(List<Feature> cds, Map<String, byte[]> genome, String gff, int perKind, long seed) {
        if (perKind < 1) {
            throw new IllegalArgumentException("perKind must be >= 1, got " + perKind);
        }
        int[] skipped = new int[3];  // no strand, phase, short
        List<CodingSequence> sequences = codingSequences(cds, genome, gff, skipped);

        // Pass 1: the reading frame (strand, codon position) of every coding base; two frames mark it ambiguous.
        Map<String, byte[]> frames = new HashMap<>();
        long codons = 0;
        for (CodingSequence s : sequences) {
            byte[] frame = frames.computeIfAbsent(s.contig, c -> new byte[genome.get(c).length]);
            for (int i = 0; i < s.bases.length; i++) {
                int pos = s.genomic(i);
                byte code = s.frame(i);
                frame[pos] = frame[pos] == 0 || frame[pos] == code ? code : -1;
            }
            codons += (s.lastCodon() - s.firstCodon()) / 3 + 1;
        }

        // Pass 2: candidates of each kind, into the reservoirs.
        Reservoir stops = new Reservoir(perKind, Seeds.stream(seed, 0));
        Reservoir synonymous = new Reservoir(perKind, Seeds.stream(seed, 1));
        Map<String, BitSet> counted = new HashMap<>();
        long ambiguous = 0;
        byte[] mutated = new byte[3];
        for (CodingSequence s : sequences) {
            byte[] frame = frames.get(s.contig);
            BitSet seen = counted.computeIfAbsent(s.contig, c -> new BitSet());
            for (int c = s.firstCodon(); c <= s.lastCodon(); c += 3) {
                char aa = GeneticCode.translate(s.bases, c);
                int key = 2 * s.genomic(c) + (s.minus ? 1 : 0);
                if (aa == 'X' || aa == '*' || seen.get(key)) {
                    continue;  // not a sense codon, or an isoform's codon already enumerated
                }
                seen.set(key);
                for (int k = 0; k < 3; k++) {
                    int pos = s.genomic(c + k);
                    if (frame[pos] < 0) {
                        ambiguous++;
                        continue;
                    }
                    for (byte b : BASES) {
                        if (b == s.bases[c + k]) {
                            continue;
                        }
                        System.arraycopy(s.bases, c, mutated, 0, 3);
                        mutated[k] = b;
                        char changed = GeneticCode.translate(mutated, 0);
                        if (changed == '*') {
                            stops.offer(s, Kind.STOP_GAINED, c, k, b);
                        } else if (k == 2 && changed == aa) {
                            synonymous.offer(s, Kind.SYNONYMOUS, c, k, b);
                        }
                    }
                }
            }
        }
        List<String> order = new ArrayList<>(genome.keySet());
        Census census = new Census(cds.size(), sequences.size(), skipped[0], skipped[1], skipped[2], codons, ambiguous,
                stops.seen, synonymous.seen);
        return new Draw(sorted(stops.items, order), sorted(synonymous.items, order), census);
    }

    private static List<Drawn> sorted(List<Drawn> drawn, List<String> contigOrder) {
        Map<String, Integer> rank = new HashMap<>();
        for (int i = 0; i < contigOrder.size(); i++) {
            rank.put(contigOrder.get(i), i);
        }
        List<Drawn> out = new ArrayList<>(drawn);
        out.sort(Comparator.comparingInt((Drawn d) -> rank.get(d.contig())).thenComparingLong(Drawn::position)
                .thenComparing(Drawn::alt));
        return out;
    }

    /** The CDS features grouped into coding sequences, checked; skipped groups counted in {@code skipped}. */
    private static List<CodingSequence> codingSequences(List<Feature> cds, Map<String, byte[]> genome, String gff,
                                                        int[] skipped) {
        Map<String, List<Feature>> groups = new LinkedHashMap<>();
        for (Feature f : cds) {
            byte[] contig = genome.get(f.seqid());
            if (contig == null) {
                throw new UserException(gff + ": line " + f.line() + ": CDS on '" + f.seqid()
                        + "', a sequence the FASTA does not have");
            }
            if (f.end() > contig.length) {
                throw new UserException(gff + ": line " + f.line() + ": CDS " + f.seqid() + ":" + f.start() + "-"
                        + f.end() + " runs past the end of " + f.seqid() + " (" + contig.length + " bp)");
            }
            String key = f.parent() != null ? f.parent() : f.id() != null ? f.id() : "line " + f.line();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
        }
        List<CodingSequence> out = new ArrayList<>();
        for (Map.Entry<String, List<Feature>> g : groups.entrySet()) {
            List<Feature> parts = g.getValue();
            Feature first = parts.get(0);
            boolean oneStrand = first.strand() == '+' || first.strand() == '-';
            for (Feature f : parts) {
                oneStrand &= f.strand() == first.strand() && f.seqid().equals(first.seqid());
            }
            if (!oneStrand) {
                skipped[0]++;
                continue;
            }
            CodingSequence s = CodingSequence.of(g.getKey(), parts, genome.get(first.seqid()));
            if (s == null) {
                skipped[1]++;
            } else if (s.lastCodon() < s.firstCodon()) {
                skipped[2]++;
            } else {
                out.add(s);
            }
        }
        return out;
    }

    /** The spliced coding-strand bases of one coding sequence and where each lies on the genome. */
    private static final class CodingSequence {
        final String id;
        final String contig;
        final boolean minus;
        final int phase;
        final byte[] bases;   // (spliced length): coding-strand letters
        final int[] genomic;  // (spliced length): 0-based forward-strand position of each

        private CodingSequence(String id, String contig, boolean minus, int phase, byte[] bases, int[] genomic) {
            this.id = id;
            this.contig = contig;
            this.minus = minus;
            this.phase = phase;
            this.bases = bases;
            this.genomic = genomic;
        }

        /** The parts spliced in transcription order, or null when a later part's phase disagrees. */
        static CodingSequence of(String id, List<Feature> parts, byte[] contig) {
            Feature first = parts.get(0);
            boolean minus = first.strand() == '-';
            List<Feature> ordered = new ArrayList<>(parts);
            ordered.sort(Comparator.comparingLong(Feature::start));
            if (minus) {
                java.util.Collections.reverse(ordered);
            }
            int length = 0;
            for (Feature f : ordered) {
                length += (int) f.length();
            }
            byte[] bases = new byte[length];
            int[] genomic = new int[length];
            int phase = ordered.get(0).phase();
            int at = 0;
            for (Feature f : ordered) {
                if (Math.floorMod(phase - at, 3) != f.phase()) {
                    return null;
                }
                for (int i = 0; i < f.length(); i++, at++) {
                    int pos = minus ? (int) (f.end() - 1 - i) : (int) (f.start() - 1 + i);
                    genomic[at] = pos;
                    bases[at] = minus ? complementLetter(contig[pos]) : contig[pos];
                }
            }
            return new CodingSequence(id, first.seqid(), minus, phase, bases, genomic);
        }

        /** Spliced index of the second complete codon (the first, the start, is left out). */
        int firstCodon() {
            return phase + 3;
        }

        /** Spliced index of the second-to-last complete codon (the last, the stop, is left out). */
        int lastCodon() {
            int complete = (bases.length - phase) / 3;
            return phase + 3 * (complete - 2);
        }

        int genomic(int spliced) {
            return genomic[spliced];
        }

        /** The reading frame at spliced index {@code i}: 1 + 3 strand + codon position (1..6; 0 means none). */
        byte frame(int i) {
            return (byte) (1 + (minus ? 3 : 0) + Math.floorMod(i - phase, 3));
        }

        Drawn variant(Kind kind, int c, int k, byte base) {
            byte[] mutated = java.util.Arrays.copyOfRange(bases, c, c + 3);
            mutated[k] = base;
            byte ref = minus ? complementLetter(bases[c + k]) : bases[c + k];
            byte alt = minus ? complementLetter(base) : base;
            return new Drawn(kind, contig, genomic[c + k] + 1L, (char) ref, (char) alt, id, minus ? '-' : '+',
                    new String(bases, c, 3, java.nio.charset.StandardCharsets.US_ASCII),
                    new String(mutated, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    /** A uniform sample of up to {@code size} of a stream of candidates (Algorithm R). */
    private static final class Reservoir {
        final int size;
        final SplittableRandom random;
        final List<Drawn> items = new ArrayList<>();
        long seen;

        Reservoir(int size, SplittableRandom random) {
            this.size = size;
            this.random = random;
        }

        /** Offers the next candidate (made only if it is kept): base {@code base} at codon {@code c}, position {@code k}. */
        void offer(CodingSequence s, Kind kind, int c, int k, byte base) {
            seen++;
            if (items.size() < size) {
                items.add(s.variant(kind, c, k, base));
            } else {
                long j = random.nextLong(seen);
                if (j < size) {
                    items.set((int) j, s.variant(kind, c, k, base));
                }
            }
        }
    }
}
