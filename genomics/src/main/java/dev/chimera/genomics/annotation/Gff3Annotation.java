package dev.chimera.genomics.annotation;

import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.runtime.UserException;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The features of a GFF3 file and the sequences of its {@code ##FASTA} section, read into memory
 * (GFF3 specification 1.26, The Sequence Ontology Project). Plain, gzip or bgzip.
 *
 * <p>A feature line has nine tab-separated columns: seqid, source, type, start, end (1-based,
 * inclusive), score, strand ({@code + - . ?}), phase ({@code 0 1 2} or {@code .}; a CDS must have
 * one) and attributes ({@code tag=value;tag=value}, values percent-decoded). Lines starting with
 * {@code #} are comments or directives and are skipped, up to {@code ##FASTA}, after which the rest
 * of the file is FASTA: a {@code >id} line (the id ends at the first blank) and sequence lines,
 * kept as upper-case letters. Every malformed line is a {@link UserException} naming the file and
 * line. The parent/child graph is not built: a caller groups features by {@code ID} / {@code Parent}
 * as it needs, or by sequence with {@link #bySeqid}.
 */
public final class Gff3Annotation {
    /** Feature types that describe a whole sequence rather than a stretch of it. */
    public static final Set<String> WHOLE_SEQUENCE_TYPES = Set.of("region", "chromosome", "contig", "supercontig",
            "scaffold", "source", "databank_entry");

    /** One feature line. {@code phase} is -1 for '.'; {@code line} is its 1-based line number. */
    public record Feature(String seqid, String source, String type, long start, long end, char strand, int phase,
                          Map<String, String> attributes, long line) {
        /** The ID attribute, or null. */
        public String id() {
            return attributes.get("ID");
        }

        /** The Parent attribute (several parents stay comma-separated), or null. */
        public String parent() {
            return attributes.get("Parent");
        }

        public long length() {
            return end - start + 1;
        }

        /** The first base 0-based: the feature is the half-open interval [from(), end()). */
        public long from() {
            return start - 1;
        }
    }

    private final String name;
    private final List<Feature> features;
    private final Map<String, byte[]> sequences;

    private Gff3Annotation(String name, List<Feature> features, Map<String, byte[]> sequences) {
        this.name = name;
        this.features = Collections.unmodifiableList(features);
        this.sequences = Collections.unmodifiableMap(sequences);
    }

    /** Reads {@code file}: its features in file order and the sequences of its ##FASTA section (if any). */
    public static Gff3Annotation read(Path file) {
        String name = file.toString();
        List<Feature> features = new ArrayList<>();
        Map<String, byte[]> sequences = new LinkedHashMap<>();
        long lineNo = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(FastaSource.openText(file),
                StandardCharsets.UTF_8), 1 << 16)) {
            long fastaLine = 0;  // the ##FASTA line, 0 before it
            String seqId = null;
            long seqIdLine = 0;
            ByteArrayOutputStream seq = new ByteArrayOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (fastaLine > 0) {
                    if (line.startsWith(">")) {
                        putSequence(sequences, seqId, seq, name, seqIdLine);
                        seqId = fastaId(line, name, lineNo);
                        seqIdLine = lineNo;
                        if (sequences.containsKey(seqId)) {
                            throw new UserException(name + ": line " + lineNo + ": sequence '" + seqId
                                    + "' appears twice in ##FASTA");
                        }
                    } else if (seqId == null && !line.isBlank()) {
                        throw new UserException(name + ": line " + lineNo + ": expected a '>' header after ##FASTA");
                    } else {
                        byte[] letters = line.strip().toUpperCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1);
                        seq.write(letters, 0, letters.length);
                    }
                } else if (line.startsWith("##FASTA")) {
                    fastaLine = lineNo;
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    features.add(parse(line, name, lineNo));
                }
            }
            putSequence(sequences, seqId, seq, name, seqIdLine);
            if (fastaLine > 0 && sequences.isEmpty()) {
                throw new UserException(name + ": line " + fastaLine + ": ##FASTA is followed by no sequence");
            }
        } catch (IOException e) {
            throw new UserException(name + ": line " + (lineNo + 1) + ": read failed: " + e.getMessage(), e);
        }
        return new Gff3Annotation(name, features, sequences);
    }

    private static String fastaId(String header, String name, long lineNo) {
        String id = header.substring(1).strip().split("\\s+", 2)[0];
        if (id.isEmpty()) {
            throw new UserException(name + ": line " + lineNo + ": FASTA header '>' has no id");
        }
        return id;
    }

    /** Keeps the sequence read so far (none before the first header), whose header is line {@code at}. */
    private static void putSequence(Map<String, byte[]> sequences, String id, ByteArrayOutputStream seq, String name,
                                    long at) {
        if (id == null) {
            return;
        }
        if (seq.size() == 0) {
            throw new UserException(name + ": line " + at + ": sequence '" + id + "' in ##FASTA has no bases");
        }
        sequences.put(id, seq.toByteArray());
        seq.reset();
    }

    /** One feature line; {@code where} problems name the file, line and column. */
    static Feature parse(String line, String name, long lineNo) {
        String at = name + ": line " + lineNo + ": ";
        String[] c = line.split("\t", -1);
        if (c.length != 9) {
            throw new UserException(at + "expected 9 tab-separated columns, found " + c.length);
        }
        long start = position(c[3], at + "start");
        long end = position(c[4], at + "end");
        if (end < start) {
            throw new UserException(at + "end " + end + " is before start " + start);
        }
        if (c[6].length() != 1 || "+-.?".indexOf(c[6].charAt(0)) < 0) {
            throw new UserException(at + "strand must be +, -, . or ?, found '" + c[6] + "'");
        }
        int phase;
        if (c[7].equals(".")) {
            phase = -1;
        } else if (c[7].length() == 1 && c[7].charAt(0) >= '0' && c[7].charAt(0) <= '2') {
            phase = c[7].charAt(0) - '0';
        } else {
            throw new UserException(at + "phase must be 0, 1, 2 or ., found '" + c[7] + "'");
        }
        if (phase < 0 && c[2].equals("CDS")) {
            throw new UserException(at + "a CDS needs a phase of 0, 1 or 2, found '.'");
        }
        return new Feature(c[0], c[1], c[2], start, end, c[6].charAt(0), phase, attributes(c[8], at), lineNo);
    }

    private static long position(String s, String what) {
        try {
            long v = Long.parseLong(s);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UserException(what + " must be a position >= 1, found '" + s + "'");
    }

    private static Map<String, String> attributes(String column, String at) {
        Map<String, String> out = new LinkedHashMap<>();
        if (column.equals(".") || column.isEmpty()) {
            return out;
        }
        for (String pair : column.split(";")) {
            if (pair.isBlank()) {
                continue;  // a trailing ';' is common
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserException(at + "attribute '" + pair + "' is not tag=value");
            }
            out.put(decode(pair.substring(0, eq).strip(), at), decode(pair.substring(eq + 1), at));
        }
        return out;
    }

    /** GFF3 percent-encoding: %XX is the byte of hex XX (';', '=', '&', ',', tab and newline are written so). */
    private static String decode(String s, String at) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '%' && i + 2 < b.length && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
                out.write(hex(b[i + 1]) * 16 + hex(b[i + 2]));
                i += 2;
            } else if (b[i] == '%') {
                throw new UserException(at + "bad percent-escape in '" + s + "'");
            } else {
                out.write(b[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte c) {
        return Character.digit(c, 16);
    }

    /** The file, for messages. */
    public String name() {
        return name;
    }

    /** Every feature, in file order. */
    public List<Feature> features() {
        return features;
    }

    /** The features of one type (e.g. "CDS"), in file order. */
    public List<Feature> features(String type) {
        List<Feature> out = new ArrayList<>();
        for (Feature f : features) {
            if (f.type().equals(type)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * The features on each sequence, grouped by seqid in the order the sequences first appear, without
     * those of {@link #WHOLE_SEQUENCE_TYPES} (a region line annotates no gene); a sequence with only
     * such features is absent.
     */
    public Map<String, List<Feature>> bySeqid() {
        Map<String, List<Feature>> out = new LinkedHashMap<>();
        for (Feature f : features) {
            if (!WHOLE_SEQUENCE_TYPES.contains(f.type())) {
                out.computeIfAbsent(f.seqid(), k -> new ArrayList<>()).add(f);
            }
        }
        return out;
    }

    /** The ##FASTA section's sequences in file order, id to upper-case letters; empty when there is none. */
    public Map<String, byte[]> sequences() {
        return sequences;
    }

    /**
     * The sequences the features lie on, id to letters: the records of {@code fasta} (FASTA, plain, gzip
     * or bgzip; letters as written) when it is not null, else {@link #sequences()}.
     */
    public Map<String, byte[]> genome(Path fasta) {
        if (fasta == null) {
            return sequences;
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (FastaSource source = FastaSource.open(fasta)) {
            while (source.hasNext()) {
                SequenceRecord r = source.next();
                out.put(r.id(), r.bases());
            }
        }
        return out;
    }
}
