package dev.chimera.genomics;

import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * The folder where the shipped genomes are unpacked for the commands that read them by path:
 * {@code $CHIMERA_CACHE/genomes} if the environment variable is set, else {@code cache/genomes} at
 * the root of the Chimera checkout (ignored by git), else {@code ~/.cache/chimera/genomes} when no
 * checkout can be found.
 *
 * <p>A genome is copied on first use from its classpath resource ({@link ReferenceGenome}) to a
 * temporary file next to its final name, checked (its total length), flushed to disk and renamed
 * into place, so a reader sees either no file or a complete one, and two processes copying at once
 * both end with the same good file. No network and no package manager are involved.
 */
public final class GenomeCache {
    /** Environment variable naming the cache root (genomes go to its {@code genomes} folder). */
    public static final String ENV = "CHIMERA_CACHE";

    private final Path root;

    /** A cache rooted at {@code root}; genomes go to {@code root/genomes}. */
    public GenomeCache(Path root) {
        this.root = root;
    }

    /** The cache the commands use: {@value #ENV}, else the checkout's {@code cache}, else {@code ~/.cache/chimera}. */
    public static GenomeCache locate() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return new GenomeCache(Paths.get(env));
        }
        Path checkout = Checkout.locate();
        if (checkout != null) {
            return new GenomeCache(checkout.resolve("cache"));
        }
        return new GenomeCache(Paths.get(System.getProperty("user.home"), ".cache", "chimera"));
    }

    public Path root() {
        return root;
    }

    /** The folder holding the genome files. */
    public Path genomes() {
        return root.resolve("genomes");
    }

    /** Where {@code genome} is (or will be) cached. */
    public Path path(ReferenceGenome genome) {
        return genomes().resolve(genome.fileName());
    }

    /** Whether {@code genome} is already cached. */
    public boolean has(ReferenceGenome genome) {
        return Files.isRegularFile(path(genome));
    }

    /**
     * The cached file of {@code genome}, copied from the shipped resource first if needed; {@code log}
     * gets a line when it is.
     */
    public Path obtain(ReferenceGenome genome, Consumer<String> log) {
        Path target = path(genome);
        if (Files.isRegularFile(target)) {
            return target;
        }
        try {
            Files.createDirectories(genomes());
            Path tmp = Files.createTempFile(genomes(), "." + genome.fileName() + ".", ".tmp");
            try {
                try (InputStream in = ReferenceGenome.class.getResourceAsStream(genome.resource())) {
                    if (in == null) {
                        throw new IllegalStateException("the build lacks the resource " + genome.resource());
                    }
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                verify(genome, tmp);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            log.accept("unpacked the shipped " + genome.description() + " genome (" + genome.length() + " bp) to "
                    + target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + genome.description() + " into " + genomes() + ": " + e, e);
        }
    }

    /** Checks the total length of the records of {@code fasta} against the genome's. */
    public static void verify(ReferenceGenome genome, Path fasta) {
        long total = 0;
        try (FastaSource source = FastaSource.open(fasta)) {
            while (source.hasNext()) {
                total += source.next().length();
            }
        }
        if (total != genome.length()) {
            throw new UserException(fasta + ": " + genome.description() + " should have " + genome.length()
                    + " bases, this file has " + total + "; delete it to unpack it again");
        }
    }
}
