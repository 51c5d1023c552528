package dev.chimera.genomics.vep;

import dev.chimera.genomics.FastaSource;
import dev.chimera.runtime.UserException;
import htsjdk.tribble.readers.LineIteratorImpl;
import htsjdk.tribble.readers.LineReader;
import htsjdk.variant.variantcontext.Allele;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.vcf.VCFCodec;
import htsjdk.variant.vcf.VCFHeader;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The records of a VCF file (plain, gzip or bgzip) decoded by htsjdk's {@link VCFCodec}, one at a
 * time with their line numbers. The lines are read here and handed to the codec, so that every
 * failure, of the header or of a record, is a one-line {@link UserException} naming the file and
 * line.
 */
public final class VcfReader implements Closeable {
    /** A record and where it is: {@code in.vcf: line 12 (chr1:345)}. */
    public record Entry(VariantContext variant, String where) {
        /** The record as a site to score: contig, position, REF and the ALT alleles as written. */
        public VariantSite site() {
            List<String> alts = new ArrayList<>();
            for (Allele a : variant.getAlternateAlleles()) {
                alts.add(a.getDisplayString());
            }
            return new VariantSite(variant.getContig(), variant.getStart(), variant.getReference().getDisplayString(),
                    alts, where);
        }
    }

    /** How htsjdk's messages start: its line number, which counts only the lines handed to the codec. */
    private static final String HTSJDK_LINE =
            "^(Line \\d+: |The provided VCF file is malformed at approximately line number \\d+: )";

    private final String name;
    private final BufferedReader in;
    private final VCFCodec codec = new VCFCodec();
    private final VCFHeader header;
    private String pending;  // the first record line, read while looking for the header's end
    private long line;

    private VcfReader(Path vcf) {
        this.name = vcf.toString();
        this.in = new BufferedReader(new InputStreamReader(FastaSource.openText(vcf), StandardCharsets.UTF_8), 1 << 16);
        List<String> headerLines = new ArrayList<>();
        try {
            for (String s = in.readLine(); s != null; s = in.readLine()) {
                line++;
                if (!s.startsWith("#")) {
                    pending = s;
                    break;
                }
                headerLines.add(s);
            }
        } catch (IOException e) {
            close();
            throw new UserException(name + ": line " + (line + 1) + ": read failed: " + e.getMessage(), e);
        }
        if (headerLines.isEmpty() || !headerLines.get(0).startsWith("##fileformat=VCF")) {
            close();
            throw new UserException(name + ": not a VCF file (expected a first line '##fileformat=VCFv4.x')");
        }
        if (!headerLines.get(headerLines.size() - 1).startsWith("#CHROM")) {
            close();
            throw new UserException(name + ": line " + headerLines.size() + ": expected the '#CHROM POS ID REF ALT ...' "
                    + "header line before the records");
        }
        try {
            this.header = (VCFHeader) codec.readActualHeader(new LineIteratorImpl(new ListReader(headerLines)));
        } catch (RuntimeException e) {
            close();
            throw new UserException(name + ": bad header: " + firstLine(e.getMessage()), e);
        }
    }

    /** Opens {@code vcf} and reads its header. */
    public static VcfReader open(Path vcf) {
        return new VcfReader(vcf);
    }

    public VCFHeader header() {
        return header;
    }

    /** The next record, or null at the end. */
    public Entry next() {
        try {
            String s = pending;
            pending = null;
            if (s == null) {
                s = in.readLine();
                line++;
            }
            while (s != null && s.isBlank()) {
                s = in.readLine();
                line++;
            }
            if (s == null) {
                return null;
            }
            String at = name + ": line " + line;
            VariantContext v;
            try {
                v = codec.decode(s);
            } catch (RuntimeException e) {
                // The line is named here; htsjdk's own count of the lines it was given is dropped.
                throw new UserException(at + ": " + firstLine(e.getMessage()).replaceFirst(HTSJDK_LINE, ""), e);
            }
            if (v == null) {
                throw new UserException(at + ": expected a record, found '" + clip(s) + "'");
            }
            return new Entry(v, at + " (" + v.getContig() + ":" + v.getStart() + ")");
        } catch (IOException e) {
            throw new UserException(name + ": line " + line + ": read failed: " + e.getMessage(), e);
        }
    }

    private static String firstLine(String s) {
        String m = String.valueOf(s).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The header lines as htsjdk's line source. */
    private static final class ListReader implements LineReader {
        private final Iterator<String> lines;

        ListReader(List<String> lines) {
            this.lines = lines.iterator();
        }

        @Override
        public String readLine() {
            return lines.hasNext() ? lines.next() : null;
        }

        @Override
        public void close() {
        }
    }
}
