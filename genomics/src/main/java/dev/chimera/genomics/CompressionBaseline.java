package dev.chimera.genomics;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.UnsupportedOptionsException;
import org.tukaani.xz.XZOutputStream;

/**
 * General-purpose compressors as bits-per-base baselines. The text compressed is the sequence as
 * ASCII letters (A C G T N, one byte per base, records joined by '\n'). Two figures per compressor:
 *
 * <pre>
 *   conditional = (bits(C(train + eval)) - bits(C(train))) / eval bases   what eval costs given train
 *   eval only   =  bits(C(eval)) / eval bases                             eval compressed on its own
 * </pre>
 *
 * The conditional figure is the fair comparison with a model trained on the train text; gzip's
 * 32 KB window sees almost none of the train text, xz's dictionary sees all of it.
 */
public final class CompressionBaseline {

    /** A compressor and its settings. */
    public enum Compressor {
        /** DEFLATE (java.util.zip) at level 9 in a gzip frame (18 bytes of header and trailer). */
        GZIP_9("gzip -9"),
        /**
         * LZMA2 (org.tukaani:xz) at xz's preset 9e: preset 9 (BT4 match finder, normal mode) with the
         * extreme flag's settings as liblzma defines them (nice length 273, match-finder depth 512),
         * which xz-java has no flag for. The dictionary is the preset's
         * 64 MiB cut down to the next power of two above the input, which finds the same matches with
         * a fraction of the memory (the 64 MiB encoder needs about 670 MB).
         */
        XZ_9E("xz -9e");

        private final String label;

        Compressor(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Compressed size in bytes of the concatenation of {@code parts}; {@code progress} gets bytes fed. */
        public long compressedBytes(LongConsumer progress, byte[]... parts) {
            long total = 0;
            for (byte[] p : parts) {
                total += p.length;
            }
            CountingSink sink = new CountingSink();
            try (OutputStream out = open(sink, total)) {
                long fed = 0;
                for (byte[] p : parts) {
                    for (int off = 0; off < p.length; off += 1 << 20) {
                        int n = Math.min(1 << 20, p.length - off);
                        out.write(p, off, n);
                        fed += n;
                        progress.accept(fed);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(label + " failed", e);
            }
            return sink.count;
        }

        private OutputStream open(OutputStream sink, long inputBytes) throws IOException {
            if (this == GZIP_9) {
                return new GZIPOutputStream(sink, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_COMPRESSION);
                    }
                };
            }
            try {
                LZMA2Options options = new LZMA2Options(9);
                options.setNiceLen(273);
                options.setDepthLimit(512);
                long needed = Long.highestOneBit(Math.max(1, inputBytes - 1)) << 1;
                if (needed < options.getDictSize()) {
                    options.setDictSize((int) Math.max(LZMA2Options.DICT_SIZE_MIN, needed));
                }
                return new XZOutputStream(sink, options);
            } catch (UnsupportedOptionsException e) {
                throw new IllegalStateException("xz options", e);
            }
        }
    }

    /**
     * Both figures of one compressor.
     *
     * @param trainBytes compressed train text
     * @param allBytes   compressed train text followed by the eval text
     * @param evalBytes  compressed eval text alone
     * @param evalBases  eval bases the bits are divided by (N included: the compressor pays for them)
     */
    public record Result(Compressor compressor, long trainBytes, long allBytes, long evalBytes, long evalBases) {
        public double conditionalBitsPerBase() {
            return 8.0 * (allBytes - trainBytes) / evalBases;
        }

        public double evalOnlyBitsPerBase() {
            return 8.0 * evalBytes / evalBases;
        }
    }

    private CompressionBaseline() {
    }

    /**
     * Compresses train, train + eval and eval. {@code progress} gets the bytes fed so far out of
     * {@code 2 * train.length + 2 * eval.length}.
     */
    public static Result measure(Compressor c, byte[] train, byte[] eval, long evalBases, LongConsumer progress) {
        if (evalBases <= 0) {
            throw new IllegalArgumentException("no eval bases to measure");
        }
        long trainBytes = c.compressedBytes(progress, train);
        long allBytes = c.compressedBytes(fed -> progress.accept(train.length + fed), train, eval);
        long evalBytes = c.compressedBytes(fed -> progress.accept(2L * train.length + eval.length + fed), eval);
        return new Result(c, trainBytes, allBytes, evalBytes, evalBases);
    }

    /**
     * {@link #measure} for several compressors, the compressions spread over {@code threads} threads.
     * {@code progress} gets the total bytes fed so far out of {@code compressors.size() * 2 * (train + eval)}.
     */
    public static List<Result> measureAll(List<Compressor> compressors, byte[] train, byte[] eval, long evalBases,
            int threads, LongConsumer progress) {
        if (evalBases <= 0) {
            throw new IllegalArgumentException("no eval bases to measure");
        }
        AtomicLong fedTotal = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "compression-baseline");
            t.setDaemon(true);
            return t;
        });
        try {
            // The longest jobs first (train + eval), so the last to finish is a short one.
            List<Future<Long>> all = new ArrayList<>();
            List<Future<Long>> trainOnly = new ArrayList<>();
            List<Future<Long>> evalOnly = new ArrayList<>();
            for (Compressor c : compressors) {
                all.add(pool.submit(() -> c.compressedBytes(counter(fedTotal, progress), train, eval)));
            }
            for (Compressor c : compressors) {
                trainOnly.add(pool.submit(() -> c.compressedBytes(counter(fedTotal, progress), train)));
            }
            for (Compressor c : compressors) {
                evalOnly.add(pool.submit(() -> c.compressedBytes(counter(fedTotal, progress), eval)));
            }
            List<Result> out = new ArrayList<>();
            for (int i = 0; i < compressors.size(); i++) {
                out.add(new Result(compressors.get(i), get(trainOnly.get(i)), get(all.get(i)), get(evalOnly.get(i)), evalBases));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A per-job progress callback that adds the job's increments to the shared total. */
    private static LongConsumer counter(AtomicLong total, LongConsumer progress) {
        long[] last = {0};
        return fed -> {
            progress.accept(total.addAndGet(fed - last[0]));
            last[0] = fed;
        };
    }

    private static long get(Future<Long> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            if (c instanceof Error) {
                throw (Error) c;
            }
            throw new IllegalStateException(c);
        }
    }

    /** Counts bytes and keeps none of them. */
    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
