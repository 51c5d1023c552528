package dev.chimera.genomics.classify;

import dev.chimera.runtime.UserException;
import htsjdk.tribble.AbstractFeatureReader;
import htsjdk.tribble.FeatureReader;
import htsjdk.tribble.annotation.Strand;
import htsjdk.tribble.gff.Gff3Codec;
import htsjdk.tribble.gff.Gff3Feature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The features of a GFF3 file (plain or gzip), read with htsjdk's {@link Gff3Codec} (shallow: no
 * parent links), grouped by sequence. Features that span whole sequences
 * ({@link #WHOLE_SEQUENCE_TYPES}: region, chromosome, ...) are left out: they annotate no gene.
 * Coordinates are turned into 0-based half-open intervals.
 */
public final class GffAnnotation {
    /** Feature types that describe a whole sequence rather than something on it. */
    public static final Set<String> WHOLE_SEQUENCE_TYPES = Set.of("region", "chromosome", "contig", "supercontig",
            "scaffold", "source", "databank_entry");

    /** One feature: [start, end) 0-based, its type and strand (+1, -1, or 0 for none). */
    public record Feature(String type, int start, int end, int strand) {
        public boolean isCds() {
            return type.equals("CDS");
        }
    }

    private final Path file;
    private final Map<String, List<Feature>> bySequence;

    private GffAnnotation(Path file, Map<String, List<Feature>> bySequence) {
        this.file = file;
        this.bySequence = bySequence;
    }

    public static GffAnnotation read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserException(file + ": no such file");
        }
        Map<String, List<Feature>> bySequence = new LinkedHashMap<>();
        Gff3Codec codec = new Gff3Codec(Gff3Codec.DecodeDepth.SHALLOW);
        try (FeatureReader<Gff3Feature> reader = AbstractFeatureReader.getFeatureReader(file.toString(), null, codec,
                false)) {
            for (Gff3Feature f : reader.iterator()) {
                if (WHOLE_SEQUENCE_TYPES.contains(f.getType())) {
                    continue;
                }
                int strand = f.getStrand() == Strand.POSITIVE ? 1 : f.getStrand() == Strand.NEGATIVE ? -1 : 0;
                bySequence.computeIfAbsent(f.getContig(), k -> new ArrayList<>())
                        .add(new Feature(f.getType(), f.getStart() - 1, f.getEnd(), strand));
            }
        } catch (IOException | RuntimeException e) {
            throw new UserException(file + ": cannot read it as GFF3: " + firstLine(String.valueOf(e.getMessage())), e);
        }
        if (bySequence.isEmpty()) {
            throw new UserException(file + ": no features (expected GFF3 lines of 9 tab-separated columns)");
        }
        return new GffAnnotation(file, bySequence);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public Path file() {
        return file;
    }

    /** The sequences with at least one feature, in the file's order, and their features. */
    public Map<String, List<Feature>> bySequence() {
        return bySequence;
    }
}
