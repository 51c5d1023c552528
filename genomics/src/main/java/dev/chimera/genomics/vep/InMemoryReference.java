package dev.chimera.genomics.vep;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Contigs held in memory as letters (a GFF3's ##FASTA section, a test's genome). */
public final class InMemoryReference implements Reference {
    private final Map<String, byte[]> contigs;

    /** {@code contigs}: id to letters, in the order a VCF header should list them; letters are upper-cased. */
    public InMemoryReference(Map<String, byte[]> contigs) {
        Map<String, byte[]> upper = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : contigs.entrySet()) {
            upper.put(e.getKey(), new String(e.getValue(), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .toUpperCase(Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        this.contigs = Collections.unmodifiableMap(upper);
    }

    @Override
    public long length(String contig) {
        byte[] s = contigs.get(contig);
        return s == null ? -1 : s.length;
    }

    @Override
    public byte[] bases(String contig, long start, long end) {
        return Arrays.copyOfRange(contigs.get(contig), (int) start, (int) end);
    }

    /** The contigs, id to upper-case letters, in order. */
    public Map<String, byte[]> contigs() {
        return contigs;
    }
}
