package dev.chimera.core.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A decoding step allocates nothing once warm. Run by its own surefire execution, in a JVM of its
 * own (core-model's pom): a decoding process has compiled its kernels for decoding, while the
 * JVM that has just run the rest of the suite has compiled them for many other shapes and call
 * sites, and there a step was seen to keep allocating ~4 KB (boxed vectors of a kernel compiled
 * without its inlining) after a minute of warm-up.
 */
class StepAllocationTest {

    /**
     * A step over reused inputs allocates nothing on the calling thread once the JIT has compiled it
     * (ThreadMXBean counts every byte this thread allocates). Single-threaded pool: the parallel
     * hand-off itself allocates a small job object per call, which {@code bench step} reports.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tokens", "continuous"})
    void aWarmStepAllocatesNothing(String input) {
        try (ComputePool one = new ComputePool(1)) {
            ModelConfig.Builder b = ModelConfig.tiny().toBuilder().nLayers(4).mixerPattern("MMMA")
                    .attnSpans(List.of("window:8")).chunkSize(4);
            if (input.equals("continuous")) {
                b.input(CoreComponents.continuous(3, "linear")).head(CoreComponents.regression(2));
            }
            Decoder model = new Decoder(b.build(), 64, new VectorBackend(one));
            model.initialise(3);
            int n = 4;
            DecoderState[] states = new DecoderState[n];
            for (int i = 0; i < n; i++) {
                states[i] = model.newState();
            }
            Decoder.Inference inf = model.inference(n, 1);
            int[] tokens = new int[n];
            Tensor values = Tensor.zeros(n, 1, 3);
            Inputs in = input.equals("tokens") ? Inputs.tokensIn(tokens, n, 1) : Inputs.values(values);
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long id = Thread.currentThread().getId();
            long perStep = Long.MAX_VALUE;
            // Warm up until the JIT has compiled the step (allocations then vanish), for at most a minute: on a
            // loaded machine, or after other tests have compiled the kernels from other call sites, the compiler
            // threads take tens of thousands of steps to get there (measured: 621 KB, then 21 KB, ... 0 bytes).
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (perStep > 0 && System.nanoTime() < deadline) {
                for (int s = 0; s < 500; s++) {
                    step(inf, states, in, tokens, values, s);
                }
                long before = threads.getThreadAllocatedBytes(id);
                for (int s = 0; s < 100; s++) {
                    step(inf, states, in, tokens, values, s);
                }
                perStep = (threads.getThreadAllocatedBytes(id) - before) / 100;
            }
            assertEquals(0, perStep, input + ": bytes allocated per warm step");
        }
    }

    private static void step(Decoder.Inference inf, DecoderState[] states, Inputs in, int[] tokens, Tensor values,
                             int s) {
        float[] v = values.data();  // not values.set(...): its varargs index would be this loop's own allocation
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = (s + i) % 8;
            v[values.offset() + i * 3 + 1] = (s % 5) * 0.1f;
        }
        Tensor h = inf.step(states, in);
        inf.output(h);
    }
}
