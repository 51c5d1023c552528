package dev.chimera.genomics.cli;

import dev.chimera.core.decoder.Decoder;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.Embedder;
import dev.chimera.genomics.EmbeddingCentre;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --pooling} and its alias {@code --echo}, as {@code dna embed} and the Spark job's
 * {@code embed} take them: the same parser, default and conflict check; and the centre that
 * {@code centred} pooling subtracts, computed with a note and described for a file's metadata.
 */
public final class PoolingOption {
    /** The pooling without --pooling or --echo: the one that measured best (README, PoolingBench). */
    public static final String DEFAULT_LABEL = "centred";
    public static final Embedder.Pooling DEFAULT = Embedder.Pooling.parse(DEFAULT_LABEL);

    @Option(names = "--pooling", paramLabel = "mean|centred|last|echo", converter = Converter.class,
            description = "How the states become one vector (default: " + DEFAULT_LABEL + ").")
    Embedder.Pooling pooling;

    @Option(names = "--echo", description = "Echo embedding: the same as --pooling echo.")
    boolean echo;

    /** --pooling's values, in any case. */
    static final class Converter implements CommandLine.ITypeConverter<Embedder.Pooling> {
        @Override
        public Embedder.Pooling convert(String value) {
            try {
                return Embedder.Pooling.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The pooling asked for; --echo with another --pooling is a usage error (exit 2). */
    public Embedder.Pooling chosen(CommandLine cl) {
        if (echo && pooling != null && pooling != Embedder.Pooling.ECHO) {
            throw new CommandLine.ParameterException(cl, "--echo is --pooling echo; it cannot go with --pooling "
                    + pooling.label());
        }
        return echo ? Embedder.Pooling.ECHO : pooling == null ? DEFAULT : pooling;
    }

    /**
     * The centre ({@link EmbeddingCentre}) of {@code model} run by {@code decoder}, its samples
     * embedded in windows of {@code chunk} positions; a note with its time goes to {@code notes}.
     */
    public static float[] centre(DnaModel model, Decoder decoder, int chunk, Consumer<String> notes) {
        int length = EmbeddingCentre.length(model.context());
        long t0 = System.nanoTime();
        float[] centre = EmbeddingCentre.compute(decoder, chunk, length);
        notes.accept(String.format(Locale.ROOT, "centre: %d sequences of %d bases sampled from the model and "
                + "embedded (%.1f s)", EmbeddingCentre.SEQUENCES, length, (System.nanoTime() - t0) / 1e9));
        return centre;
    }

    /**
     * A file's metadata about the centre of {@code model}: 'centre' (the values as Float.toString
     * writes them, an exact float32 round trip, comma-separated) and 'centre_detail'.
     */
    public static Map<String, String> centreMetadata(float[] centre, DnaModel model) {
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < centre.length; i++) {
            values.append(i == 0 ? "" : ",").append(centre[i]);
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("centre", values.toString());
        m.put("centre_detail", "mean of the mean-pooled vectors of " + EmbeddingCentre.SEQUENCES + " sequences of "
                + EmbeddingCentre.length(model.context()) + " bases sampled from the model (BOS, temperature 1, seed " + EmbeddingCentre.SEED + ")");
        return m;
    }
}
