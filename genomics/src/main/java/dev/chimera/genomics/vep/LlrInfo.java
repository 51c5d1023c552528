package dev.chimera.genomics.vep;

import htsjdk.samtools.SAMSequenceDictionary;
import htsjdk.variant.variantcontext.VariantContext;
import htsjdk.variant.variantcontext.VariantContextBuilder;
import htsjdk.variant.vcf.VCFHeader;
import htsjdk.variant.vcf.VCFHeaderLine;
import htsjdk.variant.vcf.VCFHeaderLineCount;
import htsjdk.variant.vcf.VCFHeaderLineType;
import htsjdk.variant.vcf.VCFInfoHeaderLine;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The INFO field that carries a {@link VariantScorer} score: declared Number=A, Type=Float (one value
 * per ALT allele, '.' where an allele is not scored), written with 4 decimals.
 */
public final class LlrInfo {
    /** The INFO key used unless another is asked for. */
    public static final String DEFAULT_KEY = "CHIMERA_LLR";
    /** INFO keys as VCF 4.3 allows them. */
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][0-9A-Za-z_.]*");

    private LlrInfo() {
    }

    /** Whether {@code key} may name an INFO field. */
    public static boolean validKey(String key) {
        return KEY.matcher(key).matches();
    }

    /** What the field holds, for its header line: the units and how the score is made. */
    public static String description(String model, int window) {
        return "Chimera DNA model log-likelihood ratio ln P(ALT) - ln P(REF) in nats (natural log), one per ALT: "
                + "windows of up to " + window + " bp centred on the variant, REF and ALT between the same reference "
                + "flanks, averaged over the forward and reverse-complement strands; model " + model
                + "; '.' = not scored (symbolic, not A/C/G/T, or longer than " + AlleleWindows.MAX_ALLELE + " bp)";
    }

    /**
     * {@code input}'s header with the field declared (replacing a declaration of the same key), the
     * {@code extra} lines added, and the reference's contigs when it declares none.
     */
    public static VCFHeader header(VCFHeader input, String key, String description, SAMSequenceDictionary dictionary,
                                   List<VCFHeaderLine> extra) {
        Set<VCFHeaderLine> lines = new LinkedHashSet<>();
        for (VCFHeaderLine l : input.getMetaDataInInputOrder()) {
            if (!(l instanceof VCFInfoHeaderLine info && info.getID().equals(key))) {
                lines.add(l);
            }
        }
        lines.add(new VCFInfoHeaderLine(key, VCFHeaderLineCount.A, VCFHeaderLineType.Float, description));
        lines.addAll(extra);
        VCFHeader header = new VCFHeader(lines, new ArrayList<>(input.getGenotypeSamples()));
        if (header.getContigLines().isEmpty()) {
            header.setSequenceDictionary(dictionary);
        }
        return header;
    }

    /** {@code variant} with the field set to these scores (NaN written as '.'). */
    public static VariantContext annotate(VariantContext variant, String key, double[] llr) {
        if (llr.length == 0) {
            return new VariantContextBuilder(variant).rmAttribute(key).make();
        }
        List<String> values = new ArrayList<>(llr.length);
        for (double v : llr) {
            values.add(format(v));
        }
        return new VariantContextBuilder(variant).attribute(key, values).make();
    }

    /** A score as written: 4 decimals, '.' for NaN. */
    public static String format(double llr) {
        return Double.isNaN(llr) ? "." : String.format(Locale.ROOT, "%.4f", llr);
    }
}
