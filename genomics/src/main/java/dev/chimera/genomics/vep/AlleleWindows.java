package dev.chimera.genomics.vep;

import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.runtime.UserException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The sequences one site's alleles are scored on: each allele between the same two reference flanks,
 *
 * <pre>
 *   REF window = left + REF + right      left  = the Fl reference bases before the variant
 *   ALT window = left + ALT + right      right = the Fr reference bases after REF
 * </pre>
 *
 * with F = floor((W - m) / 2), m the longest of REF and the scored ALTs, Fl = min(F, bases before
 * the variant) and Fr = min(F, bases after REF): every window is at most W bases, and an indel's
 * windows differ in length by the indel but share their flanks, so log P(ALT window) - log P(REF
 * window) compares the same context. The flanks are equal away from contig ends, so the windows of a
 * variant and of its reverse-complement representation on the reverse-complemented reference are
 * each other's reverse complements.
 *
 * <p>An ALT is scored when it and REF are plain A/C/G/T of at most {@value #MAX_ALLELE} bases (and
 * at most W); otherwise it gets no window and an {@link Unscored} reason. Checking the site against
 * the reference (contig, position, REF) comes first and fails with a {@link UserException} naming it.
 */
public final class AlleleWindows {
    /** The longest REF or ALT scored, in bases. */
    public static final int MAX_ALLELE = 50;

    /** Why an ALT allele has no score. */
    public enum Unscored {
        SYMBOLIC("symbolic, breakend or '*'"),
        NOT_ACGT("not all A/C/G/T"),
        TOO_LONG("longer than " + MAX_ALLELE + " bp or the window");

        private final String description;

        Unscored(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final byte[] ref;          // tokens of the REF window, null when no ALT is scored
    private final byte[][] alts;       // (alts): tokens of each ALT window, null where not scored
    private final Unscored[] unscored; // (alts): null where scored

    private AlleleWindows(byte[] ref, byte[][] alts, Unscored[] unscored) {
        this.ref = ref;
        this.alts = alts;
        this.unscored = unscored;
    }

    /**
     * The windows of {@code site} of at most {@code window} bases on {@code reference}; the site is
     * {@link #check}ed first.
     */
    public static AlleleWindows of(Reference reference, VariantSite site, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1, got " + window);
        }
        check(reference, site);
        int n = site.alts().size();
        Unscored[] unscored = new Unscored[n];
        int longest = 0;
        for (int a = 0; a < n; a++) {
            unscored[a] = why(site.ref(), site.alts().get(a), Math.min(MAX_ALLELE, window));
            if (unscored[a] == null) {
                longest = Math.max(longest, Math.max(site.ref().length(), site.alts().get(a).length()));
            }
        }
        byte[][] alts = new byte[n][];
        if (longest == 0) {
            return new AlleleWindows(null, alts, unscored);
        }
        int flank = (window - longest) / 2;
        long start = site.position() - 1;                // 0-based first base of REF
        long end = start + site.ref().length();          // 0-based, exclusive
        long contigLength = reference.length(site.contig());
        byte[] left = tokens(reference.bases(site.contig(), start - Math.min(flank, start), start));
        byte[] right = tokens(reference.bases(site.contig(), end, end + Math.min(flank, contigLength - end)));
        for (int a = 0; a < n; a++) {
            if (unscored[a] == null) {
                alts[a] = join(left, tokens(site.alts().get(a).getBytes(StandardCharsets.US_ASCII)), right);
            }
        }
        return new AlleleWindows(join(left, tokens(site.ref().getBytes(StandardCharsets.US_ASCII)), right), alts,
                unscored);
    }

    /**
     * Fails with a {@link UserException} naming the site unless its contig is in the reference, REF
     * lies inside it and equals the reference there (case aside).
     */
    public static void check(Reference reference, VariantSite site) {
        long length = reference.length(site.contig());
        if (length < 0) {
            throw new UserException(site.where() + ": contig '" + site.contig() + "' is not in the reference");
        }
        long end = site.position() + site.ref().length() - 1;
        if (site.position() < 1 || end > length) {
            throw new UserException(site.where() + ": REF " + site.ref() + " at " + site.contig() + ":"
                    + site.position() + (end > site.position() ? "-" + end : "") + " lies outside the reference's "
                    + site.contig() + " (1-" + length + ")");
        }
        String found = new String(reference.bases(site.contig(), site.position() - 1, end), StandardCharsets.US_ASCII);
        if (!found.equalsIgnoreCase(site.ref())) {
            throw new UserException(site.where() + ": REF " + site.ref() + " does not match the reference, which has "
                    + found + " at " + site.contig() + ":" + site.position());
        }
    }

    private static Unscored why(String ref, String alt, int maxLength) {
        if (alt.equals("*") || alt.startsWith("<") || alt.indexOf('[') >= 0 || alt.indexOf(']') >= 0
                || alt.equals(".")) {
            return Unscored.SYMBOLIC;
        }
        if (!acgt(ref) || !acgt(alt)) {
            return Unscored.NOT_ACGT;
        }
        if (ref.length() > maxLength || alt.length() > maxLength) {
            return Unscored.TOO_LONG;
        }
        return null;
    }

    private static boolean acgt(String allele) {
        if (allele.isEmpty()) {
            return false;
        }
        for (int i = 0; i < allele.length(); i++) {
            if ("ACGTacgt".indexOf(allele.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Tokens of reference letters: IUPAC codes and anything else that is not a base are read as N. */
    private static byte[] tokens(byte[] letters) {
        return new NucleotideTokenizer(NucleotideTokenizer.OnInvalid.MASK).encode(letters, "reference");
    }

    private static byte[] join(byte[] left, byte[] middle, byte[] right) {
        byte[] out = Arrays.copyOf(left, left.length + middle.length + right.length);
        System.arraycopy(middle, 0, out, left.length, middle.length);
        System.arraycopy(right, 0, out, left.length + middle.length, right.length);
        return out;
    }

    /** Tokens of the REF window, or null when no ALT is scored. */
    public byte[] ref() {
        return ref;
    }

    /** Tokens of ALT {@code a}'s window, or null when it is not scored. */
    public byte[] alt(int a) {
        return alts[a];
    }

    /** Why ALT {@code a} is not scored, or null when it is. */
    public Unscored unscored(int a) {
        return unscored[a];
    }

    public int altCount() {
        return alts.length;
    }

    /** Number of ALT alleles that get a score. */
    public int scoredAlts() {
        int n = 0;
        for (byte[] w : alts) {
            n += w == null ? 0 : 1;
        }
        return n;
    }
}
