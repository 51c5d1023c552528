package dev.chimera.spark;

import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code --out} folder of a job, and its commit protocol:
 *
 * <pre>
 *   _chimera_job                 the manifest: settings and plan as key=value lines, written first
 *   part-00000.parquet ...       one per slice, each renamed into place whole when its task ends
 *   _SUCCESS                     written last, once every part is there
 *   .part-00003.parquet.*.tmp    a part being written, or left by a killed task (removed by the next run)
 * </pre>
 *
 * A part's final name holds a complete file or nothing, and a slice has exactly one name, so a
 * record is never written twice: a retried task (Spark's, after a lost executor) or a resumed run
 * (after a lost driver) finds the part there and skips it, or writes the same rows again under
 * the same name. {@code --resume} accepts the folder only if its manifest is the new run's, key
 * for key: same command, model, spans, chunk, inputs (size and time) and plan.
 */
final class JobOutput {
    static final String MANIFEST = "_chimera_job";
    static final String SUCCESS = "_SUCCESS";
    private static final String PART_KEY = "part.";

    private final Path dir;

    private JobOutput(Path dir) {
        this.dir = dir;
    }

    /** The part file of slice {@code index}. */
    static Path part(Path dir, int index) {
        return dir.resolve(String.format(Locale.ROOT, "part-%05d.parquet", index));
    }

    /** The manifest key of slice {@code index}, and how it describes the slice. */
    static void describe(Map<String, String> manifest, Slice s) {
        manifest.put(String.format(Locale.ROOT, "%s%05d", PART_KEY, s.index()), String.format(Locale.ROOT,
                "input %d records %d-%d bases %d units %d", s.input() + 1, s.first() + 1, s.end(), s.bases(),
                s.units()));
    }

    /**
     * Before the planning pass: refuses a folder this run cannot use, each case one line. Returns the
     * earlier run's manifest when {@code resume} finds one, else null (a new run).
     */
    static Map<String, String> earlierRun(Path dir, boolean resume, List<String> notes) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserException("--out " + dir + ": is a file, expected a folder");
        }
        Path manifest = dir.resolve(MANIFEST);
        if (Files.exists(manifest)) {
            Map<String, String> earlier = read(manifest);
            if (!resume) {
                throw new UserException("--out " + dir + " holds a run already (" + committed(dir).size()
                        + " of " + parts(earlier) + " parts written" + (Files.exists(dir.resolve(SUCCESS))
                        ? ", complete" : "") + "); pass --resume to continue it, or choose another --out");
            }
            return earlier;
        }
        if (Files.isDirectory(dir) && !isEmpty(dir)) {
            throw new UserException("--out " + dir + ": the folder holds other files and no " + MANIFEST
                    + "; expected a new or empty folder");
        }
        if (resume) {
            notes.add("--resume: no earlier run in " + dir + ", starting a new one");
        }
        return null;
    }

    /**
     * Opens the folder for a run with {@code manifest}: a new run writes it, a resumed one must have
     * it equal to the earlier run's. Leftover temporary files of killed tasks are removed.
     */
    static JobOutput open(Path dir, Map<String, String> manifest, Map<String, String> earlier) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (earlier == null) {
            Files.createDirectories(dir);
            StringBuilder text = new StringBuilder();
            manifest.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            AtomicFiles.writeString(file, text.toString());
        } else {
            for (String key : union(earlier, manifest)) {
                String was = earlier.get(key);
                String now = manifest.get(key);
                if (was == null ? now != null : !was.equals(now)) {
                    throw new UserException(file + ": the earlier run had " + key + " = " + was + ", this one has "
                            + now + "; resume with the same settings and inputs, or choose another --out");
                }
            }
        }
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, ".part-*.tmp")) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
        return new JobOutput(dir);
    }

    /** The slices whose part file is in place. */
    Set<Integer> committed() {
        return committed(dir);
    }

    /** Marks the run complete; call once every part is in place. */
    void finish() throws IOException {
        AtomicFiles.writeString(dir.resolve(SUCCESS), "");
    }

    Path dir() {
        return dir;
    }

    private static Set<Integer> committed(Path dir) {
        Set<Integer> done = new TreeSet<>();
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "part-*.parquet")) {
            for (Path p : parts) {
                String name = p.getFileName().toString();
                done.add(Integer.parseInt(name.substring("part-".length(), name.length() - ".parquet".length())));
            }
        } catch (IOException | NumberFormatException e) {
            throw new UserException("--out " + dir + ": cannot list its part files (" + e.getMessage() + ")");
        }
        return done;
    }

    private static long parts(Map<String, String> manifest) {
        return manifest.keySet().stream().filter(k -> k.startsWith(PART_KEY)).count();
    }

    private static Map<String, String> read(Path manifest) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            int line = 0;
            for (String text : Files.readAllLines(manifest, StandardCharsets.UTF_8)) {
                line++;
                int eq = text.indexOf('=');
                if (eq <= 0) {
                    throw new UserException(manifest + ": line " + line + ": expected key=value, found '" + text + "'");
                }
                m.put(text.substring(0, eq), text.substring(eq + 1));
            }
        } catch (IOException e) {
            throw new UserException(manifest + ": cannot read (" + e.getMessage() + ")");
        }
        return m;
    }

    private static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            throw new UserException("--out " + dir + ": cannot list the folder (" + e.getMessage() + ")");
        }
    }

    private static Set<String> union(Map<String, String> a, Map<String, String> b) {
        Set<String> keys = new LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }
}
