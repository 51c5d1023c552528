package dev.chimera.robotics.tokenize;

import java.util.Arrays;
import java.util.List;

/**
 * Median encode and decode time per chunk, in microseconds, over the held-out chunks, each chunk
 * coded against the closed-loop context it had. A warm-up pass repeats until the JIT has had
 * {@code warmupMillis} of the same work, then every chunk is timed once on its own (System.nanoTime
 * resolves tens of nanoseconds, well below a chunk's microseconds).
 */
final class ChunkTimer {

    private ChunkTimer() {
    }

    /** {median encode us, median decode us}. */
    static double[] medianMicros(ActionTokenizer tokenizer, List<ChunkedEpisode> episodes, List<ClosedLoop> runs,
                                 long warmupMillis) {
        int[] tokens = new int[tokenizer.maxTokens()];
        double[] out = new double[tokenizer.chunkLength() * tokenizer.dof()]; // (T, D)
        long until = System.nanoTime() + warmupMillis * 1_000_000L;
        do {
            pass(tokenizer, episodes, runs, tokens, out, null, null);
        } while (System.nanoTime() < until);
        int chunks = runs.stream().mapToInt(r -> r.tokens().length).sum();
        long[] encode = new long[chunks];
        long[] decode = new long[chunks];
        pass(tokenizer, episodes, runs, tokens, out, encode, decode);
        return new double[] {median(encode) / 1e3, median(decode) / 1e3};
    }

    private static void pass(ActionTokenizer tokenizer, List<ChunkedEpisode> episodes, List<ClosedLoop> runs,
                             int[] tokens, double[] out, long[] encode, long[] decode) {
        int c = 0;
        for (int e = 0; e < episodes.size(); e++) {
            ChunkedEpisode episode = episodes.get(e);
            ClosedLoop run = runs.get(e);
            for (int k = 0; k < episode.chunks(); k++, c++) {
                long t0 = System.nanoTime();
                int count = tokenizer.encode(episode.chunk(k), run.previous()[k], run.velocity()[k], tokens);
                long t1 = System.nanoTime();
                tokenizer.decode(tokens, count, run.previous()[k], run.velocity()[k], out);
                long t2 = System.nanoTime();
                if (encode != null) {
                    encode[c] = t1 - t0;
                    decode[c] = t2 - t1;
                }
            }
        }
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
