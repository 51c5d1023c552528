package dev.chimera.genomics.vep;

import java.util.List;

/**
 * A variant as far as scoring goes: its contig, 1-based position, REF and ALT alleles as written in
 * the VCF (ALT in order, one score each), and {@code where} it came from for messages
 * ({@code in.vcf: line 12 (chr1:345)}).
 */
public record VariantSite(String contig, long position, String ref, List<String> alts, String where) {
    public VariantSite {
        alts = List.copyOf(alts);
    }
}
