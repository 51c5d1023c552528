package dev.chimera.genomics;

import dev.chimera.runtime.Checkout;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The folder where fetched genomes live: {@code $CHIMERA_CACHE/genomes} if the environment variable
 * is set, else {@code cache/genomes} at the root of the Chimera checkout (ignored by git), else
 * {@code ~/.cache/chimera/genomes} when no checkout can be found.
 *
 * <p>A genome is fetched on first use into a private temporary folder, checked (its total length),
 * copied next to its final name, flushed to disk and renamed into place, so a reader sees either no
 * file or a complete one, and two processes fetching at once both end with the same good file.
 */
public final class GenomeCache {
    /** Environment variable naming the cache root (genomes go to its {@code genomes} folder). */
    public static final String ENV = "CHIMERA_CACHE";

    private static final long APT_TIMEOUT_MINUTES = 10;

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
     * The cached file of {@code genome}, fetching it first if needed. {@code log} gets one line per
     * step of a fetch. Fails with a {@link UserException} saying what to do when apt-get or dpkg
     * is missing, the package lists are missing, or the download fails.
     */
    public Path obtain(ReferenceGenome genome, Consumer<String> log) {
        Path target = path(genome);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path work = null;
        try {
            Files.createDirectories(genomes());
            work = Files.createTempDirectory("chimera-genome-");
            log.accept("fetching " + genome.description() + ": apt-get download " + genome.debianPackage());
            run(work, genome, "apt-get", "download", genome.debianPackage());
            Path deb;
            try (Stream<Path> s = Files.list(work)) {
                deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElse(null);
            }
            if (deb == null) {
                throw new UserException("apt-get download " + genome.debianPackage() + " left no .deb file in " + work);
            }
            Path unpacked = work.resolve("unpacked");
            run(work, genome, "dpkg", "-x", deb.toString(), unpacked.toString());
            Path fasta = unpacked.resolve(genome.pathInPackage());
            if (!Files.isRegularFile(fasta)) {
                throw new UserException(deb.getFileName() + " does not contain " + genome.pathInPackage());
            }
            verify(genome, fasta);
            Path tmp = Files.createTempFile(genomes(), "." + genome.fileName() + ".", ".tmp");
            try {
                Files.copy(fasta, tmp, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            log.accept("cached " + genome.description() + " (" + genome.length() + " bp) at " + target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache " + genome.description() + " in " + genomes() + ": " + e, e);
        } finally {
            deleteTree(work);
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
                    + " bases, this file has " + total + "; delete it to fetch it again");
        }
    }

    private static void run(Path dir, ReferenceGenome genome, String... command) throws IOException {
        String what = String.join(" ", command);
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UserException("cannot fetch " + genome.description() + ": '" + command[0]
                    + "' is not available (a Debian or Ubuntu system is needed); pass --fasta FILE instead");
        }
        p.getOutputStream().close();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        boolean finished;
        try {
            finished = p.waitFor(APT_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException("interrupted while running " + what, e);
        }
        if (!finished) {
            p.destroyForcibly();
            throw new UserException("cannot fetch " + genome.description() + ": '" + what + "' did not finish in "
                    + APT_TIMEOUT_MINUTES + " minutes; pass --fasta FILE instead");
        }
        if (p.exitValue() != 0) {
            String reason = lastErrorLine(output);
            String hint = command[0].equals("apt-get")
                    ? "; run 'sudo apt-get update' (the package lists may be missing) and try again, or pass --fasta FILE"
                    : "; pass --fasta FILE instead";
            throw new UserException("cannot fetch " + genome.description() + ": '" + what + "' failed (exit "
                    + p.exitValue() + (reason.isEmpty() ? "" : ": " + reason) + ")" + hint);
        }
    }

    /** The last line apt or dpkg marked as an error ("E: ..."), else the last non-empty line. */
    private static String lastErrorLine(String output) {
        List<String> lines = new ArrayList<>();
        for (String l : output.split("\n")) {
            if (!l.isBlank()) {
                lines.add(l.strip());
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("E:")) {
                return lines.get(i);
            }
        }
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // A leftover in the system temp folder is harmless; the genome result is what matters.
                }
            });
        } catch (IOException ignored) {
            // As above.
        }
    }
}
