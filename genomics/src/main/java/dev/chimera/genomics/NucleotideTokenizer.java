package dev.chimera.genomics;

import dev.chimera.runtime.UserException;
import java.util.Locale;

/**
 * Single-nucleotide tokens. The vocabulary (9 ids, so it fits the {@code small} preset's 16):
 *
 * <pre>
 *   0 A    1 C    2 G    3 T    4 N      the bases, in the order A &lt; C &lt; G &lt; T so that a base's
 *                                        complement is 3 - id and 2 bits hold it
 *   5 PAD  6 BOS  7 SEP  8 MASK          specials: padding, start of sequence, separator between
 *                                        sequences (e.g. a sequence and its reverse complement),
 *                                        masked position for masked-LM style tasks
 * </pre>
 *
 * A model trained with tags has one more id per tag after these ({@link DnaTags}); they are
 * never produced from sequence characters.
 *
 * <p>Characters read: A C G T N in either case; U (RNA) as T; the IUPAC ambiguity codes
 * R Y S W K M B D H V as N. Anything else (gaps '-', '.', '*', digits, spaces, binary) is invalid and
 * handled by the {@link OnInvalid} policy: {@code ERROR} (the default) fails with the file, record and
 * 1-based position; {@code MASK} writes N in its place; {@code SKIP} drops the character. Masked and
 * skipped characters are counted ({@link #invalidCount()}) so callers can report them.
 *
 * <p>Tokens are {@code byte[]}: one byte per base keeps a bacterial genome at 5 MB and a human
 * chromosome at 250 MB. {@link #toInts} widens a window for the model's {@code int[]} inputs.
 */
public final class NucleotideTokenizer {
    public static final byte A = 0;
    public static final byte C = 1;
    public static final byte G = 2;
    public static final byte T = 3;
    public static final byte N = 4;
    public static final byte PAD = 5;
    public static final byte BOS = 6;
    public static final byte SEP = 7;
    public static final byte MASK = 8;
    /** Number of token ids. */
    public static final int VOCAB_SIZE = 9;

    private static final String[] NAMES = {"A", "C", "G", "T", "N", "PAD", "BOS", "SEP", "MASK"};
    private static final byte INVALID = -1;
    private static final byte[] CODE = new byte[256];

    static {
        java.util.Arrays.fill(CODE, INVALID);
        set("A", A);
        set("C", C);
        set("G", G);
        set("TU", T);
        set("NRYSWKMBDHV", N);
    }

    private static void set(String letters, byte code) {
        for (char ch : letters.toCharArray()) {
            CODE[ch] = code;
            CODE[Character.toLowerCase(ch)] = code;
        }
    }

    /** What to do with a character that is neither a base, N, U nor an IUPAC code. */
    public enum OnInvalid {
        /** Fail with the file, record and position (the default). */
        ERROR,
        /** Replace the character by N. */
        MASK,
        /** Drop the character; later positions shift left. */
        SKIP;

        /** Parses {@code error}, {@code mask} or {@code skip}, in any case. */
        public static OnInvalid parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--on-invalid must be error, mask or skip, got '" + s + "'");
            }
        }
    }

    private final OnInvalid policy;
    private long invalid;

    public NucleotideTokenizer(OnInvalid policy) {
        this.policy = java.util.Objects.requireNonNull(policy, "policy");
    }

    /** A tokenizer that fails on invalid characters. */
    public NucleotideTokenizer() {
        this(OnInvalid.ERROR);
    }

    public OnInvalid policy() {
        return policy;
    }

    /** Characters masked or skipped so far by this tokenizer. */
    public long invalidCount() {
        return invalid;
    }

    /** The tokens of a record; an invalid character is reported with {@link SequenceRecord#where()}. */
    public byte[] encode(SequenceRecord record) {
        return encode(record.bases(), record.where());
    }

    /**
     * The tokens of {@code chars}; {@code where} names the sequence in an error (e.g. {@code "x.fa: record 2 'chr2'"}).
     * Under {@code SKIP} the result may be shorter than the input, and may be empty.
     */
    public byte[] encode(byte[] chars, String where) {
        byte[] out = new byte[chars.length];
        int n = 0;
        for (int i = 0; i < chars.length; i++) {
            byte code = CODE[chars[i] & 0xff];
            if (code == INVALID) {
                switch (policy) {
                    case ERROR:
                        throw new UserException(where + ": invalid character " + describe(chars[i]) + " at position "
                                + (i + 1) + " (expected A C G T U N or an IUPAC code; --on-invalid mask or skip accepts it)");
                    case MASK:
                        code = N;
                        invalid++;
                        break;
                    default:
                        invalid++;
                        continue;
                }
            }
            out[n++] = code;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    /** The token of one character, or -1 if it is invalid. */
    public static int code(byte ch) {
        return CODE[ch & 0xff];
    }

    private static String describe(byte b) {
        int c = b & 0xff;
        return c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format(Locale.ROOT, "byte 0x%02x", c);
    }

    /** The complement of a base token (A-T, C-G, N-N); specials have none. */
    public static byte complement(byte token) {
        if (token >= A && token <= T) {
            return (byte) (T - token);
        }
        if (token == N) {
            return N;
        }
        throw new IllegalArgumentException("token " + token + " (" + name(token) + ") has no complement");
    }

    /** The complement of a base letter in either case (U read as T): upper-case A C G T, or N for any other byte. */
    public static byte complementLetter(byte letter) {
        return switch (Character.toUpperCase((char) letter)) {
            case 'A' -> (byte) 'T';
            case 'C' -> (byte) 'G';
            case 'G' -> (byte) 'C';
            case 'T', 'U' -> (byte) 'A';
            default -> (byte) 'N';
        };
    }

    /** The reverse complement of base tokens (A C G T N only). */
    public static byte[] reverseComplement(byte[] tokens) {
        byte[] out = new byte[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            out[tokens.length - 1 - i] = complement(tokens[i]);
        }
        return out;
    }

    /** The name of a token: A C G T N PAD BOS SEP MASK. */
    public static String name(int token) {
        if (token < 0 || token >= VOCAB_SIZE) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary 0.." + (VOCAB_SIZE - 1));
        }
        return NAMES[token];
    }

    /** Letters of base tokens [from, to) as ASCII (A C G T N); a special token is an error. */
    public static byte[] letters(byte[] tokens, int from, int to) {
        byte[] out = new byte[to - from];
        for (int i = from; i < to; i++) {
            byte t = tokens[i];
            if (t < A || t > N) {
                throw new IllegalArgumentException("token " + t + " at index " + i + " is not a base");
            }
            out[i - from] = (byte) "ACGTN".charAt(t);
        }
        return out;
    }

    /** Tokens [from, to) widened to {@code int}, the model's input type. */
    public static int[] toInts(byte[] tokens, int from, int to) {
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = tokens[i];
        }
        return out;
    }
}
