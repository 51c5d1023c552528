package dev.chimera.spark;

import dev.chimera.genomics.FastaSource;
import dev.chimera.genomics.NucleotideTokenizer;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.genomics.SequenceRecord;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The driver's pass over the inputs before any task runs: it reads every record (FastaSource, the
 * reader of {@code dna score}), tokenizes it with {@code --on-invalid} and checks that the model
 * can run it, so a bad input fails here in one line rather than in a task; and it cuts the records
 * into slices of about equal work.
 *
 * <p>Cutting: with U units in all and P partitions asked for, a record whose work spans units
 * [c, c + u) of the whole goes to bucket floor((c + u/2) * P / U), the bucket of its midpoint;
 * a slice is a run of records of one file in one bucket. Slices are contiguous in file order,
 * none is empty, there are at most P + files - 1 of them, and each holds about U / P units or a
 * single longer record (a record is never split: the model's state runs through it). Only the
 * length of each record is kept (4 bytes a record), not the records.
 */
final class Planner {
    private Planner() {
    }

    /** An input as planned: the file as the user named it, its identity, its records. */
    record Input(Path path, long bytes, String modified, int records, long bases) {
    }

    /** The inputs, the slices in input and file order, and the totals. */
    record Plan(List<Input> inputs, List<Slice> slices, long records, long bases, long units, long invalid) {
    }

    static Plan plan(List<Path> files, OnInvalid onInvalid, RecordWork work, int partitions) {
        List<Input> inputs = new ArrayList<>();
        List<int[]> lengths = new ArrayList<>();
        NucleotideTokenizer tokenizer = new NucleotideTokenizer(onInvalid);
        long records = 0;
        long bases = 0;
        long units = 0;
        for (Path file : files) {
            long bytes = size(file);
            String modified = modified(file);
            int[] length = new int[1024]; // tokens of each record, after --on-invalid
            int n = 0;
            long fileBases = 0;
            try (FastaSource source = FastaSource.open(file)) {
                while (source.hasNext()) {
                    SequenceRecord r = source.next();
                    byte[] tokens = tokenizer.encode(r);
                    work.check(tokens, r.where());
                    if (n == length.length) {
                        length = Arrays.copyOf(length, 2 * n);
                    }
                    length[n++] = tokens.length;
                    fileBases += tokens.length;
                    units += work.units(tokens.length);
                }
            }
            inputs.add(new Input(file, bytes, modified, n, fileBases));
            lengths.add(Arrays.copyOf(length, n));
            records += n;
            bases += fileBases;
        }
        List<Slice> slices = cut(inputs, lengths, work, units, partitions);
        return new Plan(inputs, slices, records, bases, units, tokenizer.invalidCount());
    }

    private static List<Slice> cut(List<Input> inputs, List<int[]> lengths, RecordWork work, long total,
                                   int partitions) {
        List<Slice> slices = new ArrayList<>();
        long before = 0; // units of every record before the current one, over all inputs
        for (int f = 0; f < inputs.size(); f++) {
            Input in = inputs.get(f);
            int[] length = lengths.get(f);
            int first = 0;
            long sliceBases = 0;
            long sliceUnits = 0;
            long sliceBucket = 0;
            for (int i = 0; i < length.length; i++) {
                long u = work.units(length[i]);
                long b = bucket(before, u, total, partitions);
                if (i > first && b != sliceBucket) {
                    slices.add(slice(slices.size(), f, in, first, i, sliceBases, sliceUnits));
                    first = i;
                    sliceBases = 0;
                    sliceUnits = 0;
                }
                sliceBucket = b;
                sliceBases += length[i];
                sliceUnits += u;
                before += u;
            }
            if (length.length > first) {
                slices.add(slice(slices.size(), f, in, first, length.length, sliceBases, sliceUnits));
            }
        }
        return slices;
    }

    /** The bucket of the midpoint of a record's {@code units}, which start after {@code before} of {@code total}. */
    private static long bucket(long before, long units, long total, int partitions) {
        return total == 0 ? 0 : Math.multiplyExact(2 * before + units, partitions) / (2 * total);
    }

    private static Slice slice(int index, int input, Input in, int first, int end, long bases, long units) {
        return new Slice(index, input, in.path().toAbsolutePath().normalize().toString(), in.bytes(), in.modified(), first,
                end, bases, units);
    }

    static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1; // missing or unreadable: FastaSource.open says so in its own words
        }
    }

    static String modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toString();
        } catch (IOException e) {
            return "";
        }
    }
}
